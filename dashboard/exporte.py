"""Exports of the dashboard tables: the authority table of a Land page as CSV (UTF-8 with
BOM, ``;``, as German Excel expects) or XLSX, with the columns the page shows plus keys.

The bulk-update export of ``onboarding.bulk.export`` writes the re-import format
(checklist codes as columns); this one is the readable table for reports and mail.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from dashboard.selectors.land import mit_offenen_huerden, phase_text
from onboarding.models import Onboarding

KOPF = (
    "Behörde",
    "Behördenschlüssel",
    "Art",
    "Pilotkommune",
    "Leistung",
    "OZG-ID",
    "Status",
    "blockiert",
    "Phasenfortschritt",
    "Nächster Schritt",
    "Go-live geplant",
    "überfällig",
    "live seit",
    "Team",
    "Welle",
    "offene Hürden",
    "Anzahl offene Hürden",
)
CHUNK = 500


def _datum(tag: dt.date | None) -> str:
    return f"{tag:%d.%m.%Y}" if tag else ""


def _zeile(o: Onboarding) -> list[Any]:
    huerden = getattr(o, "offene_huerden", [])
    return [
        o.behoerde.name,
        o.behoerde.schluessel,
        o.behoerde.get_art_display(),
        "ja" if o.behoerde.ist_pilot else "nein",
        o.leistung.kurzname,
        o.leistung.ozg_id,
        o.get_status_display(),
        "ja" if o.blockiert else "nein",
        phase_text(o),
        getattr(o, "naechster_schritt", None) or "",
        o.geplant_golive,
        "ja" if getattr(o, "ueberfaellig", False) else "nein",
        o.ist_golive,
        o.team.name if o.team else "",
        o.welle,
        " | ".join(h.titel for h in huerden),
        len(huerden),
    ]


def _zeilen(qs: QuerySet[Onboarding]) -> Iterator[list[Any]]:
    """The rows in chunks: each chunk's open hurdles in one query."""
    zeilen = list(qs)
    for anfang in range(0, len(zeilen), CHUNK):
        teil = zeilen[anfang : anfang + CHUNK]
        mit_offenen_huerden(teil)
        for o in teil:
            yield _zeile(o)


def behoerden_csv(qs: QuerySet[Onboarding], *, stichtag: dt.date) -> bytes:
    puffer = io.StringIO()
    schreiber = csv.writer(puffer, delimiter=";", lineterminator="\r\n")
    schreiber.writerow(KOPF)
    for zeile in _zeilen(qs):
        schreiber.writerow([_datum(w) if isinstance(w, dt.date) else w for w in zeile])
    return ("\ufeff" + puffer.getvalue()).encode("utf-8")


def behoerden_xlsx(qs: QuerySet[Onboarding], *, stichtag: dt.date, titel: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    mappe = Workbook(write_only=True)
    blatt: Any = mappe.create_sheet("Behörden")
    blatt.freeze_panes = "A3"
    fett = Font(bold=True)
    kopf = WriteOnlyCell(blatt, value=f"{titel}, Stand {stichtag:%d.%m.%Y}")
    kopf.font = fett
    blatt.append([kopf])
    spalten = []
    for text in KOPF:
        zelle = WriteOnlyCell(blatt, value=text)
        zelle.font = fett
        spalten.append(zelle)
    blatt.append(spalten)
    for zeile in _zeilen(qs):
        zellen = []
        for wert in zeile:
            zelle = WriteOnlyCell(blatt, value=wert)
            if isinstance(wert, dt.date):
                zelle.number_format = "DD.MM.YYYY"
            zellen.append(zelle)
        blatt.append(zellen)
    ausgabe = io.BytesIO()
    mappe.save(ausgabe)
    return ausgabe.getvalue()
