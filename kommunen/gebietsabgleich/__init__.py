"""Comparing a parsed Gemeindeverzeichnis with the database and writing the difference.

Used by :func:`kommunen.services.gemeindeverzeichnis_import`, which owns the transaction.
The first file fills the tables; every later one is applied as a territorial change:
records that vanished end with ``gueltig_bis`` (never deleted), new keys start with
``gueltig_ab``, renamings, mergers and changed assignments become ``Gebietsaenderung`` rows.

Submodules:

- :mod:`kommunen.gebietsabgleich.abgleich`: :class:`Abgleich`, the comparison level by level
  (Länder, Regierungsbezirke, Kreise, Gemeindeverbände, Gemeinden) and the ``Gebietsstand``.
- :mod:`kommunen.gebietsabgleich.ergebnis`: :class:`ImportErgebnis` and :class:`Zaehler`, what
  an import did, and the German one-line description of each territorial change.
- :mod:`kommunen.gebietsabgleich.nachfolger`: which row a re-keyed Gemeinde keeps and the best
  guess of where a dissolved Gemeinde went.
- :mod:`kommunen.gebietsabgleich.zeilen`: :func:`zeilen_aktualisieren`, the fast many-row
  ``UPDATE``.
"""

from kommunen.gebietsabgleich.abgleich import Abgleich
from kommunen.gebietsabgleich.ergebnis import EBENEN, ImportErgebnis, Zaehler
from kommunen.gebietsabgleich.zeilen import BATCH, zeilen_aktualisieren

__all__ = [
    "BATCH",
    "EBENEN",
    "Abgleich",
    "ImportErgebnis",
    "Zaehler",
    "zeilen_aktualisieren",
]
