"""The funnel charts: per commitment (a Land report) and one of all commitments summed over
the Länder (the national report)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from abdeckung.selectors import TrichterStufe
from berichte.format import datum, zahl
from berichte.grafiken.modell import Grafik, Tabelle
from berichte.grafiken.verlauf import laender_text
from berichte.inhalt import NATIONAL, Bericht, ZusageZeile
from berichte.national import trichter_summe
from dashboard.figuren.trichter import trichter_figur
from dashboard.selectors.land import trichter_aus_kennzahl


def _trichter_grafik(
    stufen: list[TrichterStufe], *, schluessel: str, was: str, stichtag: dt.date, einheit: str
) -> Grafik:
    titel = f"Phasen: {was}"
    figur = trichter_figur(stufen, titel=titel)
    gesamt = sum(s.anzahl for s in stufen)
    teile = [f"{s.bezeichnung} {zahl(s.anzahl)}" for s in stufen if s.anzahl]
    alt = (
        f"Balkendiagramm der Phasen {was} am {datum(stichtag)}: {zahl(gesamt)} {einheit}, "
        "davon " + "; ".join(teile) + ". Die Werte stehen in der Tabelle neben dem Diagramm."
    )
    return Grafik(
        schluessel=schluessel,
        titel=titel,
        alt=alt,
        figur=figur,
        tabelle=Tabelle(
            caption=f"{einheit[:1].upper()}{einheit[1:]} je Status: {was}",
            kopf=("Status", "Anzahl"),
            zeilen=tuple((s.bezeichnung, zahl(s.anzahl)) for s in stufen),
        ),
        breite=620,
        hoehe=320,
    )


def leistung_trichter(zeile: ZusageZeile) -> Grafik:
    return _trichter_grafik(
        trichter_aus_kennzahl(zeile.kennzahl),
        schluessel=f"trichter-{zeile.land_kurz}-{zeile.ozg_id}",
        was=f"{zeile.leistung_name} in {zeile.land_name}",
        stichtag=zeile.kennzahl.stichtag,
        einheit="zuständige Behörden",
    )


def nationaler_trichter(bericht: Bericht) -> Grafik:
    """One funnel of all commitments summed over the Länder (authority × service pairs);
    its table gives the counts per service, so no service's phases are lost in the sum."""
    zeilen = bericht.zeilen
    je_leistung: dict[str, list[ZusageZeile]] = defaultdict(list)
    for z in zeilen:
        je_leistung[z.ozg_id].append(z)
    leistungen = sorted(je_leistung)
    stufen = trichter_summe([z.kennzahl for z in zeilen])
    spalten = {
        ozg: {s.status: s.anzahl for s in trichter_summe([z.kennzahl for z in je_leistung[ozg]])}
        for ozg in leistungen
    }
    grafik = _trichter_grafik(
        stufen,
        schluessel=f"trichter-{NATIONAL}",
        was=f"alle Zusagen in {laender_text(len(bericht.laender))}",
        stichtag=bericht.stichtag,
        einheit="Behörde-Leistung-Paare",
    )
    tabelle = Tabelle(
        caption="Zuständige Behörden je Status und Leistung, Summe der Länder mit Zusage",
        kopf=("Status", *(je_leistung[o][0].leistung_name for o in leistungen), "gesamt"),
        zeilen=tuple(
            (
                s.bezeichnung,
                *(zahl(spalten[o].get(s.status, 0)) for o in leistungen),
                zahl(s.anzahl),
            )
            for s in stufen
        ),
    )
    return replace(grafik, tabelle=tabelle)
