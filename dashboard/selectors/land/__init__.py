"""Reads for the Land page (issue #5): burn-up series per committed service, the forecast,
the phase funnel, the authority table, hurdles and pilots of one Land.

The burn-up of a Land × service is read from the stored figure sets
(:class:`abdeckung.models.Abdeckungsstand`, weekly ``stichtag`` and ``taeglich`` rows of the
whole Land) in ONE query for all services of the Land, plus the figure of the day itself
(now: the ``aktuell`` rows). The same data serve the browser and the PDF report; for a past
``stichtag`` everything is read as it was at the end of that day, so the result is
deterministic.

Modules: :mod:`.verlauf` (burn-up, funnel), :mod:`.seite` (the page, visibility, pilots),
:mod:`.behoerden` (the authority table).
"""

from __future__ import annotations

from dashboard.selectors.land.behoerden import (
    SORTIERUNGEN,
    STANDARD_SORTIERUNG,
    land_behoerden,
    mit_offenen_huerden,
    phase_text,
)
from dashboard.selectors.land.seite import (
    LandSeite,
    LeistungStand,
    PilotZeile,
    land_seite,
    piloten,
    sichtbares_land,
)
from dashboard.selectors.land.verlauf import (
    PROGNOSE_HOECHSTENS_NACH_FRIST,
    TAEGLICH_GEZEICHNET,
    Burnup,
    BurnupPunkt,
    burnup_daten,
    burnups_daten,
    trichter_aus_kennzahl,
)

__all__ = [
    "PROGNOSE_HOECHSTENS_NACH_FRIST",
    "SORTIERUNGEN",
    "STANDARD_SORTIERUNG",
    "TAEGLICH_GEZEICHNET",
    "Burnup",
    "BurnupPunkt",
    "LandSeite",
    "LeistungStand",
    "PilotZeile",
    "burnup_daten",
    "burnups_daten",
    "land_behoerden",
    "land_seite",
    "mit_offenen_huerden",
    "phase_text",
    "piloten",
    "sichtbares_land",
    "trichter_aus_kennzahl",
]
