"""GV100AD record layout as data: keys, Textkennzeichen, one dataclass per Satzart, errors.

:class:`Gemeindeverzeichnis` is the parsed content of one file; :class:`Zeilenfehler` and
:class:`GemeindeverzeichnisFehler` carry the problems found while reading it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

SATZLAENGE = 220
BOM = b"\xef\xbb\xbf"

# Official abbreviations of the Länder by their 2-digit key.
LAND_KUERZEL = {
    "01": "SH",
    "02": "HH",
    "03": "NI",
    "04": "HB",
    "05": "NW",
    "06": "HE",
    "07": "RP",
    "08": "BW",
    "09": "BY",
    "10": "SL",
    "11": "BE",
    "12": "BB",
    "13": "MV",
    "14": "SN",
    "15": "ST",
    "16": "TH",
}

KREIS_TYPEN = frozenset({"41", "42", "43", "44", "45"})
VERBAND_TYPEN = frozenset({"50", "51", "52", "53", "54", "55", "56", "57", "58"})
GEMEINDE_TYPEN = frozenset({"60", "61", "62", "63", "64", "65", "66", "67"})

# Satzart 20 holds real Regierungsbezirke (NW, HE, BW, BY) as well as Niedersachsen's
# "Statistische Region …" and the former ones of RP and SN ("früher: …"), which are only
# statistical units today.
_STATISTISCHE_REGION = re.compile(r"^(Statistische Region|früher:)", re.IGNORECASE)


@dataclass(frozen=True)
class Zeilenfehler:
    """One problem in the input; ``zeile`` is None for problems of the file as a whole."""

    zeile: int | None
    grund: str

    def __str__(self) -> str:
        return f"Zeile {self.zeile}: {self.grund}" if self.zeile is not None else self.grund


class GemeindeverzeichnisFehler(Exception):
    """The Gemeindeverzeichnis cannot be imported; ``fehler`` lists every problem found."""

    def __init__(self, fehler: list[Zeilenfehler], *, datei: str = "") -> None:
        self.fehler = fehler
        self.datei = datei
        head = f"{datei}: " if datei else ""
        if len(fehler) == 1:
            message = f"{head}{fehler[0]}"
        else:
            message = f"{head}{len(fehler)} Fehler, zuerst {fehler[0]}"
        super().__init__(message)


@dataclass
class LandSatz:
    code: str
    name: str
    sitz: str
    zeile: int
    einwohner: int = 0
    flaeche_ha: int = 0

    @property
    def kurz(self) -> str:
        return LAND_KUERZEL[self.code]

    @property
    def flaeche_km2(self) -> Decimal:
        return Decimal(self.flaeche_ha) / 100


@dataclass
class RegierungsbezirkSatz:
    code: str
    name: str
    sitz: str
    typ: str  # "regierungsbezirk" or "statistisch" (values of Regierungsbezirk.Typ)
    zeile: int

    @property
    def land_code(self) -> str:
        return self.code[:2]


@dataclass
class KreisSatz:
    ars: str
    name: str
    sitz: str
    typ: str
    zeile: int
    einwohner: int = 0
    flaeche_ha: int = 0

    @property
    def land_code(self) -> str:
        return self.ars[:2]

    @property
    def regierungsbezirk_code(self) -> str | None:
        return self.ars[:3] if self.ars[2] != "0" else None

    @property
    def name_kurz(self) -> str:
        return kurzname(self.name)

    @property
    def flaeche_km2(self) -> Decimal:
        return Decimal(self.flaeche_ha) / 100


@dataclass
class VerbandSatz:
    ars: str
    name: str
    sitz: str
    typ: str
    zeile: int

    @property
    def land_code(self) -> str:
        return self.ars[:2]

    @property
    def kreis_ars(self) -> str:
        return self.ars[:5]


@dataclass
class GemeindeSatz:
    ars: str
    name: str
    typ: str
    einwohner: int
    einwohner_maennlich: int
    flaeche_ha: int
    plz: str
    plz_mehrere: bool
    zeile: int

    @property
    def ags(self) -> str:
        return self.ars[:5] + self.ars[9:]

    @property
    def land_code(self) -> str:
        return self.ars[:2]

    @property
    def regierungsbezirk_code(self) -> str | None:
        return self.ars[:3] if self.ars[2] != "0" else None

    @property
    def kreis_ars(self) -> str:
        return self.ars[:5]

    @property
    def verband_ars(self) -> str:
        return self.ars[:9]

    @property
    def name_kurz(self) -> str:
        return kurzname(self.name)

    @property
    def flaeche_km2(self) -> Decimal:
        return Decimal(self.flaeche_ha) / 100

    @property
    def ist_gemeindefrei(self) -> bool:
        return self.typ in ("65", "66")


@dataclass
class Gemeindeverzeichnis:
    """The parsed content of one GV100AD file (all keys as zero-padded text)."""

    datei: str
    sha256: str
    gebietsstand: dt.date
    einwohner_stichtag: dt.date | None = None
    flaeche_stichtag: dt.date | None = None
    laender: dict[str, LandSatz] = field(default_factory=dict)
    regierungsbezirke: dict[str, RegierungsbezirkSatz] = field(default_factory=dict)
    kreise: dict[str, KreisSatz] = field(default_factory=dict)
    verbaende: dict[str, VerbandSatz] = field(default_factory=dict)
    gemeinden: dict[str, GemeindeSatz] = field(default_factory=dict)


def kurzname(name: str) -> str:
    """Name up to the first comma: ``"Flensburg, Stadt"`` becomes ``"Flensburg"``."""
    return name.split(",", 1)[0].strip()


def regierungsbezirk_typ(name: str) -> str:
    return "statistisch" if _STATISTISCHE_REGION.match(name) else "regierungsbezirk"
