"""The areas of the coverage map (Kreise or Gemeinden) with their figures and classes:
:func:`karte_daten` builds one :class:`~dashboard.selectors.karte.modell.Karte`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from abdeckung import regeln
from abdeckung.selectors import abdeckung_am
from abdeckung.services import Kennzahl, Zahl, zustaendigkeiten_mit_status
from dashboard.figuren import stil
from dashboard.figuren.stil import Klasse
from dashboard.selectors.karte.modell import METRIKEN, Ebene, Gebiet, Karte, Metrik, Zustaendig
from kommunen.models import Gemeinde, Kreis, Land
from leistungen.models import Leistung, Zustaendigkeit
from onboarding.models import Status

_NACH_EBENE: dict[str, str] = {"kreis": "nach Kreisen", "gemeinde": "nach Gemeinden"}

_STATUS_TEXT = dict(Status.choices)
_KREIS_TYP_TEXT = dict(Kreis.Typ.choices)


def _kreis_bezeichnung(name: str, typ: str) -> str:
    """:attr:`kommunen.models.Kreis.bezeichnung` from the two values ("Landkreis München"
    beside the city "München"); ``get_typ_display`` costs ~0.3 ms per call, too much for
    every Kreis of a map."""
    if typ in (Kreis.Typ.LANDKREIS, Kreis.Typ.KREIS) and not any(
        wort in name.casefold() for wort in ("kreis", "region")
    ):
        return f"{_KREIS_TYP_TEXT[typ]} {name}"
    return name


# --- classes -------------------------------------------------------------------------------


def _klasse(
    *, metrik: str, zahlen: dict[str, Zahl], live: int, unbekannt: int, gesamt: int
) -> Klasse:
    """The class of an area. ``unbekannt``: nothing is known about any responsible authority
    (all of them "unbekannt" or without a record) and none is covered. A metric without a
    denominator here (a gemeindefreies Gebiet has no Gemeinde, an uninhabited one no
    inhabitants) falls back to the authorities: the colour says whether the one
    responsible authority is connected."""
    zahl = zahlen[metrik]
    if not zahl.nenner and zahlen["behoerden"].nenner:
        zahl = zahlen["behoerden"]
    if live == 0 and gesamt and unbekannt >= gesamt:
        return stil.klasse(None, zahl.nenner)
    return stil.klasse(zahl.zaehler, zahl.nenner)


def _url_vorlage(name: str) -> tuple[str, str]:
    """The page URL around an ARS, resolved once (thousands of areas per map)."""
    platzhalter = "ARSPLATZHALTER"
    url = reverse(name, args=[platzhalter])
    vorne, _, hinten = url.partition(platzhalter)
    return vorne, hinten


# --- the map -------------------------------------------------------------------------------


def karte_daten(
    *,
    ebene: Ebene,
    land: Land | None,
    leistung: Leistung | None,
    metrik: Metrik = "bevoelkerung",
    stichtag: dt.date | None = None,
    art: str | None = None,
    land_ids: set[int] | None = None,
    piloten: bool = False,
) -> Karte:
    """The coverage map of Germany by Kreis (``land`` None) or of one Land by Kreis or
    Gemeinde, for one service or all committed services (``leistung`` None), coloured by
    ``metrik``; now (``stichtag`` None) or at the end of ``stichtag`` (``art`` as in
    :func:`abdeckung.selectors.abdeckung_am`). Areas of Länder outside ``land_ids`` (None =
    all) are "nicht freigegeben": no figures, no authority, no link. ``piloten``: mark the
    areas served by a pilot authority."""
    if metrik not in METRIKEN:
        raise ValueError(f"Unbekannte Metrik {metrik!r}.")
    if ebene == "gemeinde" and land is None:
        raise ValueError("Die Gemeindekarte gibt es je Land.")
    if ebene == "kreis":
        gebiete, stand, mit_zahlen = _kreis_gebiete(
            land=land,
            leistung=leistung,
            metrik=metrik,
            stichtag=stichtag,
            art=art,
            land_ids=land_ids,
            piloten=piloten,
        )
    elif ebene == "gemeinde":
        assert land is not None
        gebiete, stand, mit_zahlen = _gemeinde_gebiete(
            land=land,
            leistung=leistung,
            metrik=metrik,
            stichtag=stichtag,
            land_ids=land_ids,
            piloten=piloten,
        )
    else:
        raise ValueError(f"Unbekannte Ebene {ebene!r}.")
    was = leistung.kurzname if leistung else "alle zugesagten Leistungen"
    wo = land.name if land else "Deutschland"
    titel = (
        f"{was[:1].upper()}{was[1:]}: Abdeckung nach {METRIKEN[metrik]} – {wo} {_NACH_EBENE[ebene]}"
    )
    hinweise = []
    if not mit_zahlen:
        if leistung is not None:
            hinweise.append(
                f"{wo} hat {leistung.kurzname} nicht zugesagt."
                if land
                else f"Kein Land hat {leistung.kurzname} zugesagt."
            )
        else:
            hinweise.append(f"{wo} hat keine Leistung zugesagt." if land else "Keine Zusagen.")
    return Karte(
        ebene=ebene,
        land=land,
        leistung=leistung,
        metrik=metrik,
        stichtag=stichtag,
        art=art,
        titel=titel,
        stand=stand,
        gebiete=tuple(gebiete),
        piloten=piloten,
        laender_mit_zahlen=tuple(sorted(mit_zahlen)),
        hinweise=tuple(hinweise),
    )


def _zustaendig_text(anzahl: int, name: str) -> str:
    return name if anzahl == 1 else f"{anzahl} Behörden"


def _zahlen(
    behoerden: tuple[int, int], gemeinden: tuple[int, int], bevoelkerung: tuple[int, int]
) -> dict[str, Zahl]:
    return {
        "behoerden": Zahl(*behoerden),
        "gemeinden": Zahl(*gemeinden),
        "bevoelkerung": Zahl(*bevoelkerung),
    }


def _kreis_gebiete(
    *,
    land: Land | None,
    leistung: Leistung | None,
    metrik: str,
    stichtag: dt.date | None,
    art: str | None,
    land_ids: set[int] | None,
    piloten: bool,
) -> tuple[list[Gebiet], dt.datetime | None, set[str]]:
    """Kreise: the engine's figures per Kreis × service, summed over the services shown.
    Four queries (Kreise, stored figures and their "Stand", responsible authorities)."""
    tag = stichtag or timezone.localdate()
    kreise = Kreis.objects.gueltig_am(tag).order_by("ars")
    if land is not None:
        kreise = kreise.filter(land=land)
    zeilen = list(kreise.values_list("pk", "ars", "name", "typ", "land_id", "land__kurz"))
    kennzahlen = abdeckung_am(
        stichtag=stichtag,
        art=art,
        land=land,
        leistung=leistung,
        je_kreis=True,
        land_ids=land_ids,
    )
    je_kreis: dict[int, list[Kennzahl]] = defaultdict(list)
    for k in kennzahlen:
        if k.kreis_id is not None:
            je_kreis[k.kreis_id].append(k)
    # Who is responsible per Kreis × service (one authority by name, else how many), and
    # whether a pilot authority serves a Gemeinde of the Kreis.
    zustaendig: dict[int, list[tuple[str, Zustaendig]]] = defaultdict(list)
    pilot_kreise: set[int] = set()
    if kennzahlen:
        qs = Zustaendigkeit.objects.gueltig_am(tag).filter(
            Q(gemeinde__gueltig_ab__isnull=True) | Q(gemeinde__gueltig_ab__lte=tag),
            Q(gemeinde__gueltig_bis__isnull=True) | Q(gemeinde__gueltig_bis__gte=tag),
            gemeinde__land_id__in={k.land_id for k in kennzahlen},
            leistung_id__in={k.leistung_id for k in kennzahlen},
            gemeinde__kreis__isnull=False,
        )
        for kreis_id, ozg, kurzname, anzahl, name, pilot in (
            qs.order_by()
            .values("gemeinde__kreis_id", "leistung_id")
            .annotate(
                ozg=Min("leistung__ozg_id"),
                kurzname=Min("leistung__kurzname"),
                anzahl=Count("behoerde_id", distinct=True),
                name=Min("behoerde__name"),
                pilot=Count("id", filter=Q(behoerde__ist_pilot=True)),
            )
            .values_list("gemeinde__kreis_id", "ozg", "kurzname", "anzahl", "name", "pilot")
        ):
            zustaendig[kreis_id].append((ozg, Zustaendig(kurzname, _zustaendig_text(anzahl, name))))
            if pilot:
                pilot_kreise.add(kreis_id)
    vorne, hinten = _url_vorlage("kommunen:kreis")
    gebiete: list[Gebiet] = []
    mit_zahlen: set[str] = set()
    for pk, ars, name, typ, land_id, land_kurz in zeilen:
        anzeigename = _kreis_bezeichnung(name, typ)
        if land_ids is not None and land_id not in land_ids:
            gebiete.append(
                Gebiet(
                    ars=ars,
                    name=anzeigename,
                    land_kurz=land_kurz,
                    klasse=stil.KLASSE_NICHT_FREIGEGEBEN,
                    freigegeben=False,
                )
            )
            continue
        ks = je_kreis.get(pk, [])
        url = f"{vorne}{ars}{hinten}"
        if not ks:
            gebiete.append(
                Gebiet(
                    ars=ars,
                    name=anzeigename,
                    land_kurz=land_kurz,
                    klasse=stil.KLASSE_NICHT,
                    url=url,
                )
            )
            continue
        mit_zahlen.add(land_kurz)
        zahlen = _zahlen(
            (sum(k.behoerden_live for k in ks), sum(k.behoerden_gesamt for k in ks)),
            (sum(k.gemeinden_live for k in ks), sum(k.gemeinden_gesamt for k in ks)),
            (sum(k.einwohner_live for k in ks), sum(k.einwohner_gesamt for k in ks)),
        )
        unbekannt = sum(k.status_zaehlung.get(Status.UNBEKANNT, 0) for k in ks)
        gebiete.append(
            Gebiet(
                ars=ars,
                name=anzeigename,
                land_kurz=land_kurz,
                klasse=_klasse(
                    metrik=metrik,
                    zahlen=zahlen,
                    live=zahlen["behoerden"].zaehler,
                    unbekannt=unbekannt,
                    gesamt=zahlen["behoerden"].nenner,
                ),
                behoerden=zahlen["behoerden"],
                gemeinden=zahlen["gemeinden"],
                bevoelkerung=zahlen["bevoelkerung"],
                leistungen=Zahl(
                    sum(1 for k in ks if k.behoerden_gesamt and k.behoerden.flaechendeckend),
                    len(ks),
                ),
                zustaendig=tuple(z for _, z in sorted(zustaendig.get(pk, []), key=lambda t: t[0])),
                blockiert=sum(k.blockiert for k in ks),
                url=url,
                pilot=piloten and pk in pilot_kreise,
            )
        )
    stand = min((k.berechnet_am for k in kennzahlen if k.berechnet_am), default=None)
    return gebiete, stand, mit_zahlen


def _gemeinde_gebiete(
    *,
    land: Land,
    leistung: Leistung | None,
    metrik: str,
    stichtag: dt.date | None,
    land_ids: set[int] | None,
    piloten: bool,
) -> tuple[list[Gebiet], dt.datetime | None, set[str]]:
    """Gemeinden (and gemeindefreie Gebiete) of one Land: the responsible authority of
    each committed service and its status, from the one base query of the coverage engine.
    Two queries."""
    tag = stichtag or timezone.localdate()
    jetzt = timezone.now()
    zeilen = list(
        Gemeinde.objects.gueltig_am(tag)
        .filter(land=land)
        .order_by("ars")
        .values_list("pk", "ars", "name", "typ", "einwohner", "kreis__name", "kreis__typ")
    )
    freigegeben = land_ids is None or land.pk in land_ids
    je_gemeinde: dict[int, list[tuple[str, str, str, bool, str | None, bool]]] = defaultdict(list)
    zustaendige: dict[tuple[str, str], Zustaendig] = {}
    if freigegeben:
        qs = zustaendigkeiten_mit_status(stichtag=stichtag, land_ids=[land.pk])
        if leistung is not None:
            qs = qs.filter(leistung_id=leistung.pk)
        for gemeinde_id, ozg, kurzname, behoerde, pilot, status, blockiert in qs.values_list(
            "gemeinde_id",
            "leistung__ozg_id",
            "leistung__kurzname",
            "behoerde__name",
            "behoerde__ist_pilot",
            "st__status",
            "st__blockiert",
        ):  # type: ignore[misc]  # "st" is the FilteredRelation of the base query
            je_gemeinde[gemeinde_id].append(
                (ozg, kurzname, behoerde, bool(pilot), status, bool(blockiert))
            )
            if (kurzname, behoerde) not in zustaendige:
                # One object per authority × service: a Landratsamt serves dozens of Gemeinden.
                zustaendige[(kurzname, behoerde)] = Zustaendig(kurzname, behoerde)
    vorne, hinten = _url_vorlage("kommunen:gemeinde")
    gebiete: list[Gebiet] = []
    mit_zahlen: set[str] = set()
    for pk, ars, name, typ, einwohner, kreis_name, kreis_typ in zeilen:
        if kreis_name and kreis_typ not in (Kreis.Typ.KREISFREIE_STADT, Kreis.Typ.STADTKREIS):
            anzeigename = f"{name} ({_kreis_bezeichnung(kreis_name, kreis_typ)})"
        else:
            anzeigename = name
        if not freigegeben:
            gebiete.append(
                Gebiet(
                    ars=ars,
                    name=anzeigename,
                    land_kurz=land.kurz,
                    klasse=stil.KLASSE_NICHT_FREIGEGEBEN,
                    freigegeben=False,
                )
            )
            continue
        url = f"{vorne}{ars}{hinten}"
        dienste = sorted(je_gemeinde.get(pk, []))
        if not dienste:
            gebiete.append(
                Gebiet(
                    ars=ars,
                    name=anzeigename,
                    land_kurz=land.kurz,
                    klasse=stil.KLASSE_NICHT,
                    url=url,
                )
            )
            continue
        mit_zahlen.add(land.kurz)
        gemeindefrei = typ in Gemeinde.GEMEINDEFREI_TYPEN
        n = len(dienste)
        live = sum(1 for d in dienste if regeln.ist_abgedeckt(d[4]))
        unbekannt = sum(1 for d in dienste if d[4] in (None, Status.UNBEKANNT))
        zahlen = _zahlen(
            (live, n),
            (0, 0) if gemeindefrei else (live, n),
            (live * einwohner, n * einwohner),
        )
        status = ""
        if leistung is not None:
            status = str(_STATUS_TEXT.get(dienste[0][4] or Status.UNBEKANNT, ""))
            if dienste[0][5]:
                status += " (blockiert)"
        gebiete.append(
            Gebiet(
                ars=ars,
                name=anzeigename,
                land_kurz=land.kurz,
                klasse=_klasse(
                    metrik=metrik, zahlen=zahlen, live=live, unbekannt=unbekannt, gesamt=n
                ),
                behoerden=zahlen["behoerden"],
                gemeinden=zahlen["gemeinden"],
                bevoelkerung=zahlen["bevoelkerung"],
                leistungen=Zahl(live, n),
                zustaendig=tuple(zustaendige[(d[1], d[2])] for d in dienste),
                status=status,
                blockiert=sum(1 for d in dienste if d[5]),
                url=url,
                pilot=piloten and any(d[3] for d in dienste),
            )
        )
    return gebiete, (jetzt if stichtag is None else None), mit_zahlen
