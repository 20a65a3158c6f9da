"""Reads for services, commitments and resolved responsibilities.

Pages and the API build on these names; keep them stable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from kommunen.models import Gemeinde, Land
from leistungen.models import (
    Behoerde,
    Ebene,
    Leistung,
    Zusage,
    Zustaendigkeit,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)

_EBENE_SATZ: dict[str, str] = {
    Ebene.GEMEINDE: "auf Gemeindeebene angesiedelt",
    Ebene.VERBAND: "bei der Gemeinde bzw. ihrem Gemeindeverband angesiedelt",
    Ebene.KREIS: "auf Kreisebene angesiedelt",
    Ebene.REGIERUNGSBEZIRK: "bei der Mittelbehörde des Regierungsbezirks angesiedelt",
    Ebene.LAND: "auf Landesebene angesiedelt",
}


def _stichtag(stichtag: dt.date | None) -> dt.date:
    return stichtag if stichtag is not None else timezone.localdate()


def _datum(tag: dt.date) -> str:
    return f"{tag:%d.%m.%Y}"


def _zeitraum(ab: dt.date | None, bis: dt.date | None, *, gueltig: bool = False) -> str:
    seit = "gültig seit" if gueltig else "seit"
    teile = [f"{seit} {_datum(ab)}" if ab else "ohne Anfangsdatum"]
    if bis:
        teile.append(f"bis {_datum(bis)}")
    return " ".join(teile)


# --- single responsibility ---------------------------------------------------------------


def zustaendigkeit_am(
    *, gemeinde: Gemeinde, leistung: Leistung, stichtag: dt.date | None = None
) -> Zustaendigkeit | None:
    """The resolved responsibility of a Gemeinde for a service on a date (default today)."""
    return (
        Zustaendigkeit.objects.gueltig_am(_stichtag(stichtag))
        .filter(gemeinde=gemeinde, leistung=leistung)
        .select_related(
            "gemeinde__land", "leistung", "behoerde", "regel__land", "ausnahme__behoerde"
        )
        .first()
    )


def zustaendigkeit_begruendung(zustaendigkeit: Zustaendigkeit) -> str:
    """Why this authority is responsible, without naming Gemeinde and service again
    (for tables that already show them)."""
    z = zustaendigkeit
    ausnahme = z.ausnahme
    if ausnahme is not None:
        zeitraum = _zeitraum(ausnahme.gueltig_ab, ausnahme.gueltig_bis)
        satz = f"Ausnahme – {ausnahme.grund} ({zeitraum})"
        if ausnahme.angenommen:
            satz += " (Annahme)"
    else:
        regel = z.regel
        satz = (
            f"In {regel.land.name} ist {z.leistung.kurzname} "
            f"{_EBENE_SATZ.get(regel.ebene, regel.get_ebene_display())} "
            f"(Regel {_zeitraum(regel.gueltig_ab, regel.gueltig_bis, gueltig=True)})"
        )
        if regel.angenommen:
            satz += " (Annahme)"
    satz += "."
    if z.hinweis:
        satz += f" {z.hinweis}"
    return satz


def zustaendigkeit_erklaerung(zustaendigkeit: Zustaendigkeit) -> str:
    """One German sentence explaining why this authority is responsible, e.g.
    "Pullach i.Isartal, Führerschein → Landratsamt München: In Bayern ist …"."""
    z = zustaendigkeit
    kopf = f"{z.gemeinde.name_kurz}, {z.leistung.kurzname} → {z.behoerde.name}"
    return f"{kopf}: {zustaendigkeit_begruendung(z)}"


# --- per Gemeinde ------------------------------------------------------------------------


@dataclass(frozen=True)
class ZustaendigkeitZeile:
    leistung: Leistung
    zusage: Zusage | None
    zustaendigkeit: Zustaendigkeit | None
    behoerde: Behoerde | None
    angenommen: bool
    erklaerung: str
    begruendung: str


def gemeinde_zustaendigkeiten(
    *, gemeinde: Gemeinde, stichtag: dt.date | None = None, nur_zugesagt: bool = True
) -> list[ZustaendigkeitZeile]:
    """Per service of the Gemeinde's Land: who is responsible on the date (3 queries).

    ``nur_zugesagt``: only the services the Land committed to; otherwise every service
    with a rule in the Land (plus committed ones).
    """
    tag = _stichtag(stichtag)
    zusagen = {
        z.leistung_id: z
        for z in Zusage.objects.filter(land_id=gemeinde.land_id).select_related("leistung")
    }
    leistungen = {z.leistung_id: z.leistung for z in zusagen.values()}
    if not nur_zugesagt:
        for leistung in Leistung.objects.filter(
            zustaendigkeitsregeln__land_id=gemeinde.land_id
        ).distinct():
            leistungen.setdefault(leistung.pk, leistung)
    zustaendigkeiten = {
        z.leistung_id: z
        for z in Zustaendigkeit.objects.gueltig_am(tag)
        .filter(gemeinde=gemeinde, leistung_id__in=list(leistungen))
        .select_related("gemeinde", "leistung", "behoerde", "regel__land", "ausnahme")
    }
    zeilen = []
    for leistung in sorted(leistungen.values(), key=lambda lst: lst.ozg_id):
        z = zustaendigkeiten.get(leistung.pk)
        fehlt = f"Für {leistung.kurzname} ist am {_datum(tag)} keine Zuständigkeit erfasst."
        angenommen = False
        if z is not None:
            angenommen = z.ausnahme.angenommen if z.ausnahme_id else z.regel.angenommen
        zeilen.append(
            ZustaendigkeitZeile(
                leistung=leistung,
                zusage=zusagen.get(leistung.pk),
                zustaendigkeit=z,
                behoerde=z.behoerde if z else None,
                angenommen=angenommen,
                erklaerung=zustaendigkeit_erklaerung(z) if z else fehlt,
                begruendung=zustaendigkeit_begruendung(z) if z else fehlt,
            )
        )
    return zeilen


# --- per authority -----------------------------------------------------------------------


@dataclass(frozen=True)
class VersorgungZeile:
    leistung: Leistung
    zugesagt: bool
    anzahl_gemeinden: int
    anzahl_gemeindefreie: int
    einwohner: int
    gemeinden: list[Gemeinde] = field(default_factory=list)
    regel: ZustaendigkeitsRegel | None = None
    ausnahme: ZustaendigkeitsAusnahme | None = None


def behoerde_versorgung(
    *, behoerde: Behoerde, stichtag: dt.date | None = None
) -> list[VersorgungZeile]:
    """Per service the authority is responsible for on the date: the Gemeinden it serves
    (gemeindefreie Gebiete counted apart) and their population. Counts are one aggregate
    query; the Gemeinde lists one more."""
    tag = _stichtag(stichtag)
    zeilen = Zustaendigkeit.objects.gueltig_am(tag).filter(behoerde=behoerde)
    gemeindefrei = Q(gemeinde__typ__in=Gemeinde.GEMEINDEFREI_TYPEN)
    summen = (
        zeilen.values("leistung_id")
        .annotate(
            anzahl_gemeinden=Count("gemeinde_id", filter=~gemeindefrei),
            anzahl_gemeindefreie=Count("gemeinde_id", filter=gemeindefrei),
            einwohner=Sum("gemeinde__einwohner"),
            ausnahme_id=Min("ausnahme_id"),
            regel_id=Min("regel_id"),
        )
        .order_by("leistung__ozg_id")
    )
    summen = list(summen)
    if not summen:
        return []
    leistungen = Leistung.objects.in_bulk([s["leistung_id"] for s in summen])
    regeln = ZustaendigkeitsRegel.objects.in_bulk([s["regel_id"] for s in summen])
    ausnahmen = ZustaendigkeitsAusnahme.objects.in_bulk(
        [s["ausnahme_id"] for s in summen if s["ausnahme_id"]]
    )
    zugesagt = set(
        Zusage.objects.filter(land_id=behoerde.land_id).values_list("leistung_id", flat=True)
    )
    gemeinden: dict[int, list[Gemeinde]] = {}
    for z in zeilen.select_related("gemeinde").order_by("gemeinde__name", "gemeinde__ars"):
        gemeinden.setdefault(z.leistung_id, []).append(z.gemeinde)
    return [
        VersorgungZeile(
            leistung=leistungen[s["leistung_id"]],
            zugesagt=s["leistung_id"] in zugesagt,
            anzahl_gemeinden=s["anzahl_gemeinden"],
            anzahl_gemeindefreie=s["anzahl_gemeindefreie"],
            einwohner=s["einwohner"] or 0,
            gemeinden=gemeinden.get(s["leistung_id"], []),
            regel=regeln.get(s["regel_id"]) if not s["ausnahme_id"] else None,
            ausnahme=ausnahmen.get(s["ausnahme_id"]) if s["ausnahme_id"] else None,
        )
        for s in summen
    ]


@dataclass(frozen=True)
class Statusabschnitt:
    """A stretch of time in which the authority's record for a service had one status:
    entered at ``von``, left at ``bis`` (``None``: still so). ``blockiert``: blocked by an
    open hurdle during part of it."""

    onboarding_id: int
    status: str
    status_text: str
    von: dt.datetime
    bis: dt.datetime | None
    blockiert: bool
    tage: int


def behoerde_statusverlauf(
    *, behoerde: Behoerde, leistung_ids: list[int] | None = None
) -> dict[int, list[Statusabschnitt]]:
    """Per service (leistung_id): the statuses the authority's records went through, oldest
    first, from the status intervals (``abdeckung.models.Statusintervall``, derived from
    the audit history). Consecutive intervals of one record with the same status (they
    differ only in ``blockiert``) are one stretch. One query."""
    from abdeckung.models import Statusintervall
    from onboarding.models import Status

    qs = Statusintervall.objects.filter(behoerde=behoerde)
    if leistung_ids is not None:
        qs = qs.filter(leistung_id__in=leistung_ids)
    jetzt = timezone.now()
    labels = dict(Status.choices)
    roh: dict[int, list[dict]] = {}
    for l_id, o_id, status, blockiert, von, bis in qs.order_by(
        "leistung_id", "von", "pk"
    ).values_list("leistung_id", "onboarding_id", "status", "blockiert", "von", "bis"):
        liste = roh.setdefault(l_id, [])
        vorher = liste[-1] if liste else None
        if (
            vorher is not None
            and vorher["onboarding_id"] == o_id
            and vorher["status"] == status
            and vorher["bis"] == von
        ):
            vorher["bis"] = bis
            vorher["blockiert"] = vorher["blockiert"] or blockiert
            continue
        liste.append(
            {
                "onboarding_id": o_id,
                "status": status,
                "blockiert": blockiert,
                "von": von,
                "bis": bis,
            }
        )
    return {
        l_id: [
            Statusabschnitt(
                onboarding_id=a["onboarding_id"],
                status=a["status"],
                status_text=str(labels.get(a["status"], a["status"])),
                von=a["von"],
                bis=a["bis"],
                blockiert=a["blockiert"],
                tage=max(
                    0,
                    (timezone.localdate(a["bis"] or jetzt) - timezone.localdate(a["von"])).days,
                ),
            )
            for a in abschnitte
        ]
        for l_id, abschnitte in roh.items()
    }


# --- lists -------------------------------------------------------------------------------


def leistungen_liste() -> QuerySet[Leistung]:
    """All services with their LeiKa keys, by OZG-ID."""
    return Leistung.objects.prefetch_related("leika").order_by("ozg_id")


def zusagen_liste(*, land: Land | None = None) -> QuerySet[Zusage]:
    """Commitments (optionally of one Land), by Land and OZG-ID."""
    zusagen = Zusage.objects.select_related("land", "leistung")
    if land is not None:
        zusagen = zusagen.filter(land=land)
    return zusagen.order_by("land__code", "leistung__ozg_id")


def teilnehmende_laender() -> QuerySet[Land]:
    """Länder taking part in the programme, in order of joining."""
    return (
        Land.objects.filter(teilnahme__isnull=False)
        .select_related("teilnahme")
        .order_by("teilnahme__beigetreten_am", "code")
    )
