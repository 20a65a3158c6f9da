"""The phase funnel of one Land × service: how many responsible authorities are in each
status, as horizontal bars from "unbekannt" (top) to "betriebsfähig" (bottom), coloured
by group (unknown, not yet started, in work, covered). A plain Plotly figure dict for the
browser and the PDF report."""

from __future__ import annotations

from typing import Any

from abdeckung.selectors import TrichterStufe
from dashboard.figuren import stil

GRUPPEN_TEXT = {
    "unbekannt": "unbekannt",
    "noch_nicht_begonnen": "noch nicht begonnen",
    "in_arbeit": "in Arbeit (Phase 1–3)",
    "abgedeckt": "angebunden",
    "sonstige": "sonstige",
}


def trichter_figur(stufen: list[TrichterStufe], *, titel: str) -> dict[str, Any]:
    """Horizontal bars, one trace per group (so the legend names the colours), the steps
    in funnel order top to bottom; each bar is labelled with its count."""
    reihenfolge = [s.bezeichnung for s in stufen]
    spuren: list[dict[str, Any]] = []
    for gruppe, text in GRUPPEN_TEXT.items():
        eigene = [s for s in stufen if s.gruppe == gruppe]
        if not eigene:
            continue
        spuren.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": text,
                "y": [s.bezeichnung for s in eigene],
                "x": [s.anzahl for s in eigene],
                "text": [f"{s.anzahl:,}".replace(",", ".") for s in eigene],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {
                    "color": stil.FARBE_GRUPPE[gruppe],
                    "line": {"color": stil.TEXT, "width": 0.5},
                },
                "hovertemplate": "%{y}: %{x} Behörden<extra></extra>",
            }
        )
    hoechstens = max((s.anzahl for s in stufen), default=0)
    layout = stil.basis_layout(
        title={"text": titel, "font": {"size": 16}, "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 40, "t": 50, "b": 40},
        height=380,
        barmode="overlay",
        bargap=0.25,
        xaxis={
            "range": [0, max(1, hoechstens) * 1.15],
            "tickformat": ",d",
            "gridcolor": stil.GITTER,
            "rangemode": "tozero",
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": reihenfolge,
            "autorange": "reversed",
            "automargin": True,
        },
        legend={"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0},
    )
    return {"data": spuren, "layout": layout, "config": {"displayModeBar": False}}
