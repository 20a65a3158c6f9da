"""The coverage map as a Plotly figure: one choropleth trace per class that occurs (one
colour each, so the legend is Plotly's own, in the browser and in the PDF), thin outlines
of the Länder (national map) or Kreise (map of a Land) and, on request, the pilot areas
outlined. No map tiles: the base map is hidden and the view fits the areas.

In the browser the boundaries are fetched separately (``geojson="__geometrie__"``, see
``static/js/charts.js``); kaleido gets the FeatureCollection itself.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any

from abdeckung.services import Zahl
from dashboard.figuren import stil
from dashboard.selectors.karte import Gebiet, Karte

TRANSPARENT = "rgba(0,0,0,0)"
#: Figure heights in px (the page gives the chart box the same height, cockpit.css).
HOEHE_NATIONAL = 760
HOEHE_LAND = 640


def zahl_text(wert: int) -> str:
    """German thousands separator: 1.234.567."""
    return f"{wert:,}".replace(",", ".")


@lru_cache(maxsize=32768)
def anteil_text(zahl: Zahl | None) -> str:
    """ "12 von 96 (12,50 %)", never rounded up; "–" without a figure. Cached: the map and
    its table write the same few thousand figures."""
    if zahl is None or not zahl.nenner:
        return "–"
    return f"{zahl_text(zahl.zaehler)} von {zahl_text(zahl.nenner)} ({zahl.text})"


def zahl_bezeichnungen(karte: Karte) -> dict[str, str]:
    """Labels of the three numbers: with all services they are counted per service."""
    if karte.leistung is None:
        return {
            "behoerden": "Behörden × Leistungen",
            "gemeinden": "Gemeinden × Leistungen",
            "bevoelkerung": "Einwohner × Leistungen",
        }
    return {"behoerden": "Behörden", "gemeinden": "Gemeinden", "bevoelkerung": "Einwohner"}


def hover_text(gebiet: Gebiet, karte: Karte) -> str:
    """The hover of one area: name, class, the three numbers, who is responsible."""
    zeilen = [f"<b>{escape(gebiet.name)}</b>", f"Klasse: {escape(gebiet.klasse.text)}"]
    if gebiet.behoerden is not None:
        namen = zahl_bezeichnungen(karte)
        zeilen += [
            f"{namen['behoerden']}: {anteil_text(gebiet.behoerden)}",
            f"{namen['gemeinden']}: {anteil_text(gebiet.gemeinden)}",
            f"{namen['bevoelkerung']}: {anteil_text(gebiet.bevoelkerung)}",
        ]
        if karte.leistung is None and gebiet.leistungen is not None:
            wort = "nutzbar" if karte.ebene == "gemeinde" else "überall nutzbar"
            zeilen.append(
                f"Leistungen {wort}: {gebiet.leistungen.zaehler} von {gebiet.leistungen.nenner}"
            )
        if gebiet.status:
            zeilen.append(f"Status: {escape(gebiet.status)}")
        elif gebiet.blockiert:
            zeilen.append(f"blockiert: {gebiet.blockiert}")
    if len(gebiet.zustaendig) == 1:
        zeilen.append(f"Zuständig: {escape(gebiet.zustaendig[0].text)}")
    elif gebiet.zustaendig:
        zeilen.append("Zuständig:")
        zeilen += [f"· {escape(z.leistung)}: {escape(z.text)}" for z in gebiet.zustaendig]
    if gebiet.pilot:
        zeilen.append("Pilotkommune")
    return "<br>".join(zeilen)


def _flaechen_spur(
    gebiete: list[Gebiet], klasse: stil.Klasse, karte: Karte, geojson: dict | str, linie: float
) -> dict[str, Any]:
    spur: dict[str, Any] = {
        "type": "choropleth",
        "geojson": geojson,
        "featureidkey": "id",
        "locations": [g.ars for g in gebiete],
        "z": [1] * len(gebiete),
        "zmin": 0,
        "zmax": 1,
        "colorscale": [[0, klasse.farbe], [1, klasse.farbe]],
        "showscale": False,
        "showlegend": True,
        "name": f"{klasse.text} ({zahl_text(len(gebiete))})",
        "legendgroup": klasse.schluessel,
        "marker": {"line": {"color": stil.FARBE_GEBIETSGRENZE, "width": linie}},
    }
    if klasse is stil.KLASSE_NICHT_FREIGEGEBEN:
        # Not the user's to see: no figures, no hover, no link.
        spur["hoverinfo"] = "skip"
    else:
        spur["text"] = [hover_text(g, karte) for g in gebiete]
        spur["hovertemplate"] = "%{text}<extra></extra>"
        spur["customdata"] = [[g.url or ""] for g in gebiete]
    return spur


def _umriss_spur(
    locations: list[str],
    geojson: dict | str,
    *,
    farbe: str,
    breite: float,
    name: str = "",
    legende: bool = False,
) -> dict[str, Any]:
    return {
        "type": "choropleth",
        "geojson": geojson,
        "featureidkey": "id",
        "locations": locations,
        "z": [0] * len(locations),
        "colorscale": [[0, TRANSPARENT], [1, TRANSPARENT]],
        "showscale": False,
        "showlegend": legende,
        "name": name,
        "hoverinfo": "skip",
        "marker": {"line": {"color": farbe, "width": breite}},
    }


def karte_figur(
    karte: Karte, *, geojson: dict | str = "__geometrie__", legende: bool = True
) -> dict[str, Any]:
    """The map of ``karte`` as a Plotly figure dict; ``geojson`` the boundaries of
    :func:`dashboard.selectors.karte.grenzen_geojson` (kaleido) or the placeholder the
    browser replaces. ``legende`` False leaves out Plotly's legend (the map page has its
    own, with counts, beside the map; the PDF keeps Plotly's)."""
    linie = 0.5 if karte.ebene == "kreis" else 0.3
    nach_klasse: dict[str, list[Gebiet]] = {}
    for g in karte.gebiete:
        nach_klasse.setdefault(g.klasse.schluessel, []).append(g)
    data: list[dict[str, Any]] = [
        _flaechen_spur(nach_klasse[k.schluessel], k, karte, geojson, linie)
        for k in stil.KLASSEN_KARTE
        if k.schluessel in nach_klasse
    ]
    # Outlines of the level above: Länder (2-digit ids) on the national map, Kreise
    # (5 digits) on a Land's Gemeinde map.
    if karte.ebene == "kreis" and karte.land is None:
        obere = sorted({g.ars[:2] for g in karte.gebiete})
    elif karte.ebene == "gemeinde":
        obere = sorted({g.ars[:5] for g in karte.gebiete})
    else:
        obere = []
    if obere:
        data.append(_umriss_spur(obere, geojson, farbe=stil.FARBE_UEBERGRENZE, breite=1.2))
    piloten = [g.ars for g in karte.gebiete if g.pilot]
    if piloten:
        data.append(_umriss_spur(piloten, geojson, farbe="#ffffff", breite=5))
        data.append(_umriss_spur(piloten, geojson, farbe=stil.FARBE_PILOT, breite=2.5))
        # The legend entry: an empty marker trace drawn as an open square (a choropleth's
        # own legend swatch shows its fill, which is transparent here).
        data.append(
            {
                "type": "scattergeo",
                "lon": [None],
                "lat": [None],
                "mode": "markers",
                "marker": {
                    "symbol": "square-open",
                    "size": 13,
                    "color": stil.FARBE_PILOT,
                    "line": {"width": 2.5},
                },
                "name": f"Pilotkommune ({zahl_text(len(piloten))})",
                "showlegend": True,
                "hoverinfo": "skip",
            }
        )
    hoehe = HOEHE_NATIONAL if karte.land is None else HOEHE_LAND
    layout = stil.basis_layout(
        height=hoehe,
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        dragmode=False,
        showlegend=legende,
        geo={
            "visible": False,
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "bgcolor": "#ffffff",
        },
        legend={
            # Bottom left: open sea / France on the national map, the empty corner of a
            # Land fitted by its height.
            "orientation": "v",
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.85)",
            "bordercolor": stil.GITTER,
            "borderwidth": 1,
            "itemclick": False,
            "itemdoubleclick": False,
        },
    )
    return {
        "data": data,
        "layout": layout,
        "config": {"scrollZoom": False},
    }
