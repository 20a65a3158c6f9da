"""The result of checking or applying a bulk-update file, per row, as shown in the preview
and returned by the API (``als_dict``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Aenderung:
    feld: str
    bezeichnung: str
    vorher: str
    nachher: str


@dataclass
class ZeilenErgebnis:
    zeile: int
    behoerde_schluessel: str
    behoerde_name: str
    ozg_id: str
    onboarding_id: int | None = None
    aenderungen: list[Aenderung] = field(default_factory=list)
    fehler: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.fehler

    @property
    def geaendert(self) -> bool:
        return self.ok and bool(self.aenderungen)


@dataclass
class Ergebnis:
    dateiname: str
    # "vorschau" (dry run), "alle" or "fehlerfreie"
    modus: str = "vorschau"
    datei_fehler: str = ""
    zeilen: list[ZeilenErgebnis] = field(default_factory=list)
    angewendet: bool = False
    sekunden: float = 0.0

    @property
    def anzahl_zeilen(self) -> int:
        return len(self.zeilen)

    @property
    def anzahl_fehlerhaft(self) -> int:
        return sum(1 for z in self.zeilen if not z.ok)

    @property
    def anzahl_geaendert(self) -> int:
        return sum(1 for z in self.zeilen if z.geaendert)

    @property
    def anzahl_unveraendert(self) -> int:
        return sum(1 for z in self.zeilen if z.ok and not z.aenderungen)

    @property
    def fehlerfrei(self) -> bool:
        return not self.datei_fehler and self.anzahl_fehlerhaft == 0

    @property
    def fehlerhafte_zeilen(self) -> list[ZeilenErgebnis]:
        return [z for z in self.zeilen if not z.ok]

    @property
    def geaenderte_zeilen(self) -> list[ZeilenErgebnis]:
        return [z for z in self.zeilen if z.geaendert]

    def als_dict(self) -> dict[str, Any]:
        return {
            "dateiname": self.dateiname,
            "modus": self.modus,
            "angewendet": self.angewendet,
            "datei_fehler": self.datei_fehler,
            "sekunden": self.sekunden,
            "anzahl": {
                "zeilen": self.anzahl_zeilen,
                "fehlerhaft": self.anzahl_fehlerhaft,
                "geaendert": self.anzahl_geaendert,
                "unveraendert": self.anzahl_unveraendert,
            },
            "zeilen": [asdict(z) for z in self.zeilen],
        }

    @classmethod
    def aus_dict(cls, daten: dict[str, Any]) -> Ergebnis:
        zeilen = [
            ZeilenErgebnis(
                **{k: v for k, v in z.items() if k != "aenderungen"},
                aenderungen=[Aenderung(**a) for a in z.get("aenderungen", [])],
            )
            for z in daten.get("zeilen", [])
        ]
        return cls(
            dateiname=daten.get("dateiname", ""),
            modus=daten.get("modus", "vorschau"),
            datei_fehler=daten.get("datei_fehler", ""),
            zeilen=zeilen,
            angewendet=daten.get("angewendet", False),
            sekunden=daten.get("sekunden", 0.0),
        )
