"""The burn-up charts: per commitment (a Land report) and per service summed over the Länder
(the national report)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from abdeckung.regeln import quote_text
from berichte.format import datum, zahl
from berichte.grafiken.modell import Grafik, NationaleGrafiken, Tabelle
from berichte.inhalt import NATIONAL, Bericht, LandAbschnitt, ZusageZeile
from berichte.national import NationalePrognose, nationaler_burnup
from dashboard.figuren.verlauf import burnup_figur
from dashboard.selectors.land import Burnup, BurnupPunkt, burnups_daten
from kommunen.models import Land
from leistungen.models import Zusage


def _tabellenpunkte(burnup: Burnup) -> list[BurnupPunkt]:
    """The points of the data table: the commitment start, the last point of every month
    and the Stichtag (a weekly or daily series would fill pages)."""
    if not burnup.ist:
        return []
    je_monat: dict[tuple[int, int], BurnupPunkt] = {}
    for p in burnup.ist:
        je_monat[(p.datum.year, p.datum.month)] = p
    punkte = {burnup.ist[0].datum: burnup.ist[0], burnup.ist[-1].datum: burnup.ist[-1]}
    punkte.update({p.datum: p for p in je_monat.values()})
    return [punkte[d] for d in sorted(punkte)]


def _verlauf_text(burnup: Burnup) -> str:
    """The actual line of a burn-up in words (for its alt text)."""
    letzter = burnup.letzter
    if letzter is None:
        return "noch ohne Zahlen"
    return (
        f"von {zahl(burnup.ist[0].behoerden_live)} am {datum(burnup.ist[0].datum)} auf "
        f"{zahl(letzter.behoerden_live)} von {zahl(letzter.behoerden_gesamt)} zuständigen "
        f"Behörden am {datum(letzter.datum)} ({letzter.behoerden_text})"
    )


def _burnup_tabelle(
    burnup: Burnup, *, caption: str, prognose: tuple[dt.date, str] | None
) -> Tabelle:
    """The values behind a burn-up: the table points, the target and, with ``prognose``
    (projected date, how), the forecast row."""
    zeilen = [
        (
            datum(pt.datum),
            f"{zahl(pt.behoerden_live)} von {zahl(pt.behoerden_gesamt)}",
            pt.behoerden_text,
            pt.bevoelkerung_text,
        )
        for pt in _tabellenpunkte(burnup)
    ]
    if burnup.ziel:
        ende, ziel = burnup.ziel[-1]
        zeilen.append(
            (f"Ziel {datum(ende)}", f"{zahl(ziel)} von {zahl(ziel)}", quote_text(ziel, ziel), "–")
        )
    letzter = burnup.letzter
    if prognose is not None and letzter is not None:
        tag, wie = prognose
        gesamt = zahl(letzter.behoerden_gesamt)
        zeilen.append((f"Prognose {datum(tag)}", f"{gesamt} von {gesamt}", wie, "–"))
    return Tabelle(
        caption=caption,
        kopf=("Datum", "Behörden angebunden", "Anteil Behörden", "Anteil Bevölkerung"),
        zeilen=tuple(zeilen),
    )


def burnup_grafik(burnup: Burnup, zeile: ZusageZeile) -> Grafik:
    p = zeile.prognose
    prognose = (
        f"Prognose: {p.status_text}, volle Abdeckung "
        + (f"am {datum(p.prognose_datum)}" if p.prognose_datum else "beim derzeitigen Tempo nie")
        if p
        else "keine Prognose"
    )
    alt = (
        f"Burn-up-Diagramm {zeile.leistung_name} in {zeile.land_name}: angebundene Behörden "
        f"{_verlauf_text(burnup)}; gestrichelte Ziellinie bis zu allen Behörden zur Frist "
        f"{datum(burnup.frist)}; {prognose}. Die Werte stehen in der Tabelle unter dem Diagramm."
    )
    return Grafik(
        schluessel=f"burnup-{zeile.land_kurz}-{zeile.ozg_id}",
        titel=f"Verlauf: {zeile.leistung_name} in {zeile.land_name}",
        alt=alt,
        figur=burnup_figur(burnup),
        tabelle=_burnup_tabelle(
            burnup,
            caption=f"Werte zum Verlauf {zeile.leistung_name} in {zeile.land_name} "
            "(Zusage, Monatsende, Stichtag; Ziel und Prognose)",
            prognose=(
                (
                    p.prognose_datum,
                    f"bei {str(p.rate_pro_woche).replace('.', ',')} Go-lives je Woche",
                )
                if p is not None and p.prognose_datum and p.verbleibend
                else None
            ),
        ),
        breite=820,
        hoehe=380,
    )


def laender_text(n: int) -> str:
    return "1 Land" if n == 1 else f"{n} Ländern"


def _nationale_burnup_grafik(
    burnup: Burnup, prognose: NationalePrognose, zeilen: list[ZusageZeile]
) -> Grafik:
    wo = laender_text(len(zeilen))
    zaehlung = Counter(z.prognose_status for z in zeilen if z.prognose)
    je_land = ", ".join(f"{n} {text}" for text, n in sorted(zaehlung.items()))
    alt = (
        f"Burn-up-Diagramm {burnup.leistung_name}, Summe über {wo}: angebundene Behörden "
        f"{_verlauf_text(burnup)}; gestrichelte Ziellinie: Summe der Ziellinien der Länder "
        f"bis zu allen Behörden zur jeweiligen Frist (späteste {datum(burnup.frist)}); "
        f"Prognose: {prognose.text}"
        + (f"; Prognose je Land: {je_land}" if je_land else "")
        + ". Die Werte stehen in der Tabelle unter dem Diagramm."
    )
    return Grafik(
        schluessel=f"burnup-{NATIONAL}-{burnup.ozg_id}",
        titel=f"Verlauf: {burnup.leistung_name} in {wo}",
        alt=alt,
        figur=burnup_figur(burnup),
        tabelle=_burnup_tabelle(
            burnup,
            caption=f"Werte zum Verlauf {burnup.leistung_name}, Summe über {wo} "
            "(erste Zusage, Monatsende, Stichtag; Ziel und Prognose)",
            prognose=(
                (prognose.prognose_datum, f"zuletzt {prognose.letztes_land}")
                if prognose.prognose_datum and prognose.offen
                else None
            ),
        ),
        breite=820,
        hoehe=380,
    )


def nationale_grafiken(
    bericht: Bericht, land_objekte: dict[str, Land]
) -> tuple[NationaleGrafiken, ...]:
    """One burn-up per committed service, summed over the Länder."""
    je_leistung: dict[str, list[tuple[ZusageZeile, Burnup]]] = defaultdict(list)
    for abschnitt in bericht.laender:
        for zeile, burnup in zip(
            abschnitt.zeilen, land_burnups(abschnitt, land_objekte, bericht.stichtag), strict=True
        ):
            je_leistung[zeile.ozg_id].append((zeile, burnup))
    ergebnis = []
    for ozg in sorted(je_leistung):
        paare = je_leistung[ozg]
        zeilen = [z for z, _ in paare]
        burnup, prognose = nationaler_burnup(
            [b for _, b in paare], stichtag=bericht.stichtag, land_name=laender_text(len(paare))
        )
        ergebnis.append(
            NationaleGrafiken(
                ozg_id=ozg,
                leistung_name=zeilen[0].leistung_name,
                laender=tuple(z.land_kurz for z in zeilen),
                burnup=_nationale_burnup_grafik(burnup, prognose, zeilen),
            )
        )
    return tuple(ergebnis)


def land_burnups(
    abschnitt: LandAbschnitt, land_objekte: dict[str, Land], stichtag: dt.date
) -> list[Burnup]:
    """The burn-ups of a Land's commitments (order of ``abschnitt.zeilen``), with the
    report's forecasts."""
    land = land_objekte[abschnitt.land_kurz]
    zusagen = list(
        Zusage.objects.filter(land=land, leistung_id__in=[z.leistung_id for z in abschnitt.zeilen])
        .select_related("leistung")
        .order_by("leistung__ozg_id")
    )
    prognosen = {z.leistung_id: z.prognose for z in abschnitt.zeilen if z.prognose}
    burnups = {
        b.leistung_id: b
        for b in burnups_daten(land=land, zusagen=zusagen, stichtag=stichtag, prognosen=prognosen)
    }
    return [burnups[z.leistung_id] for z in abschnitt.zeilen]
