"""``python manage.py abdeckung_nachtragen --von D --bis D [--ueberschreiben]``: backfill
the daily snapshots (and the weekly Stichtag of every Sunday) from the audit history."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from abdeckung.services import snapshots_nachtragen


def _datum(name: str, wert: str) -> dt.date:
    try:
        return dt.date.fromisoformat(wert.strip())
    except ValueError as exc:
        raise CommandError(f"{name} {wert!r} ist kein Datum (erwartet JJJJ-MM-TT).") from exc


class Command(BaseCommand):
    help = "Trägt tägliche Abdeckungsstände und wöchentliche Stichtage aus der Historie nach."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--von", required=True, help="erster Tag JJJJ-MM-TT")
        parser.add_argument("--bis", required=True, help="letzter Tag JJJJ-MM-TT (vergangen)")
        parser.add_argument(
            "--ueberschreiben",
            action="store_true",
            help="bereits gespeicherte Stände neu berechnen (sonst bleiben sie eingefroren)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        von, bis = _datum("--von", options["von"]), _datum("--bis", options["bis"])
        start = time.perf_counter()
        try:
            e = snapshots_nachtragen(von=von, bis=bis, ueberschreiben=options["ueberschreiben"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Tage: {e['tage']}, Stichtage: {e['stichtage']}, Zeilen geschrieben: {e['zeilen']}"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Nachgetragen in {time.perf_counter() - start:.2f} s.")
        )
