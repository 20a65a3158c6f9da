"""Reads for the start page: the programme at a glance (issue #5, "Overview").

Everything a ministry user checks in the morning, for the Länder they may see:

* KPI cards: authority × service pairs live, population covered (per service, and as
  inhabitant × service pairs), open blocking hurdles, commitments at risk;
* per participating Land a matrix Land × committed service: the three coverage numbers
  (:mod:`abdeckung.regeln`), the forecast (:mod:`abdeckung.prognose`), the trend since the
  frozen weekly Stichtag figures of a week ago, and the countdown to the deadline.

The figures come from the coverage engine (stored ``aktuell`` rows through
:func:`abdeckung.selectors.abdeckung_am`); nothing is recomputed here. Not shown: the
inhabitants who can use ALL committed services of their Land. It is exact only per unit
(a join of every responsibility with its authority's status, grouped per Gemeinde): about
0.35 s at national scale, over the page budget, and no stored figure holds it yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from abdeckung import regeln
from abdeckung.models import Abdeckungsstand
from abdeckung.prognose import GEFAEHRDET, NICHT_ERREICHBAR, Prognose, prognosen
from abdeckung.selectors import abdeckung_am
from abdeckung.services import Kennzahl, Zahl
from audit.models import Ereignis
from kommunen.models import Land
from leistungen.models import Behoerde, Zusage
from leistungen.selectors import teilnehmende_laender, zusagen_liste
from onboarding.models import Huerde

#: The trend compares with the frozen weekly figures of at least this many days ago.
TREND_ABSTAND = dt.timedelta(days=7)
#: How long a set of forecasts is reused at most (see :func:`_prognosen`).
PROGNOSE_CACHE_SEKUNDEN = 600


def _tsd(n: int) -> str:
    """German digit grouping: 13.248.928."""
    return f"{n:,}".replace(",", ".")


def _pp(jetzt: Zahl, damals: Zahl) -> Decimal | None:
    """Change of the (never rounded up) share in percentage points, as shown."""
    a, b = regeln.quote(jetzt.zaehler, jetzt.nenner), regeln.quote(damals.zaehler, damals.nenner)
    return None if a is None or b is None else a - b


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


def _trends(*, land_ids: set[int], bis: dt.date) -> dict[tuple[int, int], Abdeckungsstand]:
    """The Land rows of the latest frozen weekly Stichtag on or before ``bis`` (one per
    committed Land × service that counted then). One query: the day is an uncorrelated
    sub-select on the index ``abdeckungsstand_tag_idx``."""
    stichtage = Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.STICHTAG, kreis__isnull=True, land_id__in=land_ids
    )
    letzter = stichtage.filter(stichtag__lte=bis).order_by("-stichtag").values("stichtag")[:1]
    zeilen = (
        stichtage.filter(stichtag=Subquery(letzter))
        .order_by()
        .only(
            "stichtag",
            "land_id",
            "leistung_id",
            "behoerden_live",
            "behoerden_gesamt",
            "einwohner_live",
            "einwohner_gesamt",
        )
    )
    return {(z.land_id, z.leistung_id): z for z in zeilen}


def _trend(
    zusage: Zusage,
    kennzahl: Kennzahl | None,
    zeile: Abdeckungsstand | None,
    *,
    bis: dt.date,
    stichtag: dt.date | None,
) -> Trend:
    """The change since the Stichtag row ``zeile`` (of the day ``stichtag``); without one,
    why not."""
    if kennzahl is None:
        return Trend(None, "noch keine Zahlen")
    if zeile is None:
        if stichtag is None:
            grund = f"kein Wochenstichtag bis {bis:%d.%m.%Y} gespeichert"
        elif zusage.zugesagt_am and zusage.zugesagt_am > stichtag:
            grund = f"zugesagt erst am {zusage.zugesagt_am:%d.%m.%Y}"
        else:
            grund = f"nicht im Wochenstichtag vom {stichtag:%d.%m.%Y}"
        return Trend(None, grund)
    behoerden_damals = Zahl(zeile.behoerden_live, zeile.behoerden_gesamt)
    bevoelkerung_damals = Zahl(zeile.einwohner_live, zeile.einwohner_gesamt)
    return Trend(
        vergleich_am=zeile.stichtag,
        behoerden=kennzahl.behoerden_live - zeile.behoerden_live,
        behoerden_pp=_pp(kennzahl.behoerden, behoerden_damals),
        einwohner=kennzahl.einwohner_live - zeile.einwohner_live,
        bevoelkerung_pp=_pp(kennzahl.bevoelkerung, bevoelkerung_damals),
    )


def _prognosen(
    *,
    land_ids: set[int],
    kennzahlen: dict[tuple[int, int], Kennzahl],
    zusagen: list[Zusage],
    heute: dt.date,
) -> dict[tuple[int, int], Prognose]:
    """The forecast (now) of every commitment that has figures, from the same figures the
    page shows. A commitment that does not count yet (given for a later day) has no
    figures and gets no forecast: with nothing responsible yet, the rule would call it
    complete.

    The forecasts (three queries, the largest cost of the page at national scale) are
    cached under everything they depend on: the newest audit event (every change of a
    record's status, plan date or blocking writes one), the commitments, the figures and
    the day; at most :data:`PROGNOSE_CACHE_SEKUNDEN` old, so the run-rate window moves on.
    One query when cached; each forecast keeps its own ``berechnet_am`` (shown as Stand)."""
    letztes_ereignis = Ereignis.objects.order_by("-id").values_list("id", flat=True).first()
    merkmal = repr(
        (
            sorted(land_ids),
            letztes_ereignis,
            heute.isoformat(),
            sorted((z.pk, z.frist.isoformat(), str(z.zugesagt_am)) for z in zusagen),
            sorted((*s, k.behoerden_live, k.behoerden_gesamt) for s, k in kennzahlen.items()),
        )
    )
    schluessel = "cockpit:uebersicht:prognosen:" + hashlib.sha256(merkmal.encode()).hexdigest()
    ergebnis: dict[tuple[int, int], Prognose] | None = cache.get(schluessel)
    if ergebnis is None:
        alle = prognosen(stichtag=None, land_ids=land_ids, kennzahlen=list(kennzahlen.values()))
        ergebnis = {s: p for s, p in alle.items() if s in kennzahlen}
        cache.set(schluessel, ergebnis, PROGNOSE_CACHE_SEKUNDEN)
    return ergebnis


def _huerden_blockierend(land_ids: set[int] | None) -> int:
    """Open blocking hurdles; for a Land-scoped user those linked to a record of their
    Länder (the hurdle list's visibility rule). One query."""
    qs = Huerde.objects.exclude(stand=Huerde.Stand.GELOEST).filter(blockierend=True)
    if land_ids is not None:
        verknuepft = Huerde.onboardings.through.objects.filter(
            huerde_id=OuterRef("pk"), onboarding__zusage__land_id__in=land_ids
        )
        qs = qs.filter(Exists(verknuepft))
    return qs.count()


def _je_leistung(kennzahlen: Iterable[Kennzahl]) -> list[LeistungSumme]:
    gruppen: dict[str, list[Kennzahl]] = defaultdict(list)
    for k in kennzahlen:
        gruppen[k.ozg_id].append(k)
    return [
        LeistungSumme(
            name=ks[0].leistung_name,
            laender=len(ks),
            behoerden=Zahl(sum(k.behoerden_live for k in ks), sum(k.behoerden_gesamt for k in ks)),
            bevoelkerung=Zahl(
                sum(k.einwohner_live for k in ks), sum(k.einwohner_gesamt for k in ks)
            ),
        )
        for _, ks in sorted(gruppen.items())
    ]


def programm_uebersicht(*, land_ids: set[int] | None = None) -> Uebersicht:
    """The overview now, for the Länder ``land_ids`` (None = all).

    At most ten queries regardless of the number of Länder and services: Länder,
    commitments, the stored figures (two), the trend rows, the forecasts (newest audit
    event, plus three for :func:`abdeckung.prognose.prognosen` when not cached) and the
    hurdle count."""
    jetzt = timezone.now()
    heute = timezone.localdate(jetzt)
    trend_bis = heute - TREND_ABSTAND
    laender_qs = teilnehmende_laender()
    if land_ids is not None:
        laender_qs = laender_qs.filter(pk__in=land_ids)
    laender = list(laender_qs)
    ids = {land.pk for land in laender}
    zusagen = (
        list(zusagen_liste().filter(land_id__in=ids).order_by("frist", "leistung__ozg_id"))
        if ids
        else []
    )
    kennzahlen = (
        {(k.land_id, k.leistung_id): k for k in abdeckung_am(land_ids=ids)} if zusagen else {}
    )
    trends = _trends(land_ids=ids, bis=trend_bis) if kennzahlen else {}
    vergleich_am = next((z.stichtag for z in trends.values()), None)
    prognose_je = (
        _prognosen(land_ids=ids, kennzahlen=kennzahlen, zusagen=zusagen, heute=heute)
        if kennzahlen
        else {}
    )

    ergebnis: list[LandStand] = []
    for land in laender:
        zeilen = []
        for zusage in zusagen:
            if zusage.land_id != land.pk:
                continue
            schluessel = (zusage.land_id, zusage.leistung_id)
            kennzahl = kennzahlen.get(schluessel)
            zeilen.append(
                ZusageStand(
                    zusage=zusage,
                    tage_bis_frist=(zusage.frist - heute).days,
                    kennzahl=kennzahl,
                    prognose=prognose_je.get(schluessel),
                    trend=_trend(
                        zusage,
                        kennzahl,
                        trends.get(schluessel),
                        bis=trend_bis,
                        stichtag=vergleich_am,
                    ),
                )
            )
        ergebnis.append(
            LandStand(
                land=land,
                beigetreten_am=land.teilnahme.beigetreten_am,
                zusagen=zeilen,
            )
        )

    sichtbar = [k for k in kennzahlen.values() if k.land_id in ids]
    stand = [k.berechnet_am for k in sichtbar if k.berechnet_am]
    status = [p.status for p in prognose_je.values()]
    kpi = Kpi(
        behoerden=Zahl(
            sum(k.behoerden_live for k in sichtbar), sum(k.behoerden_gesamt for k in sichtbar)
        ),
        behoerden_stand=min(stand) if stand else None,
        blockiert=sum(k.blockiert for k in sichtbar),
        bevoelkerung=Zahl(
            sum(k.einwohner_live for k in sichtbar), sum(k.einwohner_gesamt for k in sichtbar)
        ),
        je_leistung=_je_leistung(sichtbar),
        huerden_blockierend=_huerden_blockierend(land_ids),
        huerden_stand=jetzt,
        zusagen=len(sichtbar),
        gefaehrdet=status.count(GEFAEHRDET),
        nicht_erreichbar=status.count(NICHT_ERREICHBAR),
        prognose_stand=min((p.berechnet_am for p in prognose_je.values()), default=None),
    )
    trends_gezeigt = [z.trend for s in ergebnis for z in s.zusagen if z.trend]
    vergleich = sorted({t.vergleich_am for t in trends_gezeigt if t.vergleich_am})
    return Uebersicht(
        heute=heute,
        laender=ergebnis,
        kpi=kpi,
        trend_bis=trend_bis,
        vergleich_tage=vergleich,
        alle_laender=land_ids is None,
    )


def pilotkommunen(*, land_ids: set[int] | None = None) -> QuerySet[Behoerde]:
    """Current pilot authorities (of the Länder ``land_ids``; None = all), by Land and name."""
    qs = Behoerde.objects.aktuell().filter(ist_pilot=True)
    if land_ids is not None:
        qs = qs.filter(land_id__in=land_ids)
    return qs.select_related("land").order_by("land__code", "name")
