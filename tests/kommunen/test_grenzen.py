"""The boundary import: every unit gets its polygon, wound the way d3-geo/Plotly want it.

Boundaries live in their own table (``Grenze``) so that loading a Land, Kreis or Gemeinde,
directly or through ``select_related``, never reads the coordinates.
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from kommunen.models import Gemeinde, Grenze, Kreis, Land
from kommunen.services import grenzen_import
from leistungen.models import Zustaendigkeit


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace sum: positive for clockwise rings (x = lon to the right, y = lat up)."""
    return sum((x2 - x1) * (y2 + y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))


def _polygons(geometrie: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometrie["type"] == "Polygon":
        return [geometrie["coordinates"]]
    assert geometrie["type"] == "MultiPolygon"
    return geometrie["coordinates"]


def _grenzen_stand() -> set[tuple[Any, ...]]:
    return set(Grenze.objects.values_list("pk", "land_id", "kreis_id", "gemeinde_id", "quelle"))


@pytest.mark.django_db
def test_every_unit_gets_one_clockwise_boundary_and_a_reimport_changes_nothing() -> None:
    out = io.StringIO()
    call_command("import_grenzen", stdout=out)

    text = out.getvalue()
    assert "Länder: 16 Grenzen geladen, 0 ohne passenden Datensatz" in text
    assert "Kreise: 400 Grenzen geladen, 0 ohne passenden Datensatz" in text
    assert "Gemeinden: 10.949 Grenzen geladen, 0 ohne passenden Datensatz" in text
    assert Grenze.objects.filter(gemeinde__isnull=False).count() == 10_949
    assert Grenze.objects.filter(kreis__isnull=False).count() == 400
    assert Grenze.objects.filter(land__isnull=False).count() == 16
    assert Grenze.objects.count() == 10_949 + 400 + 16
    assert not Land.objects.filter(grenze__isnull=True).exists()
    assert not Kreis.objects.filter(grenze__isnull=True).exists()
    # Only the three uninhabited water pseudo-units have no polygon.
    assert sorted(Gemeinde.objects.filter(grenze__isnull=True).values_list("ags", flat=True)) == [
        "07000999",
        "10042999",
        "13000999",
    ]
    # The source is the attribution the shipped file carries.
    assert set(Grenze.objects.filter(land__isnull=False).values_list("quelle", flat=True)) == {
        "© GeoBasis-DE / BKG (2025), Daten verändert"
    }
    assert set(Grenze.objects.filter(gemeinde__isnull=False).values_list("quelle", flat=True)) == {
        "© GeoBasis-DE / BKG (2016, 2023), Daten verändert"
    }

    falsch_gewickelt = []
    for key, geometrie in Grenze.objects.values_list("pk", "geometrie").iterator(chunk_size=500):
        for polygon in _polygons(geometrie):
            if _signed_area(polygon[0]) <= 0:
                falsch_gewickelt.append(key)
            falsch_gewickelt.extend(key for hole in polygon[1:] if _signed_area(hole) >= 0)
    assert falsch_gewickelt == []

    pullach = Gemeinde.objects.get(ars="091840139139")
    assert pullach.lat == pytest.approx(48.06, abs=0.05)
    assert pullach.lon == pytest.approx(11.52, abs=0.05)
    assert pullach.grenze.geometrie["type"] in ("Polygon", "MultiPolygon")

    vorher = _grenzen_stand()
    ergebnis = grenzen_import()
    assert ergebnis["gemeinden"] == 10_949
    assert _grenzen_stand() == vorher
    assert Gemeinde.objects.get(ars="091840139139").lat == pullach.lat


def _layer(path: Path, features: list[dict[str, Any]], attribution: str = "Testquelle") -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(
            {"type": "FeatureCollection", "attribution": attribution, "features": features}, fh
        )


def _square(ars: str, *, lon: float = 10.0) -> dict[str, Any]:
    ring = [[lon, 50.0], [lon, 50.1], [lon + 0.1, 50.1], [lon + 0.1, 50.0], [lon, 50.0]]
    return {
        "type": "Feature",
        "properties": {"ars": ars, "name": ars, "lat": 50.05, "lon": lon + 0.05},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


@pytest.mark.django_db
def test_features_without_matching_unit_are_counted_not_loaded(tmp_path: Path) -> None:
    _layer(tmp_path / "laender.geojson.gz", [_square("09"), _square("99")])
    _layer(tmp_path / "kreise.geojson.gz", [_square("09184")])
    _layer(tmp_path / "gemeinden.geojson.gz", [_square("091840139139"), _square("000000000000")])

    ergebnis = grenzen_import(verzeichnis=tmp_path)

    assert ergebnis == {
        "laender": 1,
        "laender_ohne_treffer": 1,
        "kreise": 1,
        "kreise_ohne_treffer": 0,
        "gemeinden": 1,
        "gemeinden_ohne_treffer": 1,
    }
    pullach = Gemeinde.objects.select_related("grenze").get(ars="091840139139")
    assert pullach.grenze.geometrie == _square("x")["geometry"]
    assert pullach.grenze.quelle == "Testquelle"
    assert (pullach.lat, pullach.lon) == (50.05, 10.05)
    assert Grenze.objects.filter(gemeinde__isnull=False).count() == 1
    assert Grenze.objects.get(land__code="09").geometrie["type"] == "Polygon"
    assert Grenze.objects.get(kreis__ars="09184").kreis_id == pullach.kreis_id


@pytest.mark.django_db
def test_reimport_replaces_the_boundary_in_the_same_row(tmp_path: Path) -> None:
    for name in ("laender", "kreise"):
        _layer(tmp_path / f"{name}.geojson.gz", [])
    _layer(tmp_path / "gemeinden.geojson.gz", [_square("091840139139")], "alt")
    grenzen_import(verzeichnis=tmp_path)
    alt = Grenze.objects.get(gemeinde__ars="091840139139")

    _layer(tmp_path / "gemeinden.geojson.gz", [_square("091840139139", lon=11.0)], "neu")
    grenzen_import(verzeichnis=tmp_path)

    neu = Grenze.objects.get(gemeinde__ars="091840139139")
    assert neu.pk == alt.pk
    assert neu.quelle == "neu"
    assert neu.geometrie == _square("x", lon=11.0)["geometry"]
    assert Gemeinde.objects.get(ars="091840139139").lon == pytest.approx(11.05)


@pytest.mark.django_db
def test_a_boundary_belongs_to_exactly_one_unit() -> None:
    land = Land.objects.get(code="09")
    kreis = Kreis.objects.get(ars="09184")
    geometrie = _square("x")["geometry"]

    with pytest.raises(IntegrityError), transaction.atomic():
        Grenze.objects.create(geometrie=geometrie)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grenze.objects.create(land=land, kreis=kreis, geometrie=geometrie)
    Grenze.objects.create(kreis=kreis, geometrie=geometrie)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grenze.objects.create(kreis=kreis, geometrie=geometrie)
    assert Grenze.objects.filter(kreis=kreis).count() == 1


@pytest.mark.django_db
def test_loading_gemeinden_through_select_related_reads_no_geometry(tmp_path: Path) -> None:
    _layer(tmp_path / "laender.geojson.gz", [_square("09")])
    _layer(tmp_path / "kreise.geojson.gz", [_square("09184")])
    _layer(tmp_path / "gemeinden.geojson.gz", [_square("091840139139")])
    grenzen_import(verzeichnis=tmp_path)
    zustaendigkeiten = Zustaendigkeit.objects.filter(gemeinde__ars="091840139139").select_related(
        "gemeinde__land", "gemeinde__kreis__land", "behoerde__land", "behoerde__kreis"
    )

    assert "geometrie" not in str(zustaendigkeiten.query)
    with CaptureQueriesContext(connection) as queries:
        geladen = list(zustaendigkeiten)
        assert {z.gemeinde.kreis.land.code for z in geladen} == {"09"}
    assert geladen
    assert len(queries) == 1
    assert "geometrie" not in queries[0]["sql"]
