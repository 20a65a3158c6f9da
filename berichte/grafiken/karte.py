"""The map chart: Kreise of Germany (national report) or the Gemeinden of the Land, with
its counts per class (and Land) as the data table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from abdeckung.models import Abdeckungsstand
from berichte.format import datum, zahl
from berichte.grafiken.modell import Grafik, Tabelle
from berichte.inhalt import NATIONAL, Bericht
from dashboard.figuren.karte import karte_figur
from dashboard.selectors.karte import Karte, grenzen_bytes, karte_daten
from kommunen.models import Land


def _fuer_druck(figur: dict[str, Any]) -> dict[str, Any]:
    """The map's figure laid out for paper: the legend under the map instead of over it
    (on screen it floats over the sea; on a Land map it would hide areas)."""
    layout = dict(figur["layout"])
    layout["legend"] = {
        **layout.get("legend", {}),
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": 0,
        "yanchor": "top",
        "bgcolor": "#ffffff",
        "borderwidth": 0,
    }
    layout["margin"] = {**layout.get("margin", {}), "b": 90}
    return {**figur, "layout": layout}


def karte_grafik(bericht: Bericht, land: Land | None) -> Grafik:
    if land is None:
        karte: Karte = karte_daten(
            ebene="kreis",
            land=None,
            leistung=None,
            metrik="bevoelkerung",
            stichtag=bericht.stichtag,
            art=Abdeckungsstand.Art.STICHTAG,
            piloten=True,
        )
        grenzen = grenzen_bytes(ebene="kreis", land=None).roh
        einheit = "Kreise"
    else:
        karte = karte_daten(
            ebene="gemeinde",
            land=land,
            leistung=None,
            metrik="bevoelkerung",
            stichtag=bericht.stichtag,
            art=Abdeckungsstand.Art.STICHTAG,
            piloten=True,
        )
        grenzen = grenzen_bytes(ebene="gemeinde", land=land).roh
        einheit = "Gemeinden"
    figur = _fuer_druck(karte_figur(karte))
    # The legend counts per Land: the text alternative of the map.
    zaehlung: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for g in karte.gebiete:
        zaehlung[g.klasse.text][g.land_kurz] += 1
    laender = sorted({g.land_kurz for g in karte.gebiete})
    mit_zahlen = [k for k in laender if k in karte.laender_mit_zahlen] if land is None else []
    spalten = mit_zahlen + (["übrige Länder"] if land is None else [])
    zeilen = []
    for klasse, n in karte.legende:
        werte = zaehlung[klasse.text]
        zellen = [zahl(werte.get(k, 0)) for k in mit_zahlen]
        if land is None:
            zellen.append(zahl(sum(v for k, v in werte.items() if k not in mit_zahlen)))
        zeilen.append((klasse.text, *zellen, zahl(n)))
    legende = "; ".join(f"{klasse.text}: {zahl(n)} {einheit}" for klasse, n in karte.legende)
    wo = land.name if land else "Deutschland"
    alt = (
        f"Karte {wo} nach {einheit}, eingefärbt nach dem Anteil der Einwohner, für die die "
        f"zugesagten Leistungen am {datum(bericht.stichtag)} nutzbar sind: {legende}. "
        + (
            f"Pilotkommunen sind umrandet ({karte.anzahl_piloten}). "
            if karte.anzahl_piloten
            else ""
        )
        + "Die Anzahlen je Land stehen in der Tabelle unter der Karte."
    )
    return Grafik(
        schluessel=f"karte-{bericht.scope}",
        titel=f"Abdeckungskarte {wo} nach {einheit}",
        alt=alt,
        figur=figur,
        tabelle=Tabelle(
            caption=f"{einheit} je Klasse der Karte" + (" und Land" if land is None else ""),
            kopf=("Klasse", *spalten, "gesamt" if land is None else einheit),
            zeilen=tuple(zeilen),
        ),
        breite=720 if land is None else 760,
        hoehe=820 if land is None else 780,
        grenzen=grenzen,
    )


def karte_bauen(bericht: Bericht) -> Grafik:
    """The report's map: Kreise of Germany (national) or the Land's Gemeinden."""
    if bericht.scope == NATIONAL:
        return karte_grafik(bericht, None)
    return karte_grafik(bericht, Land.objects.get(kurz=bericht.scope))
