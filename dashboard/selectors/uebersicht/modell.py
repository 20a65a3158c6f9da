"""The result types of the overview (:class:`Uebersicht` and its parts) and their display
formatting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from abdeckung.prognose import GEFAEHRDET, NICHT_ERREICHBAR, Prognose
from abdeckung.services import Kennzahl, Zahl
from kommunen.models import Land
from leistungen.models import Zusage


def _tsd(n: int) -> str:
    """German digit grouping: 13.248.928."""
    return f"{n:,}".replace(",", ".")


def _vorzeichen(wert: int | Decimal, *, einheit: str = "") -> str:
    """ "+3", "−1.234", "±0", German digit grouping / decimal comma."""
    if isinstance(wert, Decimal):
        text = f"{abs(wert):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    else:
        text = f"{abs(wert):,}".replace(",", ".")
    zeichen = "±" if wert == 0 else ("+" if wert > 0 else "−")
    return f"{zeichen}{text}{einheit}"


@dataclass(frozen=True)
class Trend:
    """Change of a commitment's figures since a frozen weekly Stichtag.

    ``vergleich`` is the stored ``stichtag`` row compared with; without one,
    ``grund`` says why there is no trend."""

    vergleich_am: dt.date | None
    grund: str = ""
    behoerden: int = 0
    behoerden_pp: Decimal | None = None
    einwohner: int = 0
    bevoelkerung_pp: Decimal | None = None

    @property
    def behoerden_text(self) -> str:
        return _vorzeichen(self.behoerden)

    @property
    def behoerden_pp_text(self) -> str:
        return "" if self.behoerden_pp is None else _vorzeichen(self.behoerden_pp, einheit=" Pp.")

    @property
    def einwohner_text(self) -> str:
        return _vorzeichen(self.einwohner)

    @property
    def bevoelkerung_pp_text(self) -> str:
        if self.bevoelkerung_pp is None:
            return ""
        return _vorzeichen(self.bevoelkerung_pp, einheit=" Pp.")

    @property
    def richtung(self) -> str:
        """ "auf", "ab" or "gleich" (Behörden first, then population)."""
        wert = self.behoerden or self.einwohner
        return "gleich" if wert == 0 else ("auf" if wert > 0 else "ab")


@dataclass(frozen=True)
class ZusageStand:
    """One commitment: countdown, current figures, forecast and trend."""

    zusage: Zusage
    tage_bis_frist: int
    kennzahl: Kennzahl | None = None
    prognose: Prognose | None = None
    trend: Trend | None = None

    @property
    def tage_ueberfaellig(self) -> int:
        return max(0, -self.tage_bis_frist)

    @property
    def prognose_badge(self) -> str:
        if self.prognose is None:
            return ""
        return {
            GEFAEHRDET: "kern-badge--warning",
            NICHT_ERREICHBAR: "kern-badge--danger",
        }.get(self.prognose.status, "kern-badge--success")

    @cached_property
    def zellen(self) -> MatrixZellen:
        """The matrix row as display strings (the national matrix has 112 rows: formatting
        them here costs a fraction of doing it with template filters)."""
        t = self.tage_bis_frist
        if t > 1:
            countdown = f"noch {_tsd(t)} Tage"
        elif t == 1:
            countdown = "noch 1 Tag"
        elif t == 0:
            countdown = "heute fällig"
        else:
            countdown = f"seit {_tsd(-t)} Tagen überschritten"
        k = self.kennzahl
        zahlen = (
            [
                (f"{_tsd(z.zaehler)}/{_tsd(z.nenner)}", z.text)
                for z in (k.behoerden, k.gemeinden, k.bevoelkerung)
            ]
            if k
            else []
        )
        p = self.prognose
        if p is None:
            prognose = ""
        elif p.verbleibend == 0:
            prognose = "flächendeckend erreicht"
        elif p.prognose_datum:
            prognose = f"voraussichtlich flächendeckend am {p.prognose_datum:%d.%m.%Y}"
        else:
            prognose = "kein Termin absehbar (keine Go-lives im Zeitraum)"
        tr = self.trend
        if tr is not None and tr.vergleich_am:
            pp = f" ({tr.behoerden_pp_text})" if tr.behoerden_pp_text else ""
            trend = (
                f"Behörden {tr.behoerden_text}{pp}",
                f"Bevölkerung {tr.bevoelkerung_pp_text or '–'} ({tr.einwohner_text} Einw.)",
                f"ggü. {tr.vergleich_am:%d.%m.%Y}",
            )
        else:
            trend = ("", "", tr.grund if tr else "")
        return MatrixZellen(
            frist=f"{self.zusage.frist:%d.%m.%Y}",
            countdown=countdown,
            knapp=t < 90,
            zahlen=zahlen,
            prognose_status=p.status_text if p else "",
            prognose_badge=self.prognose_badge,
            prognose=prognose,
            trend_behoerden=trend[0],
            trend_bevoelkerung=trend[1],
            trend_hinweis=trend[2],
            trend_richtung=tr.richtung if tr and tr.vergleich_am else "",
        )


@dataclass(frozen=True)
class MatrixZellen:
    frist: str
    countdown: str
    knapp: bool
    #: (numerator/denominator, share) of Behörden, Gemeinden, Bevölkerung; empty without
    #: figures.
    zahlen: list[tuple[str, str]]
    prognose_status: str
    prognose_badge: str
    prognose: str
    #: Trend lines ("Behörden +3 (+1,04 Pp.)", "Bevölkerung …"); without a comparison
    #: both empty and ``trend_hinweis`` says why, else it names the Stichtag.
    trend_behoerden: str
    trend_bevoelkerung: str
    trend_hinweis: str
    trend_richtung: str


@dataclass(frozen=True)
class LandStand:
    land: Land
    beigetreten_am: dt.date
    zusagen: list[ZusageStand] = field(default_factory=list)

    @property
    def anzahl_gemeinden_land(self) -> int | None:
        """Gemeinden of the Land (the denominator of the Gemeinden figure)."""
        return next((z.kennzahl.gemeinden_gesamt for z in self.zusagen if z.kennzahl), None)

    @property
    def abdeckung_stand(self) -> dt.datetime | None:
        """The "Stand" of the Land's coverage figures: the oldest among them (the card is no
        fresher than that)."""
        stand = [z.kennzahl.berechnet_am for z in self.zusagen if z.kennzahl]
        return min((s for s in stand if s is not None), default=None)


@dataclass(frozen=True)
class LeistungSumme:
    """One service over the visible Länder committed to it (exact sums: every authority and
    Gemeinde belongs to one Land)."""

    name: str
    laender: int
    behoerden: Zahl
    bevoelkerung: Zahl


@dataclass(frozen=True)
class Kpi:
    """The KPI cards, over the visible Länder."""

    behoerden: Zahl  # authority × service pairs
    behoerden_stand: dt.datetime | None
    blockiert: int  # authority × service pairs blocked by an open blocking hurdle
    #: Inhabitant × service pairs: per commitment the inhabitants whose responsible
    #: authority is covered, summed over the commitments (a population-weighted mean).
    bevoelkerung: Zahl
    je_leistung: list[LeistungSumme]
    huerden_blockierend: int
    huerden_stand: dt.datetime
    zusagen: int
    gefaehrdet: int
    nicht_erreichbar: int
    prognose_stand: dt.datetime | None

    @property
    def gefaehrdet_gesamt(self) -> int:
        return self.gefaehrdet + self.nicht_erreichbar


@dataclass(frozen=True)
class Uebersicht:
    heute: dt.date
    laender: list[LandStand]
    kpi: Kpi
    #: The latest Stichtag the trend may compare with (heute − 7 days).
    trend_bis: dt.date
    #: The Stichtage compared with (usually one).
    vergleich_tage: list[dt.date]
    #: Whether the user sees all Länder (KPI titles say "bundesweit").
    alle_laender: bool

    @property
    def stand(self) -> dt.datetime | None:
        """The oldest "Stand" among the coverage figures on the page."""
        return self.kpi.behoerden_stand
