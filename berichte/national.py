"""The national picture of one committed service (issue #6, national report): the Länder's
burn-ups and funnels summed into one, so the national report shows one burn-up and one
funnel per service instead of one per Land × service.

Reads nothing itself: it aggregates the Land :class:`~dashboard.selectors.land.Burnup`
objects (from the frozen weekly snapshots) and the report's frozen figures, and returns the
same data types, so :func:`dashboard.figuren.verlauf.burnup_figur` and
:func:`dashboard.figuren.trichter.trichter_figur` draw them unchanged.

Rules (the report's method section states them):

* Actual series: at every weekly Stichtag (and each Land's commitment day and the report's
  Stichtag) the sum over the Länder committed by then of their covered and of their
  responsible authorities (each Land's last figure on or before that day).
* Target line: the sum of the Länder's target lines (each from its commitment figure to all
  its authorities at its own deadline); the deadline drawn is the latest one.
* Forecast: the service is flächendeckend only when every Land is, so the projected date is
  the latest of the Länder's projected dates; no forecast as soon as one Land with open
  authorities has none (no pace in the window).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from abdeckung import regeln
from abdeckung.models import Abdeckungsstand
from abdeckung.selectors import TrichterStufe
from abdeckung.services import Kennzahl
from dashboard.selectors.land import (
    PROGNOSE_HOECHSTENS_NACH_FRIST,
    Burnup,
    BurnupPunkt,
    trichter_aus_kennzahl,
)

#: ``land_kurz`` of an aggregated burn-up.
NATIONAL_KURZ = "DE"


@dataclass(frozen=True)
class NationalePrognose:
    """The national forecast of one service: the latest projected date of the Länder."""

    #: Länder with open authorities (the ones the date depends on).
    offen: int
    #: The projected date of full coverage in every Land; None: none (see ``ohne``) or
    #: nothing open.
    prognose_datum: dt.date | None
    #: The Land whose projected date is the latest (the one that sets the national date).
    letztes_land: str
    #: Länder with open authorities but no forecast (no pace in the window).
    ohne: tuple[str, ...]

    @property
    def text(self) -> str:
        if self.offen == 0:
            return "keine Prognose nötig: in allen Ländern sind alle Behörden angebunden"
        if self.ohne:
            return "keine Prognose: ohne Tempo in " + ", ".join(self.ohne)
        assert self.prognose_datum is not None
        return (
            f"volle Abdeckung in allen Ländern voraussichtlich am "
            f"{self.prognose_datum:%d.%m.%Y} (zuletzt {self.letztes_land})"
        )


def _stand_am(reihe: Sequence[BurnupPunkt], tag: dt.date) -> BurnupPunkt | None:
    """The Land's last point on or before ``tag`` (None before its commitment)."""
    treffer = None
    for p in reihe:
        if p.datum > tag:
            break
        treffer = p
    return treffer


def _ziel_wert(b: Burnup, tag: dt.date) -> float | None:
    """The Land's target line at ``tag`` (None before its commitment)."""
    if not b.ziel:
        return None
    (a, va), (f, vf) = b.ziel[0], b.ziel[-1]
    if tag < a:
        return None
    if tag >= f or f <= a:
        return float(vf)
    return va + (vf - va) * (tag - a).days / (f - a).days


def _ziel_linie(burnups: Sequence[Burnup]) -> tuple[tuple[dt.date, int], ...]:
    """The sum of the Länder's target lines: straight between the commitment days and
    deadlines (a sum of straight lines), a step where a Land's commitment starts."""
    mit_ziel = [b for b in burnups if b.ziel]
    knoten = sorted({d for b in mit_ziel for d, _ in (b.ziel[0], b.ziel[-1])})
    linie: list[tuple[dt.date, int]] = []
    for tag in knoten:
        nachher = sum(w for b in mit_ziel if (w := _ziel_wert(b, tag)) is not None)
        vorher = sum(
            w for b in mit_ziel if b.ziel[0][0] < tag and (w := _ziel_wert(b, tag)) is not None
        )
        if linie and round(vorher) != round(nachher):
            linie.append((tag, round(vorher)))
        linie.append((tag, round(nachher)))
    return tuple(linie)


def nationale_prognose(burnups: Sequence[Burnup]) -> NationalePrognose:
    offen = [b for b in burnups if b.letzter and b.letzter.behoerden_live < b.gesamt]
    ohne = tuple(
        sorted(b.land_name for b in offen if b.prognose is None or not b.prognose.prognose_datum)
    )
    datum, letztes = None, ""
    if offen and not ohne:
        datum, letztes = max(
            (b.prognose.prognose_datum, b.land_name)  # type: ignore[union-attr]
            for b in offen
        )
    return NationalePrognose(len(offen), datum, letztes, ohne)


