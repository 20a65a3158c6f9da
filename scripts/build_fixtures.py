"""Build the committed reference fixtures from the shared data folder (dev-time script).

Run once from the repository root::

    .venv/bin/python scripts/build_fixtures.py [--source ../shared/data]

It writes

* ``fixtures/gv100ad/GV100AD3108.zip``: a byte copy of the official Destatis ZIP (md5 checked);
* ``fixtures/geo/{laender,kreise,gemeinden}.geojson.gz``: the BKG boundary layers with every
  exterior ring rewound clockwise (d3-geo convention, the opposite of RFC 7946), properties
  reduced to ``ars``, ``name``, ``lat``, ``lon`` (from the matching CSV) and a top-level
  ``attribution`` member; gzip with ``mtime=0`` so that a rebuild is byte-identical;
* ``fixtures/ATTRIBUTION.md``: sources, licences and attribution strings.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

REPO = Path(__file__).resolve().parent.parent
GV100AD_ZIP = "GV100AD3108.zip"
GV100AD_MD5 = "8eeee95aacd265d2316e4642123fd825"

ATTRIBUTION_GV100AD = (
    "Gemeindeverzeichnis GV100AD, Stand 31.08.2025 – © Statistisches Bundesamt (Destatis), 2025"
)
ATTRIBUTION_BKG_2025 = "© GeoBasis-DE / BKG (2025), Daten verändert"
ATTRIBUTION_BKG_GEMEINDEN = "© GeoBasis-DE / BKG (2016, 2023), Daten verändert"

# layer name -> (source GeoJSON, key property there, CSV, CSV key column, decimals, attribution)
LAYERS: dict[str, tuple[str, str, str, str, int, str]] = {
    "laender": ("laender.geojson", "ags", "laender.csv", "code", 5, ATTRIBUTION_BKG_2025),
    "kreise": ("kreise.geojson", "ags", "kreise.csv", "ags", 4, ATTRIBUTION_BKG_2025),
    "gemeinden": (
        "gemeinden.geojson",
        "ars",
        "gemeinden.csv",
        "ars",
        4,
        ATTRIBUTION_BKG_GEMEINDEN,
    ),
}


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - checksum, not security


def _round_coords(coords: Any, ndigits: int) -> Any:
    if isinstance(coords[0], int | float):
        return [round(float(c), ndigits) for c in coords]
    return [_round_coords(c, ndigits) for c in coords]


def rewind_clockwise(geometry: dict[str, Any], ndigits: int) -> dict[str, Any]:
    """Exterior rings clockwise, holes counter-clockwise; coordinates rounded."""
    geom = shape(geometry)
    if isinstance(geom, Polygon):
        geom = orient(geom, sign=-1.0)
    elif isinstance(geom, MultiPolygon):
        geom = MultiPolygon([orient(part, sign=-1.0) for part in geom.geoms])
    else:
        raise ValueError(f"unexpected geometry type {geom.geom_type}")
    result = mapping(geom)
    return {"type": result["type"], "coordinates": _round_coords(result["coordinates"], ndigits)}


def _gzip_json(data: dict[str, Any], target: Path) -> None:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(raw)
    target.write_bytes(buffer.getvalue())


def build_layer(source: Path, target_dir: Path, layer: str) -> int:
    geojson_name, key_prop, csv_name, csv_key, ndigits, attribution = LAYERS[layer]
    with (source / csv_name).open(encoding="utf-8", newline="") as fh:
        rows = {row[csv_key]: row for row in csv.DictReader(fh)}
    collection = json.loads((source / geojson_name).read_text(encoding="utf-8"))
    features: list[dict[str, Any]] = []
    for feature in collection["features"]:
        key = feature["properties"][key_prop]
        row = rows.get(key)
        if row is None:
            raise SystemExit(f"{layer}: key {key} has no row in {csv_name}")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "ars": key,
                    "name": row["name"],
                    "lat": float(row["lat"]) if row["lat"] else None,
                    "lon": float(row["lon"]) if row["lon"] else None,
                },
                "geometry": rewind_clockwise(feature["geometry"], ndigits),
            }
        )
    features.sort(key=lambda f: f["properties"]["ars"])
    keys = [f["properties"]["ars"] for f in features]
    if len(keys) != len(set(keys)):
        raise SystemExit(f"{layer}: duplicate keys")
    _gzip_json(
        {"type": "FeatureCollection", "attribution": attribution, "features": features},
        target_dir / f"{layer}.geojson.gz",
    )
    return len(features)


ATTRIBUTION_MD = f"""# Reference data: sources, licences, attribution

The files in this folder are derived from the copies in the project's shared data folder
(`../shared/data/`, see its `README.md` and `build_notes.md` for the full provenance) by
`scripts/build_fixtures.py`. Rebuilding with that script is byte-identical.

