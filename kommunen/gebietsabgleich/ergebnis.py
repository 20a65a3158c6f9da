"""What an import did: counters per level and the German text of each territorial change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kommunen.models import Gebietsaenderung

# Level name -> German label, in import order.
EBENEN = {
    "land": "Länder",
    "regierungsbezirk": "Regierungsbezirke",
    "kreis": "Kreise",
    "verband": "Gemeindeverbände",
    "gemeinde": "Gemeinden",
}
_EINZAHL = {
    "land": "Land",
    "regierungsbezirk": "Regierungsbezirk",
    "kreis": "Kreis",
    "verband": "Gemeindeverband",
    "gemeinde": "Gemeinde",
}


@dataclass
class Zaehler:
    neu: int = 0
    geaendert: int = 0
    aufgeloest: int = 0
    unveraendert: int = 0

    @property
    def aenderungen(self) -> int:
        return self.neu + self.geaendert + self.aufgeloest


@dataclass
class ImportErgebnis:
    """What an import did (or, with ``dry_run``, would do)."""

    datei: str
    sha256: str
    gebietsstand: dt.date
    erster_import: bool
    dry_run: bool
    ebenen: dict[str, Zaehler] = field(default_factory=lambda: {e: Zaehler() for e in EBENEN})
    # Human-readable territorial changes (one line per Gebietsaenderung).
    aenderungen: list[str] = field(default_factory=list)

    @property
    def anzahl_aenderungen(self) -> int:
        """Records created, changed or ended over all levels (0: nothing to do)."""
        return sum(z.aenderungen for z in self.ebenen.values())

    @property
    def anzahl_gebietsaenderungen(self) -> int:
        return len(self.aenderungen)

    def zusammenfassung(self) -> dict[str, Any]:
        return {
            "ebenen": {
                ebene: {
                    "neu": z.neu,
                    "geaendert": z.geaendert,
                    "aufgeloest": z.aufgeloest,
                    "unveraendert": z.unveraendert,
                }
                for ebene, z in self.ebenen.items()
            },
            "gebietsaenderungen": len(self.aenderungen),
        }


def datum_text(tag: dt.date) -> str:
    return f"{tag:%d.%m.%Y}"


def aenderung_beschreiben(
    ebene: str, ars: str, art: str, vorher: dict[str, Any], nachher: dict[str, Any], hinweis: str
) -> str:
    name = nachher.get("name") or vorher.get("name") or ""
    kopf = f"{_EINZAHL[ebene]} {ars} {name}".rstrip()
    if art == Gebietsaenderung.Art.NEU:
        text = f"{kopf}: neu"
    elif art == Gebietsaenderung.Art.UMBENANNT:
        text = f"{kopf}: umbenannt (bisher „{vorher['name']}“)"
    elif art == Gebietsaenderung.Art.ZUORDNUNG:
        teile = [f"{k} {vorher[k] or '–'} → {nachher[k] or '–'}" for k in nachher if k != "name"]
        text = f"{kopf}: Zuordnung geändert ({', '.join(teile)})"
    else:
        bis = dt.date.fromisoformat(nachher["gueltig_bis"])
        text = f"{kopf}: aufgelöst, gültig bis {datum_text(bis)}"
        if art == Gebietsaenderung.Art.SCHLUESSEL:
            text = f"{kopf}: Schlüssel geändert, gültig bis {datum_text(bis)}"
        if nachher.get("nachfolger"):
            text += f"; Nachfolger {nachher['nachfolger']} {nachher['nachfolger_name']}"
    return f"{text}. {hinweis}" if hinweis else f"{text}."
