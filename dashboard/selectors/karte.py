"""Reads for the coverage map (issue #5): the figures of every area (Kreis or Gemeinde) and
the boundaries the browser draws them on.

* :func:`karte_daten` – one :class:`Karte`: per area the honest class
  (:func:`dashboard.figuren.stil.klasse`), the three numbers, the responsible authority and
  the page it links to. Kreise read the coverage engine's figures per Kreis
  (:func:`abdeckung.selectors.abdeckung_am`), Gemeinden the resolved responsibilities with
  the status of their authority (:func:`abdeckung.services.zustaendigkeiten_mit_status`),
  both in a fixed number of queries.
* :func:`grenzen_geojson` / :func:`grenzen_bytes` – the boundaries as a FeatureCollection
  (feature ``id`` = ARS), coordinates rounded and cached as gzip bytes.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone

from abdeckung import regeln
from abdeckung.selectors import abdeckung_am
from abdeckung.services import Kennzahl, Zahl, zustaendigkeiten_mit_status
from dashboard.figuren import stil
from dashboard.figuren.stil import Klasse
from kommunen.models import Gemeinde, Grenze, Kreis, Land
from leistungen.models import Leistung, Zusage, Zustaendigkeit
from onboarding.models import Status

Ebene = Literal["kreis", "gemeinde"]
Metrik = Literal["behoerden", "gemeinden", "bevoelkerung"]

#: The metrics the map can be coloured by, in the order of the filter.
METRIKEN: dict[str, str] = {
    "bevoelkerung": "Bevölkerung",
    "gemeinden": "Gemeinden",
    "behoerden": "Behörden",
}
EBENEN: dict[str, str] = {"kreis": "Kreise", "gemeinde": "Gemeinden"}
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


@dataclass(frozen=True)
class Zustaendig:
    """Who is responsible for one service in an area: one authority by name, or a count."""

    leistung: str
    text: str


@dataclass(frozen=True)
class Gebiet:
    """One area of the map (a Kreis or a Gemeinde) with its figures.

    With one service the three numbers are those of the coverage definitions
    (:mod:`abdeckung.regeln`) for the area; with all committed services they are summed
    over the services (authority × service, Gemeinde × service, inhabitant × service), so
    100 % means every committed service is usable everywhere in the area. ``leistungen``:
    how many of the committed services are usable in the whole area. Areas the user may not
    see (``freigegeben`` False) carry no figures at all."""

    ars: str
    name: str
    land_kurz: str
    klasse: Klasse
    behoerden: Zahl | None = None
    gemeinden: Zahl | None = None
    bevoelkerung: Zahl | None = None
    leistungen: Zahl | None = None
    zustaendig: tuple[Zustaendig, ...] = ()
    status: str = ""
    blockiert: int = 0
    url: str | None = None
    freigegeben: bool = True
    pilot: bool = False

    def zahl(self, metrik: str) -> Zahl | None:
        return {
            "behoerden": self.behoerden,
            "gemeinden": self.gemeinden,
            "bevoelkerung": self.bevoelkerung,
        }[metrik]


@dataclass(frozen=True)
class Karte:
    """Everything the map, its legend and its table show; built by :func:`karte_daten`."""

    ebene: str
    land: Land | None
    leistung: Leistung | None
    metrik: str
    stichtag: dt.date | None
    art: str | None
    titel: str
    stand: dt.datetime | None
    gebiete: tuple[Gebiet, ...]
    piloten: bool = False
    #: Länder (kurz) whose figures the map shows: committed and visible.
    laender_mit_zahlen: tuple[str, ...] = ()
    hinweise: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ebene_text(self) -> str:
        return EBENEN[self.ebene]

    @property
    def metrik_text(self) -> str:
        return METRIKEN[self.metrik]

    @property
    def legende(self) -> list[tuple[Klasse, int]]:
        """Every class that occurs, in legend order, with its number of areas."""
        zaehlung: dict[str, int] = defaultdict(int)
        for g in self.gebiete:
            zaehlung[g.klasse.schluessel] += 1
        return [(k, zaehlung[k.schluessel]) for k in stil.KLASSEN_KARTE if zaehlung[k.schluessel]]

    @property
    def anzahl_piloten(self) -> int:
        return sum(1 for g in self.gebiete if g.pilot)

    @property
    def mit_zahlen(self) -> bool:
        return any(g.freigegeben and g.behoerden is not None for g in self.gebiete)


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


# --- boundaries ----------------------------------------------------------------------------

#: Decimal places of the coordinates: ~70 m for the national Kreis map (about 1 km per
#: screen pixel), ~7 m for the maps of one Land.
NACHKOMMA_NATIONAL = 3
NACHKOMMA_LAND = 4
GRENZEN_CACHE_SEKUNDEN = 24 * 3600


def _flaeche(ring: list[list[float]]) -> float:
    """Shoelace sum: positive for clockwise rings (x = lon, y = lat)."""
    return sum((x2 - x1) * (y2 + y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))


def _ring_runden(ring: Iterable[list[float]], nachkomma: int) -> list[list[float]]:
    ergebnis: list[list[float]] = []
    for x, y in ring:
        punkt = [round(x, nachkomma), round(y, nachkomma)]
        if not ergebnis or punkt != ergebnis[-1]:
            ergebnis.append(punkt)
    return ergebnis


def _geometrie_runden(geometrie: dict[str, Any], nachkomma: int) -> dict[str, Any] | None:
    """Round the coordinates and drop repeated points. A ring that collapses (fewer than
    four points) or whose winding flips when rounded (a sliver of a few metres) is dropped:
    d3-geo would read a flipped exterior ring as "everything but this" and fill the map."""
    polygone = (
        [geometrie["coordinates"]] if geometrie["type"] == "Polygon" else geometrie["coordinates"]
    )
    neu = []
    for polygon in polygone:
        aussen = _ring_runden(polygon[0], nachkomma)
        # Exterior rings clockwise (positive), holes counter-clockwise (negative).
        if len(aussen) < 4 or _flaeche(aussen) <= 0:
            continue
        ringe = [aussen]
        for loch in polygon[1:]:
            gerundet = _ring_runden(loch, nachkomma)
            if len(gerundet) >= 4 and _flaeche(gerundet) < 0:
                ringe.append(gerundet)
        neu.append(ringe)
    if not neu:
        return None
    if len(neu) == 1:
        return {"type": "Polygon", "coordinates": neu[0]}
    return {"type": "MultiPolygon", "coordinates": neu}


def _features(grenzen: Iterable[tuple[str, dict[str, Any]]], nachkomma: int) -> list[dict]:
    features = []
    for schluessel, geometrie in grenzen:
        gerundet = _geometrie_runden(geometrie, nachkomma)
        if gerundet is not None:
            features.append({"type": "Feature", "id": schluessel, "geometry": gerundet})
    return features


def grenzen_geojson(*, ebene: Ebene, land: Land | None) -> dict[str, Any]:
    """The boundaries for :func:`karte_daten`'s areas as a FeatureCollection, feature ``id``
    = ARS, no properties (hover texts come with the figure). Kreise of Germany (``land``
    None) come with the Länder (``id`` = Land code) for their outlines, Gemeinden of a
    Land with its Kreise. Coordinates rounded (:data:`NACHKOMMA_NATIONAL`,
    :data:`NACHKOMMA_LAND`)."""
    if ebene == "kreis":
        nachkomma = NACHKOMMA_NATIONAL if land is None else NACHKOMMA_LAND
        flaechen = Grenze.objects.filter(kreis__isnull=False)
        if land is not None:
            flaechen = flaechen.filter(kreis__land=land)
        teile = list(flaechen.order_by("kreis__ars").values_list("kreis__ars", "geometrie"))
        if land is None:
            teile += list(
                Grenze.objects.filter(land__isnull=False)
                .order_by("land__code")
                .values_list("land__code", "geometrie")
            )
    elif ebene == "gemeinde":
        if land is None:
            raise ValueError("Gemeindegrenzen gibt es je Land.")
        nachkomma = NACHKOMMA_LAND
        teile = list(
            Grenze.objects.filter(gemeinde__land=land)
            .order_by("gemeinde__ars")
            .values_list("gemeinde__ars", "geometrie")
        )
        teile += list(
            Grenze.objects.filter(kreis__land=land)
            .order_by("kreis__ars")
            .values_list("kreis__ars", "geometrie")
        )
    else:
        raise ValueError(f"Unbekannte Ebene {ebene!r}.")
    return {"type": "FeatureCollection", "features": _features(teile, nachkomma)}


@dataclass(frozen=True)
class GrenzenDatei:
    """The serialized boundaries: gzip bytes and their ETag."""

    etag: str
    gzip: bytes

    @property
    def roh(self) -> bytes:
        return gzip.decompress(self.gzip)


def grenzen_version() -> str:
    """A cheap fingerprint of the stored boundaries (one query): changes when boundaries
    are imported again or a newer Gebietsstand adds or removes units."""
    werte = Grenze.objects.aggregate(n=Count("id"), m=Max("id"))
    return f"{werte['n']}-{werte['m']}"


def grenzen_etag(*, ebene: str, gebiet: str, version: str) -> str:
    return '"' + hashlib.sha256(f"{ebene}/{gebiet}/{version}".encode()).hexdigest()[:24] + '"'


def grenzen_bytes(*, ebene: Ebene, land: Land | None, version: str | None = None) -> GrenzenDatei:
    """:func:`grenzen_geojson` serialized and gzipped, cached (Django cache) per boundary
    version: built once, then served from the cache."""
    version = version or grenzen_version()
    gebiet = land.code if land else "de"
    schluessel = f"karte:grenzen:v1:{ebene}:{gebiet}:{version}"
    datei = cache.get(schluessel)
    if isinstance(datei, GrenzenDatei):
        return datei
    roh = json.dumps(
        grenzen_geojson(ebene=ebene, land=land), separators=(",", ":"), ensure_ascii=False
    ).encode()
    datei = GrenzenDatei(
        etag=grenzen_etag(ebene=ebene, gebiet=gebiet, version=version),
        gzip=gzip.compress(roh, compresslevel=6, mtime=0),
    )
    cache.set(schluessel, datei, GRENZEN_CACHE_SEKUNDEN)
    return datei


def zugesagte_leistungen(*, land_ids: set[int] | None) -> list[Leistung]:
    """Services committed by at least one of the Länder (None = any), by OZG-ID."""
    zusagen = Zusage.objects.all()
    if land_ids is not None:
        zusagen = zusagen.filter(land_id__in=land_ids)
    return list(Leistung.objects.filter(pk__in=zusagen.values("leistung_id")).order_by("ozg_id"))


def daten_version() -> str:
    """A fingerprint of everything the map's figures are computed from, in one query: the
    newest audit event (every status change writes one), the last coverage run (stored
    figures), the resolved responsibilities, commitments and the Gebietsstand. A page cache
    keyed by it is invalidated by the next change."""
    from abdeckung.models import Verarbeitungsstand
    from audit.models import Ereignis
    from kommunen.models import Gebietsstand

    tabellen = {
        "ereignis": Ereignis._meta.db_table,
        "stand": Verarbeitungsstand._meta.db_table,
        "zustaendigkeit": Zustaendigkeit._meta.db_table,
        "zusage": Zusage._meta.db_table,
        "gebietsstand": Gebietsstand._meta.db_table,
    }
    q = {k: connection.ops.quote_name(v) for k, v in tabellen.items()}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {q['ereignis']}),"  # noqa: S608  # table names only
            f" (SELECT MAX(aktualisiert_am) FROM {q['stand']}),"
            f" (SELECT COUNT(*) FROM {q['zustaendigkeit']}),"
            f" (SELECT MAX(id) FROM {q['zustaendigkeit']}),"
            f" (SELECT COUNT(*) FROM {q['zusage']}),"
            f" (SELECT MAX(id) FROM {q['gebietsstand']})"
        )
        zeile = cursor.fetchone()
    return "|".join(str(w) for w in zeile or ())
