"""The charts of the steering report: the dashboard's own figure definitions
(:mod:`dashboard.figuren`) fed with the report's frozen figures, each with its text
alternative (a sentence for ``alt`` and a data table printed right after the chart).

Reads only; drawing them (kaleido → JPEG) is :mod:`berichte.pdf`'s job.

Modules: :mod:`.modell` (the result types :class:`Grafik`, :class:`Tabelle`,
:class:`Grafiken` …), :mod:`.verlauf` (the burn-ups), :mod:`.trichter` (the funnels),
:mod:`.karte` (the map, :func:`karte_bauen`), :mod:`.bauen` (:func:`grafiken_bauen`: every
chart of a report).
"""

from __future__ import annotations

from berichte.grafiken.bauen import grafiken_bauen
from berichte.grafiken.karte import karte_bauen
from berichte.grafiken.modell import (
    Grafik,
    Grafiken,
    LandGrafiken,
    LeistungGrafiken,
    NationaleGrafiken,
    Tabelle,
)

__all__ = [
    "Grafik",
    "Grafiken",
    "LandGrafiken",
    "LeistungGrafiken",
    "NationaleGrafiken",
    "Tabelle",
    "grafiken_bauen",
    "karte_bauen",
]
