"""Parser for the official Destatis Gemeindeverzeichnis in the fixed-width GV100AD format.

Record layout (``Datensatzbeschreibung_GV100AD.pdf``; 1-based positions, 220 characters per
record, UTF-8 with BOM, CRLF):

====== =====================================================================
1-2    Satzart: 10 Land, 20 Regierungsbezirk, 30 Region (BW, ignored), 40 Kreis,
       50 Gemeindeverband, 60 Gemeinde
3-10   Gebietsstand JJJJMMTT
11-12  Land, 13 Regierungsbezirk, 14-15 Kreis, 16-18 Gemeinde, 19-22 Gemeindeverband
23-72  Name;  73-122 Sitz der Verwaltung (Satzart 10-50)
123-124 Textkennzeichen (type)
129-139 Fläche in ha;  140-150 Einwohner;  151-161 davon männlich (Satzart 60)
166-170 Postleitzahl des Verwaltungssitzes;  171-175 nicht leer: mehrere Postleitzahlen
====== =====================================================================

The parser validates every record and collects *all* problems as :class:`Zeilenfehler`
(German text, with the line number); :func:`lesen` raises :class:`GemeindeverzeichnisFehler`
carrying the full list, so a bad file is reported in one go and nothing is imported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

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

_STICHTAG_EINWOHNER = re.compile(
    r"Bev.lkerungsangaben.{0,200}?Stichtag\s+(\d{2}\.\d{2}\.\d{4})", re.DOTALL
)
_STICHTAG_FLAECHE = re.compile(
    r"Fl.chenangaben.{0,200}?Stichtag\s+(\d{2}\.\d{2}\.\d{4})", re.DOTALL
)
_DATEINAME = re.compile(r"^GV100AD_.*\.txt$", re.IGNORECASE)


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


# --- Reading ----------------------------------------------------------------------------


def lesen(path: Path) -> Gemeindeverzeichnis:
    """Read and validate a ``GV100AD_*.txt`` file or a ZIP holding exactly one of them."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GemeindeverzeichnisFehler(
            [Zeilenfehler(None, f"Datei kann nicht gelesen werden: {exc.strerror or exc}")],
            datei=path.name,
        ) from exc
    sha256 = hashlib.sha256(data).hexdigest()
    hinweise = ""
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        data, hinweise = _aus_zip(path)
    return parse(data, datei=path.name, sha256=sha256, hinweise=hinweise)


def _aus_zip(path: Path) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            treffer = [n for n in names if _DATEINAME.match(PurePosixPath(n).name)]
            if not treffer:
                raise GemeindeverzeichnisFehler(
                    [Zeilenfehler(None, "ZIP-Datei enthält keine GV100AD-Datei (GV100AD_*.txt)")],
                    datei=path.name,
                )
            if len(treffer) > 1:
                raise GemeindeverzeichnisFehler(
                    [
                        Zeilenfehler(
                            None,
                            "ZIP-Datei enthält mehrere GV100AD-Dateien: " + ", ".join(treffer),
                        )
                    ],
                    datei=path.name,
                )
            data = archive.read(treffer[0])
            hinweise = ""
            for name in names:
                if PurePosixPath(name).name.lower() == "hinweise.txt":
                    hinweise = archive.read(name).decode("cp1252", errors="replace")
            return data, hinweise
    except zipfile.BadZipFile as exc:
        raise GemeindeverzeichnisFehler(
            [Zeilenfehler(None, f"keine gültige ZIP-Datei ({exc})")], datei=path.name
        ) from exc


def _stichtag(pattern: re.Pattern[str], text: str) -> dt.date | None:
    match = pattern.search(text)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%d.%m.%Y").date()  # noqa: DTZ007
    except ValueError:
        return None


# --- Parsing ------------------------------------------------------------------------------


