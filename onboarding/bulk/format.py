"""The spreadsheet format of bulk updates: columns, reading CSV/XLSX, parsing cell values.

One row is one authority × service. Columns (German headers, the order does not matter):

``behoerde_schluessel``, ``ozg_id`` (required); ``behoerde_name`` (for people, ignored);
``status`` (value or German label); ``welle``; ``team`` (name); ``geplant_phase_1``,
``geplant_phase_2``, ``geplant_golive``, ``ist_phase_1``, ``ist_phase_2``, ``ist_golive``
(TT.MM.JJJJ or JJJJ-MM-TT); ``baseline`` (ja/nein); one column per checklist item code
(``erledigt``, ``offen``, ``verzichtet: <Grund>``); ``huerde`` (titles separated by " | "),
``huerde_kategorie``, ``huerde_verantwortlich``; ``version``.

An empty cell means "no statement, leave as it is"; ``-`` clears a date, the team or the wave.
So a partial sheet never wipes what others entered, and an export imports without change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from onboarding.models import DATUMSFELDER, Checklistenpunkt, Huerde, Status

PFLICHT_SPALTEN = ("behoerde_schluessel", "ozg_id")
IST_FELDER = ("ist_phase_1", "ist_phase_2", "ist_golive")
STAMM_SPALTEN = (
    "behoerde_schluessel",
    "behoerde_name",
    "ozg_id",
    "status",
    "welle",
    "team",
    *DATUMSFELDER,
    "baseline",
)
HUERDE_SPALTEN = ("huerde", "huerde_kategorie", "huerde_verantwortlich")
BEKANNTE_SPALTEN = frozenset((*STAMM_SPALTEN, *HUERDE_SPALTEN, "version"))
# Checklist item codes look like p0_vertrag_land, p1_dvdv, ...
PUNKT_SPALTE = re.compile(r"^p[0-3]_[a-z0-9_]+$")

LEEREN = "-"
HUERDEN_TRENNER = " | "

FELD_BEZEICHNUNG = {
    "status": "Status",
    "welle": "Welle",
    "team": "Team",
    "geplant_phase_1": "Phase 1 geplant bis",
    "geplant_phase_2": "Phase 2 geplant bis",
    "geplant_golive": "Go-live geplant am",
    "ist_phase_1": "Phase 1 abgeschlossen am",
    "ist_phase_2": "Phase 2 abgeschlossen am",
    "ist_golive": "live seit",
    "baseline": "Baseline",
    "huerde": "Hürde",
}

MAX_DATEIGROESSE = 20 * 1024 * 1024


class DateiFehler(Exception):
    """The file as a whole cannot be read (encoding, delimiter, empty, header)."""


class WertFehler(ValueError):
    """One cell has a value that cannot be understood; the message is German."""


@dataclass
class Tabelle:
    kopf: list[str]
    # (line number as the user sees it in the file or sheet, {column: cell text})
    zeilen: list[tuple[int, dict[str, str]]]


# --- Reading files ----------------------------------------------------------------------


def ist_xlsx(inhalt: bytes, dateiname: str = "") -> bool:
    # XLSX is a ZIP archive; a CSV never starts with "PK\x03\x04".
    return inhalt[:4] == b"PK\x03\x04" or dateiname.lower().endswith(".xlsx")


def tabelle_lesen(*, inhalt: bytes, dateiname: str = "") -> Tabelle:
    if len(inhalt) > MAX_DATEIGROESSE:
        raise DateiFehler("Die Datei ist größer als 20 MB.")
    if not inhalt.removeprefix(b"\xef\xbb\xbf").strip():
        raise DateiFehler("Die Datei ist leer.")
    if ist_xlsx(inhalt, dateiname):
        kopf, zeilen = _xlsx_lesen(inhalt)
    else:
        kopf, zeilen = _csv_lesen(inhalt)
    kopf = [_spaltenname(k) for k in kopf]
    while kopf and not kopf[-1]:
        kopf.pop()
    if not any(kopf):
        raise DateiFehler("Die Datei ist leer.")
    fehlend = [s for s in PFLICHT_SPALTEN if s not in kopf]
    if fehlend:
        raise DateiFehler(
            "In der Kopfzeile fehlen die Pflichtspalten: "
            + ", ".join(fehlend)
            + f". Gefunden: {', '.join(k for k in kopf if k) or 'keine'}."
        )
    doppelt = sorted({k for k in kopf if k and kopf.count(k) > 1})
    if doppelt:
        raise DateiFehler(f"Die Spalte(n) {', '.join(doppelt)} stehen mehrfach in der Kopfzeile.")
    unbekannt = [k for k in kopf if k and k not in BEKANNTE_SPALTEN and not PUNKT_SPALTE.match(k)]
    if unbekannt:
        raise DateiFehler(
            f"Unbekannte Spalte(n) in der Kopfzeile: {', '.join(unbekannt)}. Erlaubt sind "
            "die Spalten der Exportdatei (Checklistenpunkte als p0_… bis p3_…)."
        )
    daten: list[tuple[int, dict[str, str]]] = []
    for nummer, werte in zeilen:
        if not any(w.strip() for w in werte):
            continue
        zeile = {
            spalte: (werte[i].strip() if i < len(werte) else "")
            for i, spalte in enumerate(kopf)
            if spalte
        }
        daten.append((nummer, zeile))
    if not daten:
        raise DateiFehler("Die Datei enthält nur die Kopfzeile, aber keine Datenzeilen.")
    return Tabelle(kopf=[k for k in kopf if k], zeilen=daten)


def _spaltenname(wert: str) -> str:
    return wert.strip().lstrip("\ufeff").strip().lower()


def _csv_lesen(inhalt: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        text = inhalt.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        zeile = inhalt[: exc.start].count(b"\n") + 1
        raise DateiFehler(
            f"Zeile {zeile}: Die Datei ist nicht UTF-8-kodiert (ungültiges Byte "
            f"0x{inhalt[exc.start]:02X}). Bitte als „CSV UTF-8“ speichern."
        ) from None
    erste_zeile = text.splitlines()[0] if text.splitlines() else ""
    try:
        dialekt = csv.Sniffer().sniff(erste_zeile, delimiters=";,")
        trenner = dialekt.delimiter
    except csv.Error:
        trenner = ""
    if trenner not in (";", ","):
        raise DateiFehler(
            "Das Trennzeichen der CSV-Datei ist weder Semikolon (;) noch Komma (,): "
            "in der Kopfzeile wurde keines davon gefunden."
        )
    leser = csv.reader(io.StringIO(text, newline=""), delimiter=trenner)
    zeilen: list[tuple[int, list[str]]] = []
    kopf: list[str] | None = None
    try:
        for werte in leser:
            # line_num is the physical line where the record ended (quoted line breaks).
            if kopf is None:
                kopf = werte
                continue
            zeilen.append((leser.line_num, werte))
    except csv.Error as exc:
        raise DateiFehler(
            f"Zeile {leser.line_num}: Die CSV-Datei ist fehlerhaft ({exc})."
        ) from None
    return kopf or [], zeilen


def _xlsx_lesen(inhalt: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        mappe = load_workbook(io.BytesIO(inhalt), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DateiFehler(f"Die Excel-Datei kann nicht gelesen werden ({exc}).") from None
    try:
        blatt = mappe.worksheets[0]
        kopf: list[str] | None = None
        zeilen: list[tuple[int, list[str]]] = []
        for nummer, werte in enumerate(blatt.iter_rows(values_only=True), start=1):
            texte = [_zellentext(w) for w in werte]
            if kopf is None:
                if not any(texte):
                    continue
                kopf = texte
                continue
            zeilen.append((nummer, texte))
    finally:
        mappe.close()
    return kopf or [], zeilen


def _zellentext(wert: object) -> str:
    if wert is None:
        return ""
    if isinstance(wert, dt.datetime):
        return wert.date().isoformat()
    if isinstance(wert, dt.date):
        return wert.isoformat()
    if isinstance(wert, bool):
        return "ja" if wert else "nein"
    if isinstance(wert, float) and wert.is_integer():
        return str(int(wert))
    return str(wert).strip()


# --- Cell values ----------------------------------------------------------------------


def datum_lesen(text: str, spalte: str) -> dt.date | None:
    """``TT.MM.JJJJ`` or ``JJJJ-MM-TT``; ``-`` means no date."""
    if text == LEEREN:
        return None
    for muster in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, muster).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    raise WertFehler(
        f"{spalte}: „{text}“ ist kein gültiges Datum (erwartet TT.MM.JJJJ oder JJJJ-MM-TT)."
    )


def datum_schreiben(wert: dt.date | None) -> str:
    return wert.strftime("%d.%m.%Y") if wert else ""


def _schluessel(text: str) -> str:
    return " ".join(text.casefold().split())


_STATUS = {_schluessel(v): v for v, _ in Status.choices} | {
    _schluessel(label): v for v, label in Status.choices
}
# Short forms people write: "Phase 1", "in Phase 2", "in Klaerung", "nicht zustaendig".
for _n in (1, 2, 3):
    _STATUS[f"phase {_n}"] = f"phase_{_n}"
    _STATUS[f"in phase {_n}"] = f"phase_{_n}"
_STATUS |= {"in klaerung": "in_klaerung", "nicht zustaendig": "nicht_zustaendig"}


def status_lesen(text: str) -> str:
    wert = _STATUS.get(_schluessel(text))
    if wert is None:
        raise WertFehler(
            f"status: „{text}“ ist kein bekannter Status (erlaubt: "
            + ", ".join(label for _, label in Status.choices)
            + ")."
        )
    return wert


def status_schreiben(wert: str) -> str:
    return str(Status(wert).label)


_JA = {"ja", "j", "x", "1", "true", "wahr", "yes"}
_NEIN = {"nein", "n", "0", "false", "falsch", "no"}


def ja_nein_lesen(text: str, spalte: str) -> bool:
    schluessel = _schluessel(text)
    if schluessel in _JA:
        return True
    if schluessel in _NEIN:
        return False
    raise WertFehler(f"{spalte}: „{text}“ ist weder „ja“ noch „nein“.")


def ja_nein_schreiben(wert: bool) -> str:
    return "ja" if wert else "nein"


@dataclass(frozen=True)
class PunktWert:
    stand: str
    verzicht_grund: str = ""


def punkt_lesen(text: str, spalte: str) -> PunktWert:
    """``erledigt``, ``offen`` or ``verzichtet: <Grund>``."""
    kopf, _, rest = text.partition(":")
    stand = _schluessel(kopf)
    grund = rest.strip()
    if stand == Checklistenpunkt.Stand.ERLEDIGT and not grund:
        return PunktWert(Checklistenpunkt.Stand.ERLEDIGT)
    if stand == Checklistenpunkt.Stand.OFFEN and not grund:
        return PunktWert(Checklistenpunkt.Stand.OFFEN)
    if stand == Checklistenpunkt.Stand.VERZICHTET:
        if not grund:
            raise WertFehler(f"{spalte}: Ein Verzicht braucht einen Grund („verzichtet: <Grund>“).")
        return PunktWert(Checklistenpunkt.Stand.VERZICHTET, grund)
    raise WertFehler(
        f"{spalte}: „{text}“ ist kein gültiger Stand (erlaubt: erledigt, offen, "
        "verzichtet: <Grund>)."
    )


def punkt_schreiben(stand: str, verzicht_grund: str) -> str:
    if stand == Checklistenpunkt.Stand.VERZICHTET:
        return f"verzichtet: {verzicht_grund}"
    return stand


def _auswahl(text: str, choices: list[tuple[str, str]], spalte: str) -> str:
    schluessel = _schluessel(text)
    for wert, label in choices:
        if schluessel in (_schluessel(wert), _schluessel(str(label))):
            return wert
    raise WertFehler(
        f"{spalte}: „{text}“ ist unbekannt (erlaubt: "
        + ", ".join(str(label) for _, label in choices)
        + ")."
    )


def kategorie_lesen(text: str) -> str:
    return _auswahl(text, Huerde.Kategorie.choices, "huerde_kategorie")


def verantwortlich_lesen(text: str) -> str:
    return _auswahl(text, Huerde.Verantwortlich.choices, "huerde_verantwortlich")


def liste_lesen(text: str) -> list[str]:
    return [teil.strip() for teil in text.split(HUERDEN_TRENNER.strip()) if teil.strip()]
