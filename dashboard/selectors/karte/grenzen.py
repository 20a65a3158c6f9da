"""The boundaries the coverage map is drawn on: :func:`grenzen_geojson` (a FeatureCollection,
feature ``id`` = ARS, coordinates rounded) and :func:`grenzen_bytes` (the same as gzip bytes
with an ETag, cached per :func:`grenzen_version`)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max

from dashboard.selectors.karte.modell import Ebene
from kommunen.models import Grenze, Land

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