def _prognose_linie(
    letzter: BurnupPunkt, prognose: NationalePrognose, frist: dt.date
) -> tuple[tuple[tuple[dt.date, int], ...], bool]:
    """Straight from the last actual point to all authorities at the projected date, cut
    (at the same slope) one year after the latest deadline, as on the Land page."""
    ziel = prognose.prognose_datum
    if ziel is None or prognose.ohne or ziel <= letzter.datum:
        return (), False
    grenze = max(frist, letzter.datum) + PROGNOSE_HOECHSTENS_NACH_FRIST
    if ziel <= grenze:
        return ((letzter.datum, letzter.behoerden_live), (ziel, letzter.behoerden_gesamt)), False
    offen = letzter.behoerden_gesamt - letzter.behoerden_live
    anteil = (grenze - letzter.datum).days / (ziel - letzter.datum).days
    wert = letzter.behoerden_live + int(offen * anteil)
    return ((letzter.datum, letzter.behoerden_live), (grenze, wert)), True


def nationaler_burnup(
    burnups: Sequence[Burnup], *, stichtag: dt.date, land_name: str
) -> tuple[Burnup, NationalePrognose]:
    """One service's burn-up summed over the Länder (``burnups``: that service's Land
    burn-ups at ``stichtag``), and its national forecast. ``land_name`` names the area in
    the chart's title ("… in 16 Ländern")."""
    if not burnups:
        raise ValueError("Ohne Land-Verläufe gibt es keinen nationalen Verlauf.")
    erster = burnups[0]
    stichtag_art = Abdeckungsstand.Art.STICHTAG
    tage = {stichtag}
    for b in burnups:
        if b.ist:
            tage.add(b.ist[0].datum)
        tage.update(p.datum for p in b.ist if p.quelle == stichtag_art)
    ist: list[BurnupPunkt] = []
    for tag in sorted(t for t in tage if t <= stichtag):
        punkte = [p for b in burnups if (p := _stand_am(b.ist, tag)) is not None]
        if not punkte:
            continue
        ist.append(
            BurnupPunkt(
                datum=tag,
                behoerden_live=sum(p.behoerden_live for p in punkte),
                behoerden_gesamt=sum(p.behoerden_gesamt for p in punkte),
                einwohner_live=sum(p.einwohner_live for p in punkte),
                einwohner_gesamt=sum(p.einwohner_gesamt for p in punkte),
                quelle=stichtag_art
                if all(p.quelle == stichtag_art for p in punkte)
                else "berechnet",
            )
        )
    frist = max(b.frist for b in burnups)
    zugesagt = [b.zugesagt_am for b in burnups if b.zugesagt_am is not None]
    prognose = nationale_prognose(burnups)
    linie: tuple[tuple[dt.date, int], ...] = ()
    gekappt = False
    hinweis = "noch keine Zahlen (vor der Zusage)"
    if ist:
        linie, gekappt = _prognose_linie(ist[-1], prognose, frist)
        hinweis = "" if linie else prognose.text
    return (
        Burnup(
            land_kurz=NATIONAL_KURZ,
            land_name=land_name,
            leistung_id=erster.leistung_id,
            ozg_id=erster.ozg_id,
            leistung_name=erster.leistung_name,
            stichtag=stichtag,
            frist=frist,
            zugesagt_am=min(zugesagt) if zugesagt else None,
            ist=tuple(ist),
            ziel=_ziel_linie(burnups),
            prognose=None,
            prognose_linie=linie,
            prognose_hinweis=hinweis,
            prognose_gekappt=gekappt,
        ),
        prognose,
    )


def trichter_summe(kennzahlen: Sequence[Kennzahl]) -> list[TrichterStufe]:
    """The phase funnel summed over several Land × service figures (every authority counted
    once per service): the steps of :func:`trichter_aus_kennzahl`, added up."""
    summe: dict[str, int] = defaultdict(int)
    vorlage: dict[str, TrichterStufe] = {}
    for k in kennzahlen:
        for stufe in trichter_aus_kennzahl(k):
            summe[stufe.status] += stufe.anzahl
            vorlage.setdefault(stufe.status, stufe)
    return [replace(vorlage[s], anzahl=summe[s]) for s in regeln.TRICHTER if s in vorlage]