class _Parser:
    def __init__(self) -> None:
        self.fehler: list[Zeilenfehler] = []
        self.schluessel: dict[tuple[str, str], int] = {}
        self.ags: dict[str, int] = {}
        self.gebietsstand: tuple[str, int] | None = None
        self.laender: dict[str, LandSatz] = {}
        self.regierungsbezirke: dict[str, RegierungsbezirkSatz] = {}
        self.kreise: dict[str, KreisSatz] = {}
        self.verbaende: dict[str, VerbandSatz] = {}
        self.gemeinden: dict[str, GemeindeSatz] = {}
        # Keys of records that are present but faulty: their children are not reported
        # as orphans on top of the record's own error.
        self.fehlerhaft: set[tuple[str, str]] = set()

    def error(self, zeile: int | None, grund: str) -> None:
        self.fehler.append(Zeilenfehler(zeile, grund))

    def lines(self, data: bytes) -> list[tuple[int, bytes]]:
        if data.startswith(BOM):
            data = data[len(BOM) :]
        raw = data.split(b"\n")
        # Blank lines at the very end (and the final CRLF) are harmless.
        while raw and raw[-1].strip(b"\r \t") == b"":
            raw.pop()
        # A complete last record without CRLF is accepted; a cut-off one fails on its length.
        return [(nr, line.removesuffix(b"\r")) for nr, line in enumerate(raw, start=1)]

    def parse_line(self, nr: int, raw: bytes, letzte: bool) -> None:
        fehler_vorher = len(self.fehler)
        self._parse_line(nr, raw, letzte)
        if len(self.fehler) != fehler_vorher:
            self._fehlerhaft_merken(raw)

    def _fehlerhaft_merken(self, raw: bytes) -> None:
        kopf = raw[:22].decode("ascii", errors="replace")
        satzart = kopf[:2]
        key = {
            "10": kopf[10:12],
            "20": kopf[10:13],
            "40": kopf[10:15],
            "50": kopf[10:15] + kopf[18:22],
            "60": kopf[10:15] + kopf[18:22] + kopf[15:18],
        }.get(satzart)
        if key is not None:
            self.fehlerhaft.add((satzart, key))

    def _parse_line(self, nr: int, raw: bytes, letzte: bool) -> None:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.error(
                nr,
                f"kein gültiges UTF-8 (Byte 0x{raw[exc.start]:02X} an Position {exc.start + 1})",
            )
            return
        if not line.strip():
            self.error(nr, "leere Zeile")
            return
        if len(line) != SATZLAENGE:
            hinweis = " – Datei abgeschnitten?" if letzte and len(line) < SATZLAENGE else ""
            self.error(nr, f"Satzlänge {len(line)} statt {SATZLAENGE} Zeichen{hinweis}")
            return
        satzart = line[0:2]
        if satzart not in ("10", "20", "30", "40", "50", "60"):
            self.error(nr, f"unbekannte Satzart '{satzart}'")
            return
        fehler_vorher = len(self.fehler)
        self._gebietsstand(nr, line[2:10])
        if satzart == "30":  # Regionen (Baden-Württemberg) are not used.
            self._ziffern(nr, line[10:14], "Regionsschlüssel")
            return
        name = line[22:72].rstrip()
        sitz = line[72:122].rstrip()
        kennzeichen = line[122:124]
        if not name:
            self.error(nr, "Name fehlt")
        if satzart == "10":
            key = line[10:12]
            ok = self._ziffern(nr, key, "Landesschlüssel") and self._leer(nr, line[12:22])
            if ok and key not in LAND_KUERZEL:
                self.error(nr, f"unbekannter Landesschlüssel {key}")
            if len(self.fehler) == fehler_vorher and self._eindeutig(nr, satzart, key):
                self.laender[key] = LandSatz(key, name, sitz, nr)
        elif satzart == "20":
            key = line[10:13]
            self._ziffern(nr, key, "Schlüssel des Regierungsbezirks")
            self._leer(nr, line[13:22])
            if len(self.fehler) == fehler_vorher and self._eindeutig(nr, satzart, key):
                self.regierungsbezirke[key] = RegierungsbezirkSatz(
                    key, name, sitz, regierungsbezirk_typ(name), nr
                )
        elif satzart == "40":
            key = line[10:15]
            self._ziffern(nr, key, "Kreisschlüssel")
            self._leer(nr, line[15:22])
            self._kennzeichen(nr, kennzeichen, KREIS_TYPEN, "Kreis")
            if len(self.fehler) == fehler_vorher and self._eindeutig(nr, satzart, key):
                self.kreise[key] = KreisSatz(key, name, sitz, kennzeichen, nr)
        elif satzart == "50":
            key = line[10:15] + line[18:22]
            self._ziffern(nr, line[10:15], "Kreisschlüssel")
            self._leer(nr, line[15:18])
            self._ziffern(nr, line[18:22], "Verbandsschlüssel")
            self._kennzeichen(nr, kennzeichen, VERBAND_TYPEN, "Gemeindeverband")
            if len(self.fehler) == fehler_vorher and self._eindeutig(nr, satzart, key):
                self.verbaende[key] = VerbandSatz(key, name, sitz, kennzeichen, nr)
        else:
            self._gemeinde(nr, line, name, kennzeichen, fehler_vorher)

    def _gemeinde(
        self, nr: int, line: str, name: str, kennzeichen: str, fehler_vorher: int
    ) -> None:
        ok = self._ziffern(nr, line[10:22], "Regionalschlüssel")
        ars = line[10:15] + line[18:22] + line[15:18]
        self._kennzeichen(nr, kennzeichen, GEMEINDE_TYPEN, "Gemeinde")
        flaeche = self._zahl(nr, line[128:139], "Fläche")
        einwohner = self._zahl(nr, line[139:150], "Einwohnerzahl")
        maennlich = self._zahl(nr, line[150:161], "Einwohnerzahl männlich")
        if einwohner is not None and maennlich is not None and maennlich > einwohner:
            self.error(nr, f"mehr männliche Einwohner ({maennlich}) als Einwohner ({einwohner})")
        plz = line[165:170].strip()
        if plz and not (len(plz) == 5 and plz.isdigit()):
            self.error(nr, f"Postleitzahl '{line[165:170]}' ist ungültig")
        if len(self.fehler) != fehler_vorher or not ok:
            return
        if not self._eindeutig(nr, "60", ars):
            return
        ags = ars[:5] + ars[9:]
        if ags in self.ags:
            self.error(
                nr, f"Gemeindeschlüssel (AGS) {ags} doppelt (zuerst in Zeile {self.ags[ags]})"
            )
            return
        self.ags[ags] = nr
        assert flaeche is not None
        assert einwohner is not None
        assert maennlich is not None
        self.gemeinden[ars] = GemeindeSatz(
            ars=ars,
            name=name,
            typ=kennzeichen,
            einwohner=einwohner,
            einwohner_maennlich=maennlich,
            flaeche_ha=flaeche,
            plz=plz,
            plz_mehrere=bool(line[170:175].strip()),
            zeile=nr,
        )

    # -- field checks

    def _gebietsstand(self, nr: int, text: str) -> None:
        try:
            dt.datetime.strptime(text, "%Y%m%d")  # noqa: DTZ007
        except ValueError:
            self.error(nr, f"Gebietsstand '{text}' ist kein Datum (JJJJMMTT)")
            return
        if self.gebietsstand is None:
            self.gebietsstand = (text, nr)
        elif text != self.gebietsstand[0]:
            erster, zeile = self.gebietsstand
            self.error(
                nr,
                f"Gebietsstand {_datum(text)} weicht vom Gebietsstand {_datum(erster)} "
                f"(Zeile {zeile}) ab",
            )

    def _ziffern(self, nr: int, text: str, was: str) -> bool:
        if not text.isdigit() or not text.isascii():
            self.error(nr, f"{was} '{text}' besteht nicht nur aus Ziffern")
            return False
        return True

    def _leer(self, nr: int, text: str) -> bool:
        if text.strip():
            self.error(nr, f"unerwartete Zeichen '{text}' im Schlüsselfeld")
            return False
        return True

    def _zahl(self, nr: int, text: str, was: str) -> int | None:
        if not text.isdigit() or not text.isascii():
            self.error(nr, f"{was} '{text}' ist keine Zahl")
            return None
        return int(text)

    def _kennzeichen(self, nr: int, text: str, erlaubt: frozenset[str], ebene: str) -> None:
        if text not in erlaubt:
            self.error(nr, f"Textkennzeichen '{text}' ist für {ebene} nicht zulässig")

    def _eindeutig(self, nr: int, satzart: str, key: str) -> bool:
        zuerst = self.schluessel.get((satzart, key))
        if zuerst is not None:
            self.error(nr, f"Schlüssel {key} doppelt (zuerst in Zeile {zuerst})")
            return False
        self.schluessel[(satzart, key)] = nr
        return True

    # -- structure checks

    def _fehlt(self, satzart: str, key: str, vorhanden: dict[str, Any]) -> bool:
        return key not in vorhanden and (satzart, key) not in self.fehlerhaft

    def check_parents(self) -> None:
        for rb in self.regierungsbezirke.values():
            if self._fehlt("10", rb.land_code, self.laender):
                self.error(
                    rb.zeile, f"Regierungsbezirk {rb.code} ohne Satz für Land {rb.land_code}"
                )
        for kreis in self.kreise.values():
            self._parent_land(kreis.zeile, f"Kreis {kreis.ars}", kreis.land_code)
            self._parent_rb(kreis.zeile, f"Kreis {kreis.ars}", kreis.regierungsbezirk_code)
        for verband in self.verbaende.values():
            was = f"Gemeindeverband {verband.ars}"
            self._parent_land(verband.zeile, was, verband.land_code)
            self._parent_kreis(verband.zeile, was, verband.kreis_ars)
        for gemeinde in self.gemeinden.values():
            was = f"Gemeinde {gemeinde.ars}"
            self._parent_land(gemeinde.zeile, was, gemeinde.land_code)
            self._parent_rb(gemeinde.zeile, was, gemeinde.regierungsbezirk_code)
            self._parent_kreis(gemeinde.zeile, was, gemeinde.kreis_ars)
            if self._fehlt("50", gemeinde.verband_ars, self.verbaende):
                self.error(
                    gemeinde.zeile,
                    f"{was} ohne Satz für Gemeindeverband {gemeinde.verband_ars} (Satzart 50)",
                )

    def _parent_land(self, nr: int, was: str, code: str) -> None:
        if self._fehlt("10", code, self.laender):
            self.error(nr, f"{was} ohne Satz für Land {code} (Satzart 10)")

    def _parent_rb(self, nr: int, was: str, code: str | None) -> None:
        if code is not None and self._fehlt("20", code, self.regierungsbezirke):
            self.error(nr, f"{was} ohne Satz für Regierungsbezirk {code} (Satzart 20)")

    def _parent_kreis(self, nr: int, was: str, kreis_ars: str) -> None:
        # Land-level pseudo-units (Kreis digits "00", e.g. 07000 deutsch-luxemburgisches
        # Hoheitsgebiet) have no Kreis record; Hamburg and Berlin (02000, 11000) do.
        if self._fehlt("40", kreis_ars, self.kreise) and kreis_ars[3:] != "00":
            self.error(nr, f"{was} ohne Satz für Kreis {kreis_ars} (Satzart 40)")

    def check_children(self) -> None:
        """Every Land, Kreis and Gemeindeverband has Gemeinden (catches cut-off files)."""
        laender = {g.land_code for g in self.gemeinden.values()}
        kreise = {g.kreis_ars for g in self.gemeinden.values()}
        verbaende = {g.verband_ars for g in self.gemeinden.values()}
        for land in self.laender.values():
            if land.code not in laender:
                self.error(land.zeile, f"Land {land.code} ohne Gemeinden – Datei unvollständig?")
        for kreis in self.kreise.values():
            if kreis.ars not in kreise:
                self.error(kreis.zeile, f"Kreis {kreis.ars} ohne Gemeinden – Datei unvollständig?")
        for verband in self.verbaende.values():
            if verband.ars not in verbaende:
                self.error(
                    verband.zeile,
                    f"Gemeindeverband {verband.ars} ohne Gemeinden – Datei unvollständig?",
                )

    def sum_up(self) -> None:
        for gemeinde in self.gemeinden.values():
            land = self.laender[gemeinde.land_code]
            land.einwohner += gemeinde.einwohner
            land.flaeche_ha += gemeinde.flaeche_ha
            kreis = self.kreise.get(gemeinde.kreis_ars)
            if kreis is not None:
                kreis.einwohner += gemeinde.einwohner
                kreis.flaeche_ha += gemeinde.flaeche_ha


