"""``python manage.py import_programm [PFAD]``: apply the programme data (idempotent)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leistungen.services import ProgrammImportFehler, programm_import


class Command(BaseCommand):
    help = "Übernimmt Leistungen, Zusagen, Regeln, Ausnahmen und Pilotkommunen aus programm.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "pfad", nargs="?", type=Path, help="JSON-Datei (Standard: fixtures/programm.json)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        try:
            zaehler = programm_import(pfad=options["pfad"])
        except ProgrammImportFehler as exc:
            raise CommandError(str(exc)) from exc
        for key, anzahl in zaehler.items():
            self.stdout.write(f"{key}: {anzahl}")
        self.stdout.write(
            self.style.SUCCESS(f"Programmdaten übernommen in {time.perf_counter() - start:.2f} s.")
        )
