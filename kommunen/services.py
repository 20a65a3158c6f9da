"""Writes for the territory: the Gemeindeverzeichnis import and the boundary import.

``gemeindeverzeichnis_import`` applies one official GV100AD file. The first file fills the
tables; every later one is applied as a territorial change: records that vanished end with
``gueltig_bis`` (never deleted), new keys start with ``gueltig_ab``, renamings, mergers and
changed assignments are recorded as ``Gebietsaenderung`` rows of the new ``Gebietsstand``
(the comparison lives in :mod:`kommunen.gebietsabgleich`). Applying the same file again
changes nothing.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import connection, models, transaction

from kommunen import gv100ad
from kommunen.gebietsabgleich import (
    EBENEN,
    Abgleich,
    ImportErgebnis,
    Zaehler,
    zeilen_aktualisieren,
)
from kommunen.gv100ad import GemeindeverzeichnisFehler
from kommunen.models import Gemeinde, Grenze, Kreis, Land

__all__ = [
    "EBENEN",
    "GemeindeverzeichnisFehler",
    "ImportErgebnis",
    "Zaehler",
    "gemeindeverzeichnis_import",
    "grenzen_import",
]

# Boundaries per INSERT … ON CONFLICT statement (about 1 MB of GeoJSON each).
GRENZEN_BATCH = 1000

# --- Gemeindeverzeichnis ---------------------------------------------------------------


def gemeindeverzeichnis_import(
    *, path: Path | None = None, dry_run: bool = False
) -> ImportErgebnis:
    """Apply a GV100AD file (``.txt`` or the official ``.zip``); None = the shipped file.

    Raises :class:`GemeindeverzeichnisFehler` with every problem found when the file is bad
    or older than the newest Gebietsstand already applied; nothing is written then. With
    ``dry_run`` the same result is computed and everything is rolled back.
    """
    if path is None:
        path = settings.FIXTURES_DIR / "gv100ad" / "GV100AD3108.zip"
    verzeichnis = gv100ad.lesen(Path(path))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One import at a time; the lock ends with the transaction.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(b"gv100ad")])
        ergebnis = Abgleich(verzeichnis, dry_run=dry_run).ausfuehren()
        if dry_run:
            transaction.set_rollback(True)
    return ergebnis


# --- Boundaries ---------------------------------------------------------------------------


def grenzen_import(*, verzeichnis: Path | None = None) -> dict[str, int]:
    """Load the shipped boundary GeoJSONs into ``Grenze`` rows and ``lat``/``lon`` by key.

    Each feature whose key matches a Land / Kreis / Gemeinde upserts that unit's ``Grenze``
    (``quelle`` is the file's ``attribution``) and sets the unit's centroid. Running it
    again updates the same rows. Returns per layer how many features matched a row and how
    many did not (``gemeinden`` / ``gemeinden_ohne_treffer`` …).
    """
    if verzeichnis is None:
        verzeichnis = settings.FIXTURES_DIR / "geo"
    ebenen: Iterable[tuple[str, type[models.Model], str, str]] = (
        ("laender", Land, "code", "land"),
        ("kreise", Kreis, "ars", "kreis"),
        ("gemeinden", Gemeinde, "ars", "gemeinde"),
    )
    ergebnis: dict[str, int] = {}
    with transaction.atomic():
        for name, model, key_field, grenze_feld in ebenen:
            with gzip.open(Path(verzeichnis) / f"{name}.geojson.gz", "rb") as fh:
                collection = json.load(fh)
            quelle = str(collection.get("attribution", ""))
            ids = dict(model._default_manager.values_list(key_field, "pk"))
            mittelpunkte: list[models.Model] = []
            grenzen: list[Grenze] = []
            ohne = 0
            for feature in collection["features"]:
                props = feature["properties"]
                pk = ids.get(props["ars"])
                if pk is None:
                    ohne += 1
                    continue
                mittelpunkte.append(model(pk=pk, lat=props.get("lat"), lon=props.get("lon")))
                grenzen.append(
                    Grenze(
                        **{f"{grenze_feld}_id": pk},
                        geometrie=feature["geometry"],
                        quelle=quelle,
                    )
                )
            zeilen_aktualisieren(model, mittelpunkte, ["lat", "lon"])
            Grenze.objects.bulk_create(
                grenzen,
                batch_size=GRENZEN_BATCH,
                update_conflicts=True,
                unique_fields=[grenze_feld],
                update_fields=["geometrie", "quelle"],
            )
            ergebnis[name] = len(grenzen)
            ergebnis[f"{name}_ohne_treffer"] = ohne
    return ergebnis