## `gv100ad/{GV100AD_ZIP}`: Destatis Gemeindeverzeichnis (GV100AD), Gebietsstand 31.08.2025

* Byte copy of the official ZIP (Erscheinungsmonat Juli 2025; md5 `{GV100AD_MD5}`), containing
  `GV100AD_31082025.txt` (fixed-width, UTF-8 with BOM, CRLF, 220 characters per record),
  `Datensatzbeschreibung_GV100AD.pdf` and `Hinweise.txt`. Read by
  `python manage.py import_gemeindeverzeichnis`.
* Population: 31.12.2024 (Fortschreibung auf Basis Zensus 2022); area: 31.12.2023.
* Terms (text in the ZIP): "(c) Daten (im Auftrag der Herausgebergemeinschaft Statistische
  Ämter des Bundes und der Länder) Statistisches Bundesamt (Destatis), 2025.
  Vervielfältigung und Verbreitung, auch auszugsweise, mit Quellenangabe gestattet."
  Destatis' general terms: Datenlizenz Deutschland – Namensnennung – 2.0 (dl-de/by-2-0).
* Attribution: **"{ATTRIBUTION_GV100AD}"**

## `geo/laender.geojson.gz`, `geo/kreise.geojson.gz`: BKG VG250, Stand 01.01.2025

* Layers VG250_LAN and VG250_KRS (land parts only), WGS84, simplified with mapshaper
  (topology-preserving; 10 % of vertices for Länder, 15 % for Kreise), coordinates 5
  (Länder) and 4 (Kreise) decimals.
* Licence: Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0),
  https://www.govdata.de/dl-de/by-2-0
* Attribution: **"{ATTRIBUTION_BKG_2025}"** (link to https://www.bkg.bund.de on a web page).

## `geo/gemeinden.geojson.gz`: Gemeinde boundaries (BKG VG250, mixed vintage)

* BKG VG250-EW 31.12.2023 for all Länder except Bayern, BKG VG250 ≈ 2016 for Bayern, brought
  to the GV100AD 31.08.2025 key set by dissolving predecessor polygons into their successors
  (details in `../shared/data/build_notes.md`), simplified to 22 % of vertices, 4 decimals.
  10,949 features: every Satzart-60 record of the GV100AD except the three uninhabited water
  pseudo-units 07000999, 10042999 and 13000999.
* Good enough for choropleth maps, not for area statistics (use the official `flaeche_km2`).
* Licence: dl-de/by-2-0. Attribution: **"{ATTRIBUTION_BKG_GEMEINDEN}"**.

## How the GeoJSON fixtures were derived (`scripts/build_fixtures.py`)

* Every polygon ring is rewound with shapely `orient(polygon, sign=-1.0)`: exterior rings
  **clockwise**, holes counter-clockwise. This is the d3-geo/Plotly convention, the opposite of
  RFC 7946; with RFC 7946 winding a district would fill the whole map.
* Properties reduced to `ars` (2-digit Land key, 5-digit Kreis key, 12-digit Gemeinde ARS),
  `name` (official name from the CSV tables), `lat`/`lon` (centroid from `laender.csv`,
  `kreise.csv`, `gemeinden.csv`, computed on the unsimplified polygon in ETRS89-LAEA).
* Each FeatureCollection carries its attribution string in a top-level `attribution` member.
* Features sorted by key; compact JSON; gzip with `mtime=0` and no file name in the header.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=REPO.parent / "shared" / "data",
        help="shared data folder (default: ../shared/data relative to the repository)",
    )
    args = parser.parse_args(argv)
    source: Path = args.source.resolve()
    fixtures = REPO / "fixtures"

    zip_source = source / "source" / GV100AD_ZIP
    if _md5(zip_source) != GV100AD_MD5:
        raise SystemExit(f"{zip_source}: md5 differs from {GV100AD_MD5}")
    (fixtures / "gv100ad").mkdir(parents=True, exist_ok=True)
    zip_target = fixtures / "gv100ad" / GV100AD_ZIP
    shutil.copyfile(zip_source, zip_target)
    if _md5(zip_target) != GV100AD_MD5:
        raise SystemExit(f"{zip_target}: copy differs")
    print(f"{zip_target.relative_to(REPO)}: md5 {GV100AD_MD5}")

    (fixtures / "geo").mkdir(parents=True, exist_ok=True)
    for layer in LAYERS:
        count = build_layer(source, fixtures / "geo", layer)
        target = fixtures / "geo" / f"{layer}.geojson.gz"
        print(f"{target.relative_to(REPO)}: {count} features, {target.stat().st_size:,} bytes")

    (fixtures / "ATTRIBUTION.md").write_text(ATTRIBUTION_MD, encoding="utf-8")
    print("fixtures/ATTRIBUTION.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
