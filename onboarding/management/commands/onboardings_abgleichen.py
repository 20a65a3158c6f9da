"""``python manage.py onboardings_abgleichen [--stichtag 2026-07-01]``: one onboarding
record per responsible authority and committed service; records of authorities that are no
longer responsible are closed (idempotent)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.services import onboardings_abgleichen


class Command(BaseCommand):
    help = "Gleicht die Onboardings mit Zusagen und aufgelösten Zuständigkeiten ab."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stichtag", help="Zuständigkeit an diesem Tag (Standard: heute)")

    def handle(self, *args: Any, **options: Any) -> None:
        stichtag = None
        if options["stichtag"]:
            try:
                stichtag = dt.date.fromisoformat(options["stichtag"])
            except ValueError as exc:
                raise CommandError(f"Ungültiger Stichtag: {options['stichtag']}") from exc
        start = time.perf_counter()
        zaehler = onboardings_abgleichen(stichtag=stichtag)
        self.stdout.write(
            self.style.SUCCESS(
                f"Onboardings: {zaehler['angelegt']} angelegt, {zaehler['geschlossen']} "
                f"geschlossen, {zaehler['unveraendert']} unverändert "
                f"({time.perf_counter() - start:.2f} s)."
            )
        )
