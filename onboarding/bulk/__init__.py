"""Bulk updates of onboarding records from spreadsheets (CSV/XLSX): reading, checking
(dry run with a per-row preview), applying in one transaction, and the matching export.

- :mod:`onboarding.bulk.format`: columns, file reading, cell values.
- :mod:`onboarding.bulk.verarbeitung`: ``massenimport_pruefen`` / ``massenimport_anwenden``.
  Their steps: :mod:`.planung` (load what the rows refer to) and :mod:`.pruefung` (check
  each row) build the :mod:`.plan` of every row, :mod:`.simulation` checks it against the
  services' rules in memory, :mod:`.ausfuehrung` applies it through the services.
- :mod:`onboarding.bulk.export`: ``export_csv`` / ``export_xlsx`` for any record queryset.
"""

from onboarding.bulk.ergebnis import Aenderung, Ergebnis, ZeilenErgebnis
from onboarding.bulk.export import export_csv, export_csv_zeilen, export_xlsx
from onboarding.bulk.verarbeitung import massenimport_anwenden, massenimport_pruefen

__all__ = [
    "Aenderung",
    "Ergebnis",
    "ZeilenErgebnis",
    "export_csv",
    "export_csv_zeilen",
    "export_xlsx",
    "massenimport_anwenden",
    "massenimport_pruefen",
]
