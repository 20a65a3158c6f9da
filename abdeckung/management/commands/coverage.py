"""``python manage.py coverage [--land BY] [--leistung 10124] [--kreis 09184] [--stand D]
[--format table|json] [--aktualisieren]``: the coverage figures for operators and scripts
(the same numbers as ``GET /api/v1/coverage``, without a user scope)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from abdeckung.selectors import abdeckung_am
from abdeckung.services import Kennzahl, abdeckung_aktualisieren
from kommunen.models import Kreis, Land
from leistungen.models import Leistung


def _datum(wert: str) -> dt.date:
    try:
        tag = dt.date.fromisoformat(wert.strip())
    except ValueError as exc:
        raise CommandError(f"--stand {wert!r} ist kein Datum (erwartet JJJJ-MM-TT).") from exc
    if tag > timezone.localdate():
        raise CommandError(f"--stand {tag:%d.%m.%Y} liegt in der Zukunft.")
    return tag


class Command(BaseCommand):
    help = "Zeigt die Abdeckung (Behörden, Gemeinden, Bevölkerung) je Land/Kreis und Leistung."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--land", help="Kürzel (BY) oder Schlüssel (09) eines Landes")
        parser.add_argument("--leistung", help="OZG-ID einer Leistung, z. B. 10124")
        parser.add_argument("--kreis", help="Kreisschlüssel (5 Stellen), z. B. 09184")
        parser.add_argument("--stand", help="Stichtag JJJJ-MM-TT (Ende des Tages); ohne: jetzt")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--aktualisieren",
            action="store_true",
            help="vorher alles neu berechnen (Statusintervalle und aktuelle Zahlen)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        land = kreis = leistung = None
        if options["land"]:
            wert = options["land"].strip().upper()
            land = Land.objects.filter(kurz=wert).first() or Land.objects.filter(code=wert).first()
            if land is None:
                raise CommandError(f"Unbekanntes Land: {options['land']}")
        if options["leistung"]:
            leistung = Leistung.objects.filter(ozg_id=options["leistung"].strip()).first()
            if leistung is None:
                raise CommandError(f"Unbekannte OZG-ID: {options['leistung']}")
        if options["kreis"]:
            kreis = Kreis.objects.filter(ars=options["kreis"].strip()).first()
            if kreis is None:
                raise CommandError(f"Unbekannter Kreis: {options['kreis']}")
            if land is not None and kreis.land_id != land.pk:
                raise CommandError(f"Der Kreis {kreis} liegt nicht in {land}.")
        stichtag = _datum(options["stand"]) if options["stand"] else None
        if options["aktualisieren"]:
            ergebnis = abdeckung_aktualisieren(voll=True)
            self.stderr.write(f"Neu berechnet: {ergebnis['zeilen']} Zeilen.")
        kennzahlen = abdeckung_am(stichtag=stichtag, land=land, leistung=leistung, kreis=kreis)
        if options["format"] == "json":
            self.stdout.write(
                json.dumps([k.als_dict() for k in kennzahlen], ensure_ascii=False, indent=2)
            )
            return
        self._tabelle(kennzahlen)

    def _tabelle(self, kennzahlen: list[Kennzahl]) -> None:
        if not kennzahlen:
            self.stdout.write("Keine zugesagten Leistungen für diese Auswahl.")
            return
        kopf = ["Land", "Leistung", "Kreis", "Behörden", "Gemeinden", "Bevölkerung", "Stand"]
        zeilen = [
            [
                k.land_kurz,
                f"{k.ozg_id} {k.leistung_name}",
                k.kreis_ars or "–",
                f"{k.behoerden_live}/{k.behoerden_gesamt} {k.behoerden.text}",
                f"{k.gemeinden_live}/{k.gemeinden_gesamt} {k.gemeinden.text}",
                f"{k.einwohner_live}/{k.einwohner_gesamt} {k.bevoelkerung.text}",
                (
                    f"{k.stichtag:%d.%m.%Y}, berechnet "
                    f"{timezone.localtime(k.berechnet_am):%d.%m.%Y %H:%M}"
                    if k.berechnet_am
                    else f"{k.stichtag:%d.%m.%Y}"
                ),
            ]
            for k in kennzahlen
        ]
        breiten = [max(len(str(r[i])) for r in [kopf, *zeilen]) for i in range(len(kopf))]
        for r in [kopf, ["-" * b for b in breiten], *zeilen]:
            self.stdout.write("  ".join(str(w).ljust(b) for w, b in zip(r, breiten, strict=True)))
