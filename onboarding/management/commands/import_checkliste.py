"""``python manage.py import_checkliste [PFAD]``: load the checklist templates
(idempotent; changed content becomes a new template version)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onboarding.services import Ungueltig, checklisten_vorlage_import


class Command(BaseCommand):
    help = "Übernimmt die Checklisten-Vorlagen aus fixtures/checkliste.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "pfad", nargs="?", type=Path, help="JSON-Datei (Standard: fixtures/checkliste.json)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            zaehler = checklisten_vorlage_import(pfad=options["pfad"])
        except Ungueltig as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Checklisten-Vorlagen: {zaehler['neu']} neue Version(en), "
                f"{zaehler['unveraendert']} unverändert."
            )
        )
