"""The boundary import: every unit gets its polygon, wound the way d3-geo/Plotly want it."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from kommunen.models import Gemeinde, Kreis, Land
from kommunen.services import grenzen_import


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace sum: positive for clockwise rings (x = lon to the right, y = lat up)."""
    return sum((x2 - x1) * (y2 + y1) for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False))


def _polygons(geometrie: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometrie["type"] == "Polygon":
        return [geometrie["coordinates"]]
    assert geometrie["type"] == "MultiPolygon"
    return geometrie["coordinates"]


@pytest.mark.django_db
def test_boundaries_are_loaded_for_every_unit_with_clockwise_exterior_rings() -> None:
    out = io.StringIO()
    call_command("import_grenzen", stdout=out)

    text = out.getvalue()
    assert "Länder: 16 Grenzen geladen, 0 ohne passenden Datensatz" in text
    assert "Kreise: 400 Grenzen geladen, 0 ohne passenden Datensatz" in text
    assert "Gemeinden: 10.949 Grenzen geladen, 0 ohne passenden Datensatz" in text
    assert Gemeinde.objects.filter(geometrie__isnull=False).count() == 10_949
    assert Kreis.objects.filter(geometrie__isnull=False).count() == 400
    assert Land.objects.filter(geometrie__isnull=False).count() == 16
    # Only the three uninhabited water pseudo-units have no polygon.
    assert sorted(
        Gemeinde.objects.filter(geometrie__isnull=True).values_list("ags", flat=True)
    ) == [
        "07000999",
        "10042999",
        "13000999",
    ]

    falsch_gewickelt = []
    for model in (Land, Kreis, Gemeinde):
        for key, geometrie in model.objects.exclude(geometrie__isnull=True).values_list(
            "pk", "geometrie"
        ):
            for polygon in _polygons(geometrie):
                if _signed_area(polygon[0]) <= 0:
                    falsch_gewickelt.append((model.__name__, key))
                falsch_gewickelt.extend(
                    (model.__name__, key) for hole in polygon[1:] if _signed_area(hole) >= 0
                )
    assert falsch_gewickelt == []

    pullach = Gemeinde.objects.get(ars="091840139139")
    assert pullach.lat == pytest.approx(48.06, abs=0.05)
    assert pullach.lon == pytest.approx(11.52, abs=0.05)


def _layer(path: Path, features: list[dict[str, Any]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh)


def _square(ars: str) -> dict[str, Any]:
    ring = [[10.0, 50.0], [10.0, 50.1], [10.1, 50.1], [10.1, 50.0], [10.0, 50.0]]
    return {
        "type": "Feature",
        "properties": {"ars": ars, "name": ars, "lat": 50.05, "lon": 10.05},
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
    pullach = Gemeinde.objects.get(ars="091840139139")
    assert pullach.geometrie == _square("x")["geometry"]
    assert (pullach.lat, pullach.lon) == (50.05, 10.05)
    assert Gemeinde.objects.filter(geometrie__isnull=False).count() == 1
    assert Land.objects.get(code="09").geometrie["type"] == "Polygon"
