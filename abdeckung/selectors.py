"""Reads of coverage: stored or computed figures, per Gemeinde, the phase funnel, hurdle
counts and national totals. Definitions: :mod:`abdeckung.regeln`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from abdeckung import regeln
from abdeckung.models import Abdeckungsstand, Verarbeitungsstand
from abdeckung.services import Kennzahl, abdeckung_berechnen, zustaendigkeiten_mit_status
from kommunen.models import Gemeinde, Kreis, Land
from leistungen.models import Leistung
from onboarding.models import Huerde, Onboarding, Status


def _id(obj: Land | Leistung | Kreis | int | None) -> int | None:
    if obj is None or isinstance(obj, int):
        return obj
    return int(obj.pk)


def _aus_zeile(zeile: Abdeckungsstand, stand_seit: dt.datetime | None) -> Kennzahl:
    berechnet_am = zeile.berechnet_am
    if zeile.art == Abdeckungsstand.Art.AKTUELL and stand_seit and stand_seit > berechnet_am:
        # The last incremental run found nothing that touches this figure: it was still
        # current then.
        berechnet_am = stand_seit
    return Kennzahl(
        land_id=zeile.land_id,
        land_kurz=zeile.land.kurz,
        land_name=zeile.land.name,
        leistung_id=zeile.leistung_id,
        ozg_id=zeile.leistung.ozg_id,
        leistung_name=zeile.leistung.kurzname,
        kreis_id=zeile.kreis_id,
        kreis_ars=zeile.kreis.ars if zeile.kreis else None,
        kreis_name=zeile.kreis.name if zeile.kreis else None,
        stichtag=zeile.stichtag,
        behoerden_live=zeile.behoerden_live,
        behoerden_gesamt=zeile.behoerden_gesamt,
        gemeinden_live=zeile.gemeinden_live,
        gemeinden_gesamt=zeile.gemeinden_gesamt,
        einwohner_live=zeile.einwohner_live,
        einwohner_gesamt=zeile.einwohner_gesamt,
        status_zaehlung=dict(zeile.status_zaehlung),
        blockiert=zeile.blockiert,
        berechnet_am=berechnet_am,
        ereignis_bis=zeile.ereignis_bis,
        quelle=zeile.art,
    )


def abdeckung_am(
    *,
    stichtag: dt.date | None = None,
    land: Land | int | None = None,
    leistung: Leistung | int | None = None,
    kreis: Kreis | int | None = None,
    je_kreis: bool = False,
    art: str | None = None,
    land_ids: set[int] | None = None,
) -> list[Kennzahl]:
    """The figures of the committed Land × service pairs (with ``kreis`` of that Kreis, with
    ``je_kreis`` of every Kreis), now (``stichtag`` None) or at the end of ``stichtag``.

    Stored figures are used when present (now: ``aktuell``; a day: ``art``, default
    ``taeglich``, i.e. the figures as they were frozen that night); otherwise they are
    computed (``quelle="berechnet"``). ``land_ids`` restricts to the Länder a user sees."""
    land_id, leistung_id, kreis_id = _id(land), _id(leistung), _id(kreis)
    art = art or (Abdeckungsstand.Art.AKTUELL if stichtag is None else Abdeckungsstand.Art.TAEGLICH)
    zeilen = Abdeckungsstand.objects.filter(art=art).select_related("land", "leistung", "kreis")
    if stichtag is not None:
        zeilen = zeilen.filter(stichtag=stichtag)
    if kreis_id is not None:
        zeilen = zeilen.filter(kreis_id=kreis_id)
    elif je_kreis:
        zeilen = zeilen.filter(kreis__isnull=False)
    else:
        zeilen = zeilen.filter(kreis__isnull=True)
    if land_id is not None:
        zeilen = zeilen.filter(land_id=land_id)
    if land_ids is not None:
        zeilen = zeilen.filter(land_id__in=land_ids)
    if leistung_id is not None:
        zeilen = zeilen.filter(leistung_id=leistung_id)
    gespeichert = list(zeilen.order_by("land__code", "leistung__ozg_id", "kreis__ars"))
    if gespeichert:
        stand_seit = (
            Verarbeitungsstand.objects.filter(pk=1)
            .values_list("aktualisiert_am", flat=True)
            .first()
        )
        return [_aus_zeile(z, stand_seit) for z in gespeichert]
    laender: set[int] | None = None
    if land_id is not None:
        laender = {land_id}
    if land_ids is not None:
        laender = (laender or set(land_ids)) & set(land_ids)
    kennzahlen = abdeckung_berechnen(
        stichtag=stichtag,
        land_ids=laender,
        leistung_ids=None if leistung_id is None else [leistung_id],
        je_kreis=je_kreis or kreis_id is not None,
    )
    if kreis_id is not None:
        kennzahlen = [k for k in kennzahlen if k.kreis_id == kreis_id]
    return sorted(kennzahlen, key=lambda k: (k.land_kurz, k.ozg_id, k.kreis_ars or ""))


@dataclass(frozen=True)
class GemeindeLeistung:
    """A committed service in one Gemeinde: who is responsible and whether it is usable."""

    leistung_id: int
    ozg_id: str
    leistung_name: str
    behoerde_id: int
    behoerde_name: str
    status: str
    blockiert: bool

    @property
    def nutzbar(self) -> bool:
        return regeln.ist_abgedeckt(self.status)


def gemeinde_abdeckung(
    *, gemeinde: Gemeinde, stichtag: dt.date | None = None
) -> list[GemeindeLeistung]:
    """The committed services of the Gemeinde's Land with the responsible authority and its
    status (now or at the end of ``stichtag``); ``nutzbar`` = covered (:data:`regeln.ABGEDECKT`).
    One query."""
    zeilen = (
        zustaendigkeiten_mit_status(stichtag=stichtag, land_ids=[gemeinde.land_id])
        .filter(gemeinde_id=gemeinde.pk)
        .order_by("leistung__ozg_id")
        .values_list(
            "leistung_id",
            "leistung__ozg_id",
            "leistung__kurzname",
            "behoerde_id",
            "behoerde__name",
            "st__status",
            "st__blockiert",
        )  # type: ignore[misc]  # "st" is the FilteredRelation annotated by the base query
    )
    return [
        GemeindeLeistung(l_id, ozg, name, b_id, b_name, status or Status.UNBEKANNT, bool(blk))
        for l_id, ozg, name, b_id, b_name, status, blk in zeilen
    ]


@dataclass(frozen=True)
class TrichterStufe:
    status: str
    bezeichnung: str
    anzahl: int
    gruppe: str  # "unbekannt", "noch_nicht_begonnen", "in_arbeit", "abgedeckt", "sonstige"


def _gruppe(status: str) -> str:
    if status == Status.UNBEKANNT:
        return "unbekannt"
    if status in regeln.NOCH_NICHT_BEGONNEN:
        return "noch_nicht_begonnen"
    if status in regeln.IN_ARBEIT:
        return "in_arbeit"
    if status in regeln.ABGEDECKT:
        return "abgedeckt"
    return "sonstige"


def phasen_trichter(
    *, land: Land | int, leistung: Leistung | int, stichtag: dt.date | None = None
) -> list[TrichterStufe]:
    """How many responsible authorities are in each status (order :data:`regeln.TRICHTER`);
    "unbekannt" and "noch nicht begonnen" (in Klärung, geplant) are separate steps."""
    kennzahlen = abdeckung_am(stichtag=stichtag, land=land, leistung=leistung)
    zaehlung: dict[str, int] = defaultdict(int)
    for k in kennzahlen:
        for status, n in k.status_zaehlung.items():
            zaehlung[status] += n
    labels = dict(Status.choices)
    return [
        TrichterStufe(s, str(labels[s]), zaehlung.get(s, 0), _gruppe(s))
        for s in regeln.TRICHTER
        if s != Status.NICHT_ZUSTAENDIG or zaehlung.get(s)
    ]


@dataclass(frozen=True)
class HuerdenZaehlung:
    """Open hurdles (distinct) by category and by owner; ``blockierend`` of them block."""

    stichtag: dt.date | None
    gesamt: int
    blockierend: int
    nach_kategorie: dict[str, int] = field(default_factory=dict)
    nach_verantwortlich: dict[str, int] = field(default_factory=dict)
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)


def huerden_zaehlung(
    *, land: Land | int | None = None, stichtag: dt.date | None = None
) -> HuerdenZaehlung:
    """Open hurdles (now: not resolved; on a day: recorded by then and not resolved by
    then, :mod:`abdeckung.regeln`) linked to records of ``land`` (or any), counted by
    category and owner. One query."""
    qs = Huerde.objects.all()
    if stichtag is None:
        qs = qs.exclude(stand=Huerde.Stand.GELOEST)
    else:
        qs = qs.filter(erfasst_am__lte=stichtag).filter(
            Q(geloest_am__isnull=True) | Q(geloest_am__gt=stichtag)
        )
    land_id = _id(land)
    if land_id is not None:
        verknuepft = Huerde.onboardings.through.objects.filter(
            huerde_id=OuterRef("pk"),
            onboarding__in=Onboarding.objects.filter(zusage__land_id=land_id),
        )
        qs = qs.filter(Exists(verknuepft))
    zeilen = list(
        qs.order_by()
        .values("kategorie", "verantwortlich")
        .annotate(n=Count("id"), b=Count("id", filter=Q(blockierend=True)))
    )
    nach_kategorie: dict[str, int] = defaultdict(int)
    nach_verantwortlich: dict[str, int] = defaultdict(int)
    matrix = {}
    for z in zeilen:
        nach_kategorie[z["kategorie"]] += z["n"]
        nach_verantwortlich[z["verantwortlich"]] += z["n"]
        matrix[(z["kategorie"], z["verantwortlich"])] = z["n"]
    return HuerdenZaehlung(
        stichtag=stichtag,
        gesamt=sum(z["n"] for z in zeilen),
        blockierend=sum(z["b"] for z in zeilen),
        nach_kategorie=dict(sorted(nach_kategorie.items(), key=lambda kv: (-kv[1], kv[0]))),
        nach_verantwortlich=dict(
            sorted(nach_verantwortlich.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        matrix=matrix,
    )


@dataclass(frozen=True)
class NationaleSumme:
    """Sums over the committed Länder for one service (``ozg_id`` None: all services, as
    authority × service pairs). Each authority belongs to one Land, so the sums are exact."""

    ozg_id: str | None
    leistung_name: str
    laender: int
    behoerden_live: int
    behoerden_gesamt: int
    gemeinden_live: int
    gemeinden_gesamt: int
    einwohner_live: int
    einwohner_gesamt: int
    berechnet_am: dt.datetime | None


def nationale_summen(*, stichtag: dt.date | None = None) -> list[NationaleSumme]:
    """National totals per service and over all services (last entry), now or on a day."""
    kennzahlen = abdeckung_am(stichtag=stichtag)
    gruppen: dict[str | None, list[Kennzahl]] = defaultdict(list)
    for k in kennzahlen:
        gruppen[k.ozg_id].append(k)
        gruppen[None].append(k)

    def summe(ozg_id: str | None, ks: list[Kennzahl]) -> NationaleSumme:
        stand = [k.berechnet_am for k in ks if k.berechnet_am]
        return NationaleSumme(
            ozg_id=ozg_id,
            leistung_name=ks[0].leistung_name if ozg_id else "alle Leistungen",
            laender=len({k.land_id for k in ks}),
            behoerden_live=sum(k.behoerden_live for k in ks),
            behoerden_gesamt=sum(k.behoerden_gesamt for k in ks),
            gemeinden_live=sum(k.gemeinden_live for k in ks),
            gemeinden_gesamt=sum(k.gemeinden_gesamt for k in ks),
            einwohner_live=sum(k.einwohner_live for k in ks),
            einwohner_gesamt=sum(k.einwohner_gesamt for k in ks),
            # The oldest "Stand" among the parts: the total is no fresher than that.
            berechnet_am=min(stand) if stand else None,
        )

    ergebnis = [summe(o, gruppen[o]) for o in sorted(o for o in gruppen if o is not None)]
    if kennzahlen:
        ergebnis.append(summe(None, gruppen[None]))
    return ergebnis


def heute() -> dt.date:
    return timezone.localdate()
