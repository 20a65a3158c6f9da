"""Parsing the GV100AD text records: every record validated, every problem collected.

:func:`parse` checks each line (length, Satzart, keys, Textkennzeichen, numbers), then the
structure (every record has its parents, every Land, Kreis and Gemeindeverband has Gemeinden)
and raises :class:`GemeindeverzeichnisFehler` with all problems, sorted by line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from kommunen.gv100ad.saetze import (
    BOM,
    GEMEINDE_TYPEN,
    KREIS_TYPEN,
    LAND_KUERZEL,
    SATZLAENGE,
    VERBAND_TYPEN,
    GemeindeSatz,
    Gemeindeverzeichnis,
    GemeindeverzeichnisFehler,
    KreisSatz,
    LandSatz,
    RegierungsbezirkSatz,
    VerbandSatz,
    Zeilenfehler,
    regierungsbezirk_typ,
)

_STICHTAG_EINWOHNER = re.compile(
    r"Bev.lkerungsangaben.{0,200}?Stichtag\s+(\d{2}\.\d{2}\.\d{4})", re.DOTALL
)
_STICHTAG_FLAECHE = re.compile(
    r"Fl.chenangaben.{0,200}?Stichtag\s+(\d{2}\.\d{2}\.\d{4})", re.DOTALL
)


def _stichtag(pattern: re.Pattern[str], text: str) -> dt.date | None:
    match = pattern.search(text)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match.group(1), "%d.%m.%Y").date()  # noqa: DTZ007
    except ValueError:
        return None


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
