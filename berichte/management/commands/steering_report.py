"""``python manage.py steering_report --scope national|BY|HE --stichtag D --output FILE.pdf``:
build one steering report by hand (the same PDF the weekly job archives)."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from berichte.pdf import BerichtFehler, bericht_pdf


def _datum(wert: str) -> dt.date:
    try:
        return dt.date.fromisoformat(wert.strip())
    except ValueError as exc:
        raise CommandError(
            f"--stichtag {wert!r} ist kein Datum (erwartet JJJJ-MM-TT, ein Sonntag)."
        ) from exc


class Command(BaseCommand):
    help = (
        "Erstellt den Steuerungsbericht (PDF) national oder für ein Land zu einem "
        "wöchentlichen Stichtag (Sonntag mit eingefrorenem Wochenstand)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scope", required=True, help="„national“ oder das Kürzel eines Landes, z. B. BY"
        )
        parser.add_argument(
            "--stichtag", required=True, help="Stichtag JJJJ-MM-TT (ein vergangener Sonntag)"
        )
        parser.add_argument("--output", required=True, help="Pfad der PDF-Datei")

    def handle(self, *args: Any, **options: Any) -> None:
        stichtag = _datum(options["stichtag"])
        ziel = Path(options["output"])
        if ziel.is_dir():
            raise CommandError(f"--output {ziel} ist ein Verzeichnis; erwartet wird eine Datei.")
        if not ziel.parent.is_dir():
            raise CommandError(f"Das Verzeichnis {ziel.parent} gibt es nicht.")
        start = time.perf_counter()
        try:
            bericht = bericht_pdf(scope=options["scope"], stichtag=stichtag)
        except BerichtFehler as exc:
            raise CommandError(str(exc)) from exc
        # Write next to the target first, then rename: never a half-written PDF at FILE.
        teil = ziel.with_name(ziel.name + ".teil")
        teil.write_bytes(bericht.pdf)
        teil.replace(ziel)
        pruefsumme = hashlib.sha256(bericht.pdf).hexdigest()
        self.stdout.write(f"{bericht.titel}")
        self.stdout.write(f"Datenstand: {bericht.datenstand}")
        self.stdout.write(f"SHA-256: {pruefsumme}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{ziel} geschrieben ({len(bericht.pdf):,} Bytes) in "
                f"{time.perf_counter() - start:.2f} s.".replace(",", ".")
            )
        )
