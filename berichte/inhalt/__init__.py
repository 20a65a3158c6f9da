"""What the weekly steering report says (issue #6): frozen dataclasses, read only.
The dataclasses are in :mod:`.zeilen`, the building in :mod:`.bauen`; import from here.

:func:`bericht_inhalt` gathers every figure and list of one report (national, or one Land)
for one Stichtag:

* the three coverage numbers of each commitment from the frozen weekly snapshot
  (``Abdeckungsstand`` art ``stichtag``) and their change since the previous stored Stichtag;
* the forecast (:func:`abdeckung.prognose.prognosen`, fed with the frozen figures);
* changes of the reporting week, open and resolved hurdles, the at-risk list and the pilots
  (:mod:`berichte.listen`), replayed from the audit history up to the end of the Stichtag
  and no further than the snapshot's ``ereignis_bis`` (:mod:`berichte.historie`).

Nothing is read from the current state of a record (only reference data: names, the pilot
flag, responsibilities valid on the day), so re-rendering last week's report today gives the
same text. Only the forecast (and the Gemeinde map of a Land report) replay the history by
time, so a correction dated back into the week after it was frozen can move them (the
report's method section says so). The charts are built from this content by
:mod:`berichte.grafiken`; the PDF by :mod:`berichte.pdf`.
"""

from berichte.inhalt.bauen import bericht_inhalt
from berichte.inhalt.zeilen import (
    NATIONAL,
    PROGRAMM,
    Bericht,
    BerichtFehler,
    LandAbschnitt,
    SummenZeile,
    Wert,
    ZusageZeile,
)

__all__ = [
    "NATIONAL",
    "PROGRAMM",
    "Bericht",
    "BerichtFehler",
    "LandAbschnitt",
    "SummenZeile",
    "Wert",
    "ZusageZeile",
    "bericht_inhalt",
]
