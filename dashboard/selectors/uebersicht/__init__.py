"""Reads for the start page: the programme at a glance (issue #5, "Overview").

Everything a ministry user checks in the morning, for the Länder they may see:

* KPI cards: authority × service pairs live, population covered (per service, and as
  inhabitant × service pairs), open blocking hurdles, commitments at risk;
* per participating Land a matrix Land × committed service: the three coverage numbers
  (:mod:`abdeckung.regeln`), the forecast (:mod:`abdeckung.prognose`), the trend since the
  frozen weekly Stichtag figures of a week ago, and the countdown to the deadline.

The figures come from the coverage engine (stored ``aktuell`` rows through
:func:`abdeckung.selectors.abdeckung_am`); nothing is recomputed here. Not shown: the
inhabitants who can use ALL committed services of their Land. It is exact only per unit
(a join of every responsibility with its authority's status, grouped per Gemeinde): about
0.35 s at national scale, over the page budget, and no stored figure holds it yet.

Modules: :mod:`.modell` (the result types :class:`Uebersicht`, :class:`Kpi`,
:class:`LandStand`, :class:`ZusageStand` … and their display strings), :mod:`.trend` (the
change since the weekly Stichtag), :mod:`.prognose_cache` (the cached forecasts, also read by the
Land page), :mod:`.seite` (:func:`programm_uebersicht`, :func:`pilotkommunen`).
"""

from __future__ import annotations

from dashboard.selectors.uebersicht.modell import (
    Kpi,
    LandStand,
    LeistungSumme,
    MatrixZellen,
    Trend,
    Uebersicht,
    ZusageStand,
)
from dashboard.selectors.uebersicht.prognose_cache import PROGNOSE_CACHE_SEKUNDEN
from dashboard.selectors.uebersicht.prognose_cache import _prognosen as _prognosen
from dashboard.selectors.uebersicht.seite import pilotkommunen, programm_uebersicht
from dashboard.selectors.uebersicht.trend import TREND_ABSTAND

__all__ = [
    "PROGNOSE_CACHE_SEKUNDEN",
    "TREND_ABSTAND",
    "Kpi",
    "LandStand",
    "LeistungSumme",
    "MatrixZellen",
    "Trend",
    "Uebersicht",
    "ZusageStand",
    "pilotkommunen",
    "programm_uebersicht",
]
