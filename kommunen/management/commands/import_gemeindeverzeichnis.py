"""Apply a Destatis Gemeindeverzeichnis (GV100AD) file to the territory tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kommunen.services import (
    EBENEN,
    GemeindeverzeichnisFehler,
    ImportErgebnis,
    gemeindeverzeichnis_import,
)


class Command(BaseCommand):
    help = (
        "Spielt ein Gemeindeverzeichnis (GV100AD, .txt oder die amtliche .zip) ein. "
        "Ohne Pfad die mitgelieferte Datei fixtures/gv100ad/GV100AD3108.zip."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="GV100AD-Datei (.txt oder .zip)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="nur anzeigen, was sich ändern würde; nichts schreiben",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["path"]
        dry_run: bool = options["dry_run"]
        try:
            ergebnis = gemeindeverzeichnis_import(path=path, dry_run=dry_run)
        except GemeindeverzeichnisFehler as exc:
            for fehler in exc.fehler:
                self.stderr.write(str(fehler))
            anzahl = len(exc.fehler)
            raise CommandError(
                f"{exc.datei or 'Datei'}: {anzahl} Fehler – nichts eingespielt."
            ) from exc
        self._ausgabe(ergebnis)

    def _ausgabe(self, ergebnis: ImportErgebnis) -> None:
        out = self.stdout
        kopf = "Probelauf (nichts geschrieben)" if ergebnis.dry_run else "Eingespielt"
        out.write(f"{kopf}: {ergebnis.datei}, Gebietsstand {ergebnis.gebietsstand:%d.%m.%Y}")
        out.write(f"SHA-256 {ergebnis.sha256}")
        if ergebnis.erster_import:
            out.write("Erster Import: Gültigkeitsbeginn bleibt leer.")
        breite = max(len(label) for label in EBENEN.values())
        out.write(
            f"{'':<{breite}}  {'neu':>7}  {'geändert':>8}  {'aufgelöst':>9}  {'unverändert':>11}"
        )
        for ebene, label in EBENEN.items():
            z = ergebnis.ebenen[ebene]
            out.write(
                f"{label:<{breite}}  {z.neu:>7,}  {z.geaendert:>8,}  {z.aufgeloest:>9,}  "
                f"{z.unveraendert:>11,}".replace(",", ".")
            )
        if ergebnis.anzahl_aenderungen == 0:
            out.write("Keine Änderungen.")
        elif ergebnis.aenderungen:
            out.write(f"Gebietsänderungen: {ergebnis.anzahl_gebietsaenderungen}")
        if ergebnis.dry_run or len(ergebnis.aenderungen) <= 50:
            for zeile in ergebnis.aenderungen:
                out.write(f"  {zeile}")
        elif ergebnis.aenderungen:
            out.write("  (Liste mit --dry-run oder in der Verwaltung unter Gebietsänderungen)")
