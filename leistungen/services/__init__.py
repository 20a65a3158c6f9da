"""Writes for services, authorities, responsibility rules and their resolution.

The submodules are split by sub-domain; import the names from here.

* :mod:`~leistungen.services.behoerden`: :func:`behoerde_fuer_einheit` gets or creates the
  one authority of a territorial unit.
* :mod:`~leistungen.services.programm`: :func:`programm_import` upserts the programme facts
  from ``fixtures/programm.json``.
* :mod:`~leistungen.services.zustaendigkeiten`: :func:`zustaendigkeiten_aufloesen` rebuilds
  the materialised ``Zustaendigkeit`` rows from rules, exceptions and the territory (the
  algorithm is in :mod:`leistungen.aufloesung`); ``zustaendigkeitsregel_*`` /
  ``zustaendigkeitsausnahme_*`` save or delete a rule or an exception and enqueue the
  re-resolution after commit (used by the admin).
"""

from leistungen.services.behoerden import Einheit, behoerde_fuer_einheit
from leistungen.services.programm import ProgrammImportFehler, programm_import
from leistungen.services.zustaendigkeiten import (
    AufloesungsErgebnis,
    zustaendigkeiten_aufloesen,
    zustaendigkeiten_neu_aufloesen_einreihen,
    zustaendigkeitsausnahme_loeschen,
    zustaendigkeitsausnahme_speichern,
    zustaendigkeitsregel_loeschen,
    zustaendigkeitsregel_speichern,
    zustaendigkeitsregel_ueberschneidung,
)

__all__ = [
    "AufloesungsErgebnis",
    "Einheit",
    "ProgrammImportFehler",
    "behoerde_fuer_einheit",
    "programm_import",
    "zustaendigkeiten_aufloesen",
    "zustaendigkeiten_neu_aufloesen_einreihen",
    "zustaendigkeitsausnahme_loeschen",
    "zustaendigkeitsausnahme_speichern",
    "zustaendigkeitsregel_loeschen",
    "zustaendigkeitsregel_speichern",
    "zustaendigkeitsregel_ueberschneidung",
]
