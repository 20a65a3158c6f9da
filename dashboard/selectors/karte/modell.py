"""What the coverage map shows: the filter values (:data:`METRIKEN`, :data:`EBENEN`) and the
result types :class:`Karte`, :class:`Gebiet` and :class:`Zustaendig`, built by
:func:`dashboard.selectors.karte.gebiete.karte_daten`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from abdeckung.services import Zahl
from dashboard.figuren import stil
from dashboard.figuren.stil import Klasse
from kommunen.models import Land
from leistungen.models import Leistung

Ebene = Literal["kreis", "gemeinde"]
Metrik = Literal["behoerden", "gemeinden", "bevoelkerung"]

#: The metrics the map can be coloured by, in the order of the filter.
METRIKEN: dict[str, str] = {
    "bevoelkerung": "Bevölkerung",
    "gemeinden": "Gemeinden",
    "behoerden": "Behörden",
}
EBENEN: dict[str, str] = {"kreis": "Kreise", "gemeinde": "Gemeinden"}


@dataclass(frozen=True)
class Zustaendig:
    """Who is responsible for one service in an area: one authority by name, or a count."""

    leistung: str
    text: str


@dataclass(frozen=True)
class Gebiet:
    """One area of the map (a Kreis or a Gemeinde) with its figures.

    With one service the three numbers are those of the coverage definitions
    (:mod:`abdeckung.regeln`) for the area; with all committed services they are summed
    over the services (authority × service, Gemeinde × service, inhabitant × service), so
    100 % means every committed service is usable everywhere in the area. ``leistungen``:
    how many of the committed services are usable in the whole area. Areas the user may not
    see (``freigegeben`` False) carry no figures at all."""

    ars: str
    name: str
    land_kurz: str
    klasse: Klasse
    behoerden: Zahl | None = None
    gemeinden: Zahl | None = None
    bevoelkerung: Zahl | None = None
    leistungen: Zahl | None = None
    zustaendig: tuple[Zustaendig, ...] = ()
    status: str = ""
    blockiert: int = 0
    url: str | None = None
    freigegeben: bool = True
    pilot: bool = False

    def zahl(self, metrik: str) -> Zahl | None:
        return {
            "behoerden": self.behoerden,
            "gemeinden": self.gemeinden,
            "bevoelkerung": self.bevoelkerung,
        }[metrik]


@dataclass(frozen=True)
class Karte:
    """Everything the map, its legend and its table show; built by :func:`karte_daten`."""

    ebene: str
    land: Land | None
    leistung: Leistung | None
    metrik: str
    stichtag: dt.date | None
    art: str | None
    titel: str
    stand: dt.datetime | None
    gebiete: tuple[Gebiet, ...]
    piloten: bool = False
    #: Länder (kurz) whose figures the map shows: committed and visible.
    laender_mit_zahlen: tuple[str, ...] = ()
    hinweise: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ebene_text(self) -> str:
        return EBENEN[self.ebene]

    @property
    def metrik_text(self) -> str:
        return METRIKEN[self.metrik]

    @property
    def legende(self) -> list[tuple[Klasse, int]]:
        """Every class that occurs, in legend order, with its number of areas."""
        zaehlung: dict[str, int] = defaultdict(int)
        for g in self.gebiete:
            zaehlung[g.klasse.schluessel] += 1
        return [(k, zaehlung[k.schluessel]) for k in stil.KLASSEN_KARTE if zaehlung[k.schluessel]]

    @property
    def anzahl_piloten(self) -> int:
        return sum(1 for g in self.gebiete if g.pilot)

    @property
    def mit_zahlen(self) -> bool:
        return any(g.freigegeben and g.behoerden is not None for g in self.gebiete)
