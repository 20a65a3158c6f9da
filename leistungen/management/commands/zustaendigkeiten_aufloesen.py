"""``python manage.py zustaendigkeiten_aufloesen [--land BY] [--leistung 10124]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kommunen.models import Land
from leistungen.models import Leistung
from leistungen.services import zustaendigkeiten_aufloesen


class Command(BaseCommand):
    help = "Löst die Zuständigkeitsregeln in Zuständigkeiten je Gemeinde und Leistung auf."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--land", help="Kürzel (BY) oder Schlüssel (09) eines Landes")
        parser.add_argument("--leistung", help="OZG-ID einer Leistung, z. B. 10124")

    def handle(self, *args: Any, **options: Any) -> None:
        land = leistung = None
        if options["land"]:
            wert = options["land"].upper()
            land = Land.objects.filter(kurz=wert).first() or Land.objects.filter(code=wert).first()
            if land is None:
                raise CommandError(f"Unbekanntes Land: {options['land']}")
        if options["leistung"]:
            leistung = Leistung.objects.filter(ozg_id=options["leistung"]).first()
            if leistung is None:
                raise CommandError(f"Unbekannte OZG-ID: {options['leistung']}")
        e = zustaendigkeiten_aufloesen(land=land, leistung=leistung)
        self.stdout.write(
            f"Land × Leistung: {e.paare}; Zeilen neu: {e.neu}, geändert: {e.geaendert}, "
            f"gelöscht: {e.geloescht}, unverändert: {e.unveraendert}; "
            f"Behörden neu: {e.behoerden_neu}"
        )
        self.stdout.write(self.style.SUCCESS(f"Aufgelöst in {e.sekunden:.2f} s."))
