"""The content of a steering report as frozen dataclasses: the three numbers of each
commitment with their change (:class:`Wert`, :class:`ZusageZeile`), the national totals, a
Land's section and the whole :class:`Bericht`. Built by :mod:`berichte.inhalt.bauen`."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from abdeckung.prognose import FENSTER_WOCHEN, IM_PLAN, Prognose
from abdeckung.services import Kennzahl, Zahl
from berichte.format import datum, dezimal, veraenderung, zahl
from berichte.listen import (
    LAND,
    Anzahl,
    HuerdenAbschnitt,
    Kappung,
    Liste,
    PilotTabelle,
)

NATIONAL = "national"
PROGRAMM = "Nationale Digitaloffensive"


class BerichtFehler(Exception):
    """The report cannot be built; the message says why, in German, for the operator."""


# --- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wert:
    """One of the three numbers at the Stichtag with its change since the previous one."""

    zahl: Zahl
    vorher: Zahl | None

    @property
    def quote(self) -> str:
        return self.zahl.text

    @property
    def bruch(self) -> str:
        return f"{zahl(self.zahl.zaehler)} von {zahl(self.zahl.nenner)}"

    @property
    def differenz(self) -> int | None:
        return None if self.vorher is None else self.zahl.zaehler - self.vorher.zaehler

    @property
    def veraenderung(self) -> str:
        return veraenderung(self.differenz)

    @property
    def kompakt(self) -> str:
        """One line for the summary table: "93,33 % · 14/15 · +1" (share, connected of
        responsible, change since the previous Stichtag)."""
        return f"{self._quote_kurz} · {zahl(self.zahl.zaehler)}/{zahl(self.zahl.nenner)} · " + (
            self.veraenderung
        )

    @property
    def kurz(self) -> str:
        """ "95,51 % · +1.234": share and change, for the population (whose counts are too
        long for one line; they are in the totals and the Land reports' tables)."""
        return f"{self._quote_kurz} · {self.veraenderung}"

    @property
    def _quote_kurz(self) -> str:
        # "100,00 %" only when all are reached (shares are never rounded up); the table's
        # header says so instead of "(flächendeckend)" in every cell.
        return self.zahl.text.removesuffix(" (flächendeckend)")


@dataclass(frozen=True)
class ZusageZeile:
    """One commitment (Land × service) at the Stichtag."""

    land_id: int
    land_kurz: str
    land_name: str
    leistung_id: int
    ozg_id: str
    leistung_name: str
    frist: dt.date
    kennzahl: Kennzahl
    behoerden: Wert
    gemeinden: Wert
    bevoelkerung: Wert
    prognose: Prognose | None

    @property
    def blockiert(self) -> int:
        return self.kennzahl.blockiert

    @property
    def im_plan(self) -> bool:
        return self.prognose is None or self.prognose.status == IM_PLAN

    @property
    def prognose_status(self) -> str:
        return self.prognose.status_text if self.prognose else "–"

    @property
    def tempo_text(self) -> str:
        """ "0,25 (nötig 1,20)": go-lives per week now and needed until the deadline."""
        if self.prognose is None:
            return "–"
        text = dezimal(self.prognose.rate_pro_woche)
        if self.prognose.benoetigte_rate is not None:
            text += f" (nötig {dezimal(self.prognose.benoetigte_rate)})"
        return text

    @property
    def prognose_kurz(self) -> str:
        """ "gefährdet · 10.01.2027": status and projected date on one line."""
        if self.prognose is None:
            return "–"
        if self.prognose.prognose_datum is None:
            return f"{self.prognose.status_text} · nie"
        return f"{self.prognose.status_text} · {datum(self.prognose.prognose_datum)}"

    @property
    def prognose_datum(self) -> str:
        """The projected date of full coverage, "nie" at a standstill."""
        if self.prognose is None:
            return "–"
        if self.prognose.prognose_datum is None:
            return "nie (kein Go-live im Fenster)"
        return datum(self.prognose.prognose_datum)


@dataclass(frozen=True)
class SummenZeile:
    """National total of one service (``ozg_id`` None: all services, as authority × service
    pairs); every authority belongs to one Land, so the sums are exact."""

    ozg_id: str | None
    leistung_name: str
    laender: int
    behoerden: Wert
    gemeinden: Wert
    bevoelkerung: Wert


@dataclass(frozen=True)
class LandAbschnitt:
    land_kurz: str
    land_name: str
    zeilen: tuple[ZusageZeile, ...]
    satz: str

    @property
    def status_zaehlung(self) -> dict[str, int]:
        return dict(Counter(z.prognose.status for z in self.zeilen if z.prognose))

    @property
    def frist(self) -> dt.date | None:
        """The deadline all of the Land's commitments share (None if they differ)."""
        fristen = {z.frist for z in self.zeilen}
        return fristen.pop() if len(fristen) == 1 else None


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bericht:
    scope: str
    scope_titel: str
    land_kurz: str | None
    stichtag: dt.date
    vorheriger_stichtag: dt.date | None
    woche_von: dt.date
    kalenderwoche: int
    kalenderjahr: int
    ereignis_bis: int
    eingefroren_am: dt.datetime
    gebietsstand: dt.date | None
    laender: tuple[LandAbschnitt, ...]
    summen: tuple[SummenZeile, ...]
    neu_live: Liste
    nicht_mehr_live: Liste
    neu_blockiert: Liste
    verschoben: Liste
    huerden: HuerdenAbschnitt
    #: Commitments off plan, the most urgent first (not reachable, then the most open
    #: authorities), at most ``kappung.hoechstens``; all counted in ``ausser_plan_gesamt``.
    ausser_plan: tuple[ZusageZeile, ...]
    ausser_plan_gesamt: int
    ueberfaellig: Liste
    ueberfaellig_je_zusage: tuple[Anzahl, ...]
    piloten: tuple[PilotTabelle, ...]
    annahmen: tuple[str, ...]
    demo: bool
    definitionen: dict[str, str] = field(default_factory=dict)
    kappung: Kappung = LAND

    @property
    def ausser_plan_weitere(self) -> int:
        return self.ausser_plan_gesamt - len(self.ausser_plan)

    @property
    def titel(self) -> str:
        return f"Steuerungsbericht {self.scope_titel} – Stichtag {datum(self.stichtag)}"

    @property
    def berichtswoche(self) -> str:
        return (
            f"KW {self.kalenderwoche}/{self.kalenderjahr} "
            f"({self.woche_von:%d.%m.}–{self.stichtag:%d.%m.%Y})"
        )

    @property
    def datenstand(self) -> str:
        """The data version: the frozen snapshot and the territorial state it rests on."""
        teile = [
            f"Stichtag-Stand {datum(self.stichtag)} (Änderungen bis Ereignis "
            f"#{self.ereignis_bis}, eingefroren am {self.eingefroren_am:%d.%m.%Y %H:%M} Uhr)"
        ]
        if self.gebietsstand:
            teile.append(f"Gebietsstand {datum(self.gebietsstand)}")
        return ", ".join(teile)

    @property
    def zeilen(self) -> list[ZusageZeile]:
        return [z for land in self.laender for z in land.zeilen]

    @property
    def ueberfaellig_matrix(
        self,
    ) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[int, ...], int], ...]]:
        """The overdue authorities per commitment as a Land × service table: the services
        (in the programme's order) with any, and per Land its counts and total."""
        leistungen = list(dict.fromkeys(z.leistung_name for z in self.zeilen))
        spalten = tuple(
            name
            for name in leistungen
            if any(a.leistung_name == name for a in self.ueberfaellig_je_zusage)
        )
        je_land: dict[str, dict[str, int]] = {}
        for a in self.ueberfaellig_je_zusage:
            je_land.setdefault(a.land_kurz, {})[a.leistung_name] = a.anzahl
        zeilen = tuple(
            (land, tuple(werte.get(name, 0) for name in spalten), sum(werte.values()))
            for land, werte in je_land.items()
        )
        return spalten, zeilen

    @property
    def fenster_wochen(self) -> int:
        return FENSTER_WOCHEN
