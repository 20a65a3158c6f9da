"""Load the shipped boundary GeoJSONs (fixtures/geo) as Grenze rows of Länder/Kreise/Gemeinden."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kommunen.services import grenzen_import


class Command(BaseCommand):
    help = "Lädt die Grenzen (fixtures/geo/*.geojson.gz) in Länder, Kreise und Gemeinden."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--verzeichnis",
            type=Path,
            default=None,
            help="Ordner mit laender/kreise/gemeinden.geojson.gz (Vorgabe: fixtures/geo)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.monotonic()
        ergebnis = grenzen_import(verzeichnis=options["verzeichnis"])
        for ebene, label in (
            ("laender", "Länder"),
            ("kreise", "Kreise"),
            ("gemeinden", "Gemeinden"),
        ):
            geladen = f"{ergebnis[ebene]:,}".replace(",", ".")
            ohne = f"{ergebnis[f'{ebene}_ohne_treffer']:,}".replace(",", ".")
            self.stdout.write(
                f"{label}: {geladen} Grenzen geladen, {ohne} ohne passenden Datensatz"
            )
        self.stdout.write(f"Dauer: {time.monotonic() - start:.1f} s".replace(".", ","))
