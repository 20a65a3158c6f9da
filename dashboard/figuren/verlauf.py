"""The burn-up chart of one committed Land × service: actual coverage over time, the
responsible authorities as the scope line, the target line to the deadline and the forecast.

A plain Plotly figure dict, the same in the browser (``static/js/charts.js``) and in the PDF
report (kaleido): no JS callbacks, no "now" (everything comes from the :class:`Burnup`), so
a past Stichtag draws the same figure every time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from dashboard.figuren import stil
from dashboard.selectors.land import Burnup

DATUM = "%d.%m.%Y"


def _iso(tag: dt.date) -> str:
    return tag.isoformat()


def _zahl(wert: int) -> str:
    return f"{wert:,}".replace(",", ".")


def _behoerden_spuren(burnup: Burnup) -> list[dict[str, Any]]:
    spuren: list[dict[str, Any]] = []
    ist = burnup.ist
    letzter = burnup.letzter
    if ist and letzter is not None:
        # Scope: the responsible authorities over time, held until the deadline.
        x = [_iso(p.datum) for p in ist]
        y = [p.behoerden_gesamt for p in ist]
        ende = max(burnup.frist, letzter.datum)
        if ende > letzter.datum:
            x.append(_iso(ende))
            y.append(letzter.behoerden_gesamt)
        spuren.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "zuständige Behörden (gesamt)",
                "x": x,
                "y": y,
                "line": {"color": stil.TEXT, "width": 1.5, "shape": "hv"},
                "hovertemplate": "%{x|" + DATUM + "}: %{y} zuständige Behörden<extra></extra>",
            }
        )
    if burnup.ziel:
        spuren.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Ziel: alle bis {burnup.frist:%d.%m.%Y}",
                "x": [_iso(d) for d, _ in burnup.ziel],
                "y": [n for _, n in burnup.ziel],
                "line": {"color": stil.FARBE_ZIEL, "width": 2, "dash": "dash"},
                "hovertemplate": "Ziel %{x|" + DATUM + "}: %{y} Behörden<extra></extra>",
            }
        )
    if ist:
        spuren.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Ist: angebundene Behörden",
                "x": [_iso(p.datum) for p in ist],
                "y": [p.behoerden_live for p in ist],
                "customdata": [[p.behoerden_gesamt, p.behoerden_text] for p in ist],
                "line": {"color": stil.FARBE_IST, "width": 3},
                "marker": {"color": stil.FARBE_IST, "size": 5},
                "hovertemplate": (
                    "%{x|" + DATUM + "}: %{y} von %{customdata[0]} Behörden "
                    "angebunden (%{customdata[1]})<extra></extra>"
                ),
            }
        )
    if burnup.prognose_linie:
        spuren.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Prognose beim derzeitigen Tempo",
                "x": [_iso(d) for d, _ in burnup.prognose_linie],
                "y": [n for _, n in burnup.prognose_linie],
                "line": {"color": stil.FARBE_PROGNOSE, "width": 2.5, "dash": "dot"},
                "marker": {"color": stil.FARBE_PROGNOSE, "size": 7, "symbol": "diamond"},
                "hovertemplate": "Prognose %{x|" + DATUM + "}: %{y} Behörden<extra></extra>",
            }
        )
    return spuren


def _bevoelkerung_spuren(burnup: Burnup) -> list[dict[str, Any]]:
    ist = burnup.ist
    if not ist:
        return []
    return [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Ist: versorgte Bevölkerung",
            "x": [_iso(p.datum) for p in ist],
            "y": [p.bevoelkerung_quote for p in ist],
            "customdata": [
                [_zahl(p.einwohner_live), _zahl(p.einwohner_gesamt), p.bevoelkerung_text]
                for p in ist
            ],
            "line": {"color": stil.FARBE_IST, "width": 3},
            "marker": {"color": stil.FARBE_IST, "size": 5},
            "hovertemplate": (
                "%{x|" + DATUM + "}: %{customdata[0]} von %{customdata[1]} Einwohnern "
                "(%{customdata[2]})<extra></extra>"
            ),
        }
    ]


def burnup_figur(
    burnup: Burnup, *, metrik: Literal["behoerden", "bevoelkerung"] = "behoerden"
) -> dict[str, Any]:
    """The burn-up figure: ``metrik`` "behoerden" (authorities covered, scope, target and
    forecast) or "bevoelkerung" (share of the inhabitants served, in percent)."""
    letzter = burnup.letzter
    anfang = burnup.ist[0].datum if burnup.ist else (burnup.zugesagt_am or burnup.stichtag)
    ende = max(
        [burnup.frist, burnup.stichtag, *(d for d, _ in burnup.prognose_linie)],
    )
    if metrik == "bevoelkerung":
        spuren = _bevoelkerung_spuren(burnup)
        titel = f"{burnup.leistung_name}: versorgte Bevölkerung in {burnup.land_name}"
        yaxis: dict[str, Any] = {
            "title": {"text": "Anteil der Einwohner (%)"},
            "range": [0, 105],
            "ticksuffix": " %",
        }
    else:
        spuren = _behoerden_spuren(burnup)
        titel = f"{burnup.leistung_name}: angebundene Behörden in {burnup.land_name}"
        obergrenze = max(1, letzter.behoerden_gesamt if letzter else 1)
        yaxis = {
            "title": {"text": "Behörden"},
            "range": [0, obergrenze * 1.08],
            "tickformat": ",d",
            "rangemode": "tozero",
        }
    layout = stil.basis_layout(
        title={
            "text": titel,
            "font": {"size": 16},
            "x": 0,
            "xanchor": "left",
        },
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        height=380,
        xaxis={
            "type": "date",
            "tickformat": DATUM,
            "hoverformat": DATUM,
            "range": [_iso(anfang - dt.timedelta(days=7)), _iso(ende + dt.timedelta(days=14))],
            "gridcolor": stil.GITTER,
            "linecolor": stil.TEXT,
            "nticks": 7,
        },
        yaxis={"gridcolor": stil.GITTER, "linecolor": stil.TEXT, "zeroline": False, **yaxis},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        hovermode="closest",
        shapes=[
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": _iso(burnup.frist),
                "x1": _iso(burnup.frist),
                "y0": 0,
                "y1": 1,
                "line": {"color": stil.FARBE_ZIEL, "width": 1, "dash": "dashdot"},
            }
        ],
        annotations=[
            {
                "xref": "x",
                "yref": "paper",
                "x": _iso(burnup.frist),
                "y": 1,
                "yanchor": "bottom",
                "xanchor": "right",
                "showarrow": False,
                "text": f"Frist {burnup.frist:%d.%m.%Y}",
                "font": {"size": 12, "color": stil.TEXT},
            }
        ],
    )
    if metrik == "behoerden" and not burnup.prognose_linie and burnup.prognose_hinweis:
        layout["annotations"].append(
            {
                "xref": "paper",
                "yref": "paper",
                # Below the scope line (the total, at the top of the range), so the
                # note does not hide it.
                "x": 0.01,
                "y": 0.86,
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "align": "left",
                "text": burnup.prognose_hinweis,
                "font": {"size": 12, "color": stil.FARBE_PROGNOSE},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return {
        "data": spuren,
        "layout": layout,
        "config": {"displayModeBar": False},
    }
