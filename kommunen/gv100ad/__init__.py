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

Submodules:

- :mod:`kommunen.gv100ad.saetze`: the record layout as data: Land keys and Textkennzeichen,
  the record dataclasses (``LandSatz`` … ``GemeindeSatz``), :class:`Gemeindeverzeichnis`,
  :class:`Zeilenfehler` and :class:`GemeindeverzeichnisFehler`.
- :mod:`kommunen.gv100ad.parser`: :func:`parse`, the validating parser of the text records
  (including the Stichtage read from ``Hinweise.txt``).
- :mod:`kommunen.gv100ad.datei`: :func:`lesen`, reading a ``GV100AD_*.txt`` file or the
  official ZIP.
"""

from kommunen.gv100ad.datei import lesen
from kommunen.gv100ad.parser import parse
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
    kurzname,
    regierungsbezirk_typ,
)

__all__ = [
    "BOM",
    "GEMEINDE_TYPEN",
    "KREIS_TYPEN",
    "LAND_KUERZEL",
    "SATZLAENGE",
    "VERBAND_TYPEN",
    "GemeindeSatz",
    "Gemeindeverzeichnis",
    "GemeindeverzeichnisFehler",
    "KreisSatz",
    "LandSatz",
    "RegierungsbezirkSatz",
    "VerbandSatz",
    "Zeilenfehler",
    "kurzname",
    "lesen",
    "parse",
    "regierungsbezirk_typ",
]