def _datum(text: str) -> str:
    return f"{text[6:8]}.{text[4:6]}.{text[0:4]}"


def parse(
    data: bytes, *, datei: str, sha256: str | None = None, hinweise: str = ""
) -> Gemeindeverzeichnis:
    """Parse the bytes of a GV100AD text file; raise on any problem (all listed)."""
    if sha256 is None:
        sha256 = hashlib.sha256(data).hexdigest()
    parser = _Parser()
    lines = parser.lines(data)
    if not lines:
        raise GemeindeverzeichnisFehler([Zeilenfehler(None, "Die Datei ist leer.")], datei=datei)
    letzte_nr = lines[-1][0]
    for nr, raw in lines:
        parser.parse_line(nr, raw, letzte=nr == letzte_nr)
    parser.check_parents()
    if not parser.fehler:
        parser.check_children()
    if not parser.fehler and not parser.gemeinden:
        parser.error(None, "Die Datei enthält keine Gemeinden (Satzart 60).")
    if parser.fehler:
        parser.fehler.sort(key=lambda f: (f.zeile is not None, f.zeile or 0))
        raise GemeindeverzeichnisFehler(parser.fehler, datei=datei)
    parser.sum_up()
    assert parser.gebietsstand is not None
    return Gemeindeverzeichnis(
        datei=datei,
        sha256=sha256,
        gebietsstand=dt.datetime.strptime(parser.gebietsstand[0], "%Y%m%d").date(),  # noqa: DTZ007
        einwohner_stichtag=_stichtag(_STICHTAG_EINWOHNER, hinweise),
        flaeche_stichtag=_stichtag(_STICHTAG_FLAECHE, hinweise),
        laender=parser.laender,
        regierungsbezirke=parser.regierungsbezirke,
        kreise=parser.kreise,
        verbaende=parser.verbaende,
        gemeinden=parser.gemeinden,
    )
