"""The look shared by every chart of the cockpit, in the browser and in the PDF report:
fonts, colours, German number format and the honest coverage classes of the maps.

Colours: the coverage classes run from a light to a dark blue (readable by lightness alone,
so safe for every kind of colour blindness and in greyscale print); a gap (0 %) is the
Okabe–Ito vermillion so it stands out; areas without a figure are grey, light for "not
responsible / not committed", darker for "unknown". Texts and lines meet WCAG contrast on
white.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCHRIFT = "Fira Sans, DejaVu Sans, Arial, sans-serif"
TEXT = "#1b1b1b"
GITTER = "#d9d9d9"

# Lines of the burn-up chart and bars of the funnel.
FARBE_IST = "#0b4f8a"  # actual coverage
FARBE_ZIEL = "#5c5c5c"  # target line (dashed)
FARBE_PROGNOSE = "#b3470b"  # forecast (dotted); 5.0:1 on white
FARBE_GRUPPE = {
    "unbekannt": "#8c8c8c",
    "noch_nicht_begonnen": "#c7dcef",
    "in_arbeit": "#5b9bd5",
    "abgedeckt": "#0b4f8a",
    "sonstige": "#e0e0e0",
}


@dataclass(frozen=True)
class Klasse:
    """One class of the coverage map legend."""

    schluessel: str
    text: str
    farbe: str


KLASSE_VOLL = Klasse("voll", "100 % (flächendeckend)", "#0b4f8a")
KLASSE_HALB = Klasse("halb", "50 % bis unter 100 %", "#4f8fc6")
KLASSE_TEIL = Klasse("teil", "über 0 % bis unter 50 %", "#b6d4ee")
KLASSE_NULL = Klasse("null", "0 % (noch keine)", "#d55e00")
KLASSE_NICHT = Klasse("nicht", "nicht zuständig / nicht zugesagt", "#f2f2f2")
KLASSE_UNBEKANNT = Klasse("unbekannt", "unbekannt", "#9e9e9e")

#: Legend order.
KLASSEN: tuple[Klasse, ...] = (
    KLASSE_VOLL,
    KLASSE_HALB,
    KLASSE_TEIL,
    KLASSE_NULL,
    KLASSE_NICHT,
    KLASSE_UNBEKANNT,
)
KLASSE_NACH_SCHLUESSEL = {k.schluessel: k for k in KLASSEN}

#: Areas of a Land the user may not see (a Land-scoped user's national map): white, only
#: the outline is drawn, no figures, no hover, no link.
KLASSE_NICHT_FREIGEGEBEN = Klasse("nicht_freigegeben", "nicht freigegeben", "#ffffff")
#: Legend order of the coverage map (the honest classes plus "nicht freigegeben").
KLASSEN_KARTE: tuple[Klasse, ...] = (*KLASSEN, KLASSE_NICHT_FREIGEGEBEN)
#: Outlines on the map: area borders, Länder/Kreis borders, pilot marks (with a white halo
#: so they stand out on every class colour).
FARBE_GEBIETSGRENZE = "#767676"
FARBE_UEBERGRENZE = "#1b1b1b"
FARBE_PILOT = "#000000"


def klasse(zaehler: int | None, nenner: int | None) -> Klasse:
    """The honest class of a share: 100 % only when every one is covered, "≥ 50 %" only when
    at least half really are (integer arithmetic, nothing rounded up). ``nenner`` None or 0:
    nothing to cover here (not responsible or not committed); ``zaehler`` None: unknown."""
    if not nenner:
        return KLASSE_NICHT
    if zaehler is None:
        return KLASSE_UNBEKANNT
    if zaehler >= nenner:
        return KLASSE_VOLL
    if 2 * zaehler >= nenner:
        return KLASSE_HALB
    if zaehler > 0:
        return KLASSE_TEIL
    return KLASSE_NULL


def basis_layout(**extra: Any) -> dict[str, Any]:
    """Layout defaults of every figure: German separators, the KERN font, no Plotly logo
    colours; ``extra`` is merged on top (one level deep for dict values)."""
    layout: dict[str, Any] = {
        "separators": ",.",
        "font": {"family": SCHRIFT, "size": 14, "color": TEXT},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "hoverlabel": {"font": {"family": SCHRIFT, "size": 14}},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
    }
    for schluessel, wert in extra.items():
        if isinstance(wert, dict) and isinstance(layout.get(schluessel), dict):
            layout[schluessel] = {**layout[schluessel], **wert}
        else:
            layout[schluessel] = wert
    return layout
