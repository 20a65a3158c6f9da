"""The charts of the steering report: the dashboard's own figure definitions
(:mod:`dashboard.figuren`) fed with the report's frozen figures, each with its text
alternative (a sentence for ``alt`` and a data table printed right after the chart).

Reads only; drawing them (kaleido → JPEG) is :mod:`berichte.pdf`'s job.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from abdeckung.models import Abdeckungsstand
from abdeckung.regeln import quote_text
from abdeckung.selectors import TrichterStufe
from berichte.format import datum, zahl
from berichte.inhalt import NATIONAL, Bericht, LandAbschnitt, ZusageZeile
from berichte.national import NationalePrognose, nationaler_burnup, trichter_summe
from dashboard.figuren.karte import karte_figur
from dashboard.figuren.trichter import trichter_figur
from dashboard.figuren.verlauf import burnup_figur
from dashboard.selectors.karte import Karte, grenzen_bytes, karte_daten
from dashboard.selectors.land import Burnup, BurnupPunkt, burnups_daten, trichter_aus_kennzahl
from kommunen.models import Land
from leistungen.models import Zusage


@dataclass(frozen=True)
class Tabelle:
    """A data table; the first cell of each row is its row header."""

    caption: str
    kopf: tuple[str, ...]
    zeilen: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Grafik:
    """One chart: the Plotly figure, its size in the PDF (``breite``/``hoehe`` in CSS px for
    kaleido), the ``alt`` text and the data table behind it."""

    schluessel: str
    titel: str
    alt: str
    figur: dict[str, Any]
    tabelle: Tabelle
    breite: int
    hoehe: int
    #: The boundaries (GeoJSON bytes) for traces whose ``geojson`` is the placeholder
    #: ``"__geometrie__"``, as in the browser (``static/js/charts.js``).
    grenzen: bytes | None = None
    #: The drawn chart as a data URI (set by :meth:`Grafiken.gezeichnet`).
    src: str = ""


@dataclass(frozen=True)
class LeistungGrafiken:
    """The burn-up of one commitment, and its funnel in a Land report."""

    zeile: ZusageZeile
    burnup: Grafik
    trichter: Grafik | None = None


@dataclass(frozen=True)
class LandGrafiken:
    """The charts of one Land (a Land report): burn-up and funnel per commitment."""

    land_kurz: str
    land_name: str
    leistungen: tuple[LeistungGrafiken, ...]


@dataclass(frozen=True)
class NationaleGrafiken:
    """The burn-up of one committed service in the national report, summed over the Länder
    that committed it (:mod:`berichte.national`)."""

    ozg_id: str
    leistung_name: str
    laender: tuple[str, ...]
    burnup: Grafik


@dataclass(frozen=True)
class Grafiken:
    laender: tuple[LandGrafiken, ...]
    karte: Grafik
    #: The national report's burn-up per service and its one funnel (all services summed
    #: over the Länder, the counts per service in its table); ``laender`` is then empty.
    leistungen: tuple[NationaleGrafiken, ...] = ()
    trichter: Grafik | None = None

    def alle(self) -> list[Grafik]:
        grafiken = [self.karte]
        if self.trichter is not None:
            grafiken.append(self.trichter)
        grafiken.extend(ng.burnup for ng in self.leistungen)
        for land in self.laender:
            for lg in land.leistungen:
                grafiken.append(lg.burnup)
                if lg.trichter is not None:
                    grafiken.append(lg.trichter)
        return grafiken

    def gezeichnet(self, zeichnen: Callable[[Grafik], str]) -> Grafiken:
        """The same charts with ``src`` set to ``zeichnen(grafik)``."""

        def mit(g: Grafik) -> Grafik:
            return replace(g, src=zeichnen(g))

        def vielleicht(g: Grafik | None) -> Grafik | None:
            return None if g is None else mit(g)

        return Grafiken(
            laender=tuple(
                replace(
                    land,
                    leistungen=tuple(
                        replace(lg, burnup=mit(lg.burnup), trichter=vielleicht(lg.trichter))
                        for lg in land.leistungen
                    ),
                )
                for land in self.laender
            ),
            karte=mit(self.karte),
            leistungen=tuple(replace(ng, burnup=mit(ng.burnup)) for ng in self.leistungen),
            trichter=vielleicht(self.trichter),
        )


# --- burn-up -----------------------------------------------------------------------------------


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


def _burnup_grafik(burnup: Burnup, zeile: ZusageZeile) -> Grafik:
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


# --- funnel ------------------------------------------------------------------------------------


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


def _leistung_trichter(zeile: ZusageZeile) -> Grafik:
    return _trichter_grafik(
        trichter_aus_kennzahl(zeile.kennzahl),
        schluessel=f"trichter-{zeile.land_kurz}-{zeile.ozg_id}",
        was=f"{zeile.leistung_name} in {zeile.land_name}",
        stichtag=zeile.kennzahl.stichtag,
        einheit="zuständige Behörden",
    )


def _nationaler_trichter(bericht: Bericht) -> Grafik:
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
        was=f"alle Zusagen in {_laender_text(len(bericht.laender))}",
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


def _laender_text(n: int) -> str:
    return "1 Land" if n == 1 else f"{n} Ländern"


def _nationale_burnup_grafik(
    burnup: Burnup, prognose: NationalePrognose, zeilen: list[ZusageZeile]
) -> Grafik:
    wo = _laender_text(len(zeilen))
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


def _nationale_grafiken(
    bericht: Bericht, land_objekte: dict[str, Land]
) -> tuple[NationaleGrafiken, ...]:
    """One burn-up per committed service, summed over the Länder."""
    je_leistung: dict[str, list[tuple[ZusageZeile, Burnup]]] = defaultdict(list)
    for abschnitt in bericht.laender:
        for zeile, burnup in zip(
            abschnitt.zeilen, _land_burnups(abschnitt, land_objekte, bericht.stichtag), strict=True
        ):
            je_leistung[zeile.ozg_id].append((zeile, burnup))
    ergebnis = []
    for ozg in sorted(je_leistung):
        paare = je_leistung[ozg]
        zeilen = [z for z, _ in paare]
        burnup, prognose = nationaler_burnup(
            [b for _, b in paare], stichtag=bericht.stichtag, land_name=_laender_text(len(paare))
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


def _land_burnups(
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


# --- map ---------------------------------------------------------------------------------------


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


def _karte_grafik(bericht: Bericht, land: Land | None) -> Grafik:
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
        return _karte_grafik(bericht, None)
    return _karte_grafik(bericht, Land.objects.get(kurz=bericht.scope))


def grafiken_bauen(bericht: Bericht, *, karte: Grafik | None = None) -> Grafiken:
    """Every chart of the report from its frozen figures and forecasts: the map and, in a
    Land report, a burn-up and a funnel per commitment; in the national report one burn-up
    per service summed over the Länder and one funnel of all services (its table per
    service): the national picture; the detail per Land is in the summary table and in the
    Land reports. ``karte``: the map if already built (:func:`karte_bauen`)."""
    land_objekte = {
        land.kurz: land
        for land in Land.objects.filter(kurz__in=[a.land_kurz for a in bericht.laender])
    }
    if bericht.scope == NATIONAL:
        return Grafiken(
            laender=(),
            karte=karte or _karte_grafik(bericht, None),
            leistungen=_nationale_grafiken(bericht, land_objekte),
            trichter=_nationaler_trichter(bericht),
        )
    laender = []
    for abschnitt in bericht.laender:
        burnups = _land_burnups(abschnitt, land_objekte, bericht.stichtag)
        laender.append(
            LandGrafiken(
                land_kurz=abschnitt.land_kurz,
                land_name=abschnitt.land_name,
                leistungen=tuple(
                    LeistungGrafiken(
                        zeile=zeile,
                        burnup=_burnup_grafik(burnup, zeile),
                        trichter=_leistung_trichter(zeile),
                    )
                    for zeile, burnup in zip(abschnitt.zeilen, burnups, strict=True)
                ),
            )
        )
    return Grafiken(
        laender=tuple(laender), karte=karte or _karte_grafik(bericht, land_objekte[bericht.scope])
    )
