"""Export onboarding records in the bulk-update format (CSV or XLSX), so that an export
imports again without any change."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet

from onboarding.bulk import format as fmt
from onboarding.models import DATUMSFELDER, Checklistenpunkt, Huerde, Onboarding

CHUNK = 2000


def export_onboardings(queryset: QuerySet[Onboarding]) -> QuerySet[Onboarding]:
    """The records with everything an export row needs, in a few queries per chunk."""
    return queryset.select_related("behoerde", "leistung", "team").prefetch_related(
        Prefetch(
            "punkte",
            queryset=Checklistenpunkt.objects.only(
                "id", "onboarding_id", "phase", "code", "reihenfolge", "stand", "verzicht_grund"
            ).order_by("phase", "reihenfolge", "code"),
        ),
        Prefetch(
            "huerden",
            queryset=Huerde.objects.exclude(stand=Huerde.Stand.GELOEST).order_by(
                "erfasst_am", "id"
            ),
            to_attr="offene_huerden",
        ),
    )


def export_kopf(punkt_codes: list[str]) -> list[str]:
    return [*fmt.STAMM_SPALTEN, *punkt_codes, *fmt.HUERDE_SPALTEN, "version"]


def punkt_codes(queryset: QuerySet[Onboarding]) -> list[str]:
    """Checklist item codes of the exported records, in phase and template order."""
    zeilen = (
        Checklistenpunkt.objects.filter(onboarding__in=queryset.order_by().values("pk"))
        .values_list("phase", "reihenfolge", "code")
        .distinct()
    )
    reihenfolge: dict[str, tuple[int, int]] = {}
    for phase, pos, code in zeilen:
        reihenfolge[code] = min(reihenfolge.get(code, (phase, pos)), (phase, pos))
    return sorted(reihenfolge, key=lambda c: (*reihenfolge[c], c))


def export_zeile(onboarding: Onboarding, codes: list[str]) -> list[str]:
    punkte = {p.code: p for p in onboarding.punkte.all()}
    huerden: list[Huerde] = getattr(onboarding, "offene_huerden", [])
    werte: dict[str, str] = {
        "behoerde_schluessel": onboarding.behoerde.schluessel,
        "behoerde_name": onboarding.behoerde.name,
        "ozg_id": onboarding.leistung.ozg_id,
        "status": fmt.status_schreiben(onboarding.status),
        "welle": onboarding.welle,
        "team": onboarding.team.name if onboarding.team else "",
        "baseline": fmt.ja_nein_schreiben(onboarding.baseline),
        "huerde": fmt.HUERDEN_TRENNER.join(h.titel for h in huerden),
        "huerde_kategorie": fmt.HUERDEN_TRENNER.join(
            str(h.get_kategorie_display()) for h in huerden
        ),
        "huerde_verantwortlich": fmt.HUERDEN_TRENNER.join(
            str(h.get_verantwortlich_display()) for h in huerden
        ),
        "version": str(onboarding.version),
    }
    for feld in DATUMSFELDER:
        werte[feld] = fmt.datum_schreiben(getattr(onboarding, feld))
    for code in codes:
        punkt = punkte.get(code)
        werte[code] = fmt.punkt_schreiben(punkt.stand, punkt.verzicht_grund) if punkt else ""
    return [werte.get(spalte, "") for spalte in export_kopf(codes)]


def _zeilen(queryset: QuerySet[Onboarding], codes: list[str]) -> Iterator[list[str]]:
    for onboarding in export_onboardings(queryset).iterator(chunk_size=CHUNK):
        yield export_zeile(onboarding, codes)


class _Puffer:
    """A write-only file for csv.writer that hands back each line (streaming)."""

    def write(self, wert: str) -> str:
        return wert


def export_csv_zeilen(queryset: QuerySet[Onboarding]) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM for Excel, ``;`` as in German spreadsheets)."""
    codes = punkt_codes(queryset)
    schreiber = csv.writer(_Puffer(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + schreiber.writerow(export_kopf(codes))
    for zeile in _zeilen(queryset, codes):
        yield schreiber.writerow(zeile)


def export_csv(queryset: QuerySet[Onboarding]) -> bytes:
    return "".join(export_csv_zeilen(queryset)).encode("utf-8")


def export_xlsx(queryset: QuerySet[Onboarding]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    codes = punkt_codes(queryset)
    mappe = Workbook(write_only=True)
    blatt: Any = mappe.create_sheet("Onboardings")
    kopf = export_kopf(codes)
    blatt.freeze_panes = "A2"
    from openpyxl.cell import WriteOnlyCell

    fett = Font(bold=True)
    kopfzellen = []
    for spalte in kopf:
        zelle = WriteOnlyCell(blatt, value=spalte)
        zelle.font = fett
        kopfzellen.append(zelle)
    blatt.append(kopfzellen)
    for zeile in _zeilen(queryset, codes):
        # Text cells only: keys like 09184 keep their leading zero, dates stay TT.MM.JJJJ.
        blatt.append(zeile)
    puffer = io.BytesIO()
    mappe.save(puffer)
    return puffer.getvalue()
