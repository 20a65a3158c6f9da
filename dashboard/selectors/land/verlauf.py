"""Burn-up series and phase funnel of the committed services of one Land (see
:mod:`dashboard.selectors.land`)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    Q,
)
from django.utils import timezone

from abdeckung import regeln
from abdeckung.models import Abdeckungsstand
from abdeckung.prognose import Prognose
from abdeckung.prognose import prognosen as prognosen_berechnen
from abdeckung.selectors import TrichterStufe, _gruppe, abdeckung_am
from abdeckung.services import Kennzahl, abdeckung_berechnen
from kommunen.models import Land
from leistungen.models import Leistung, Zusage
from onboarding.models import Status

# --- burn-up --------------------------------------------------------------------------------

# The shares of a series repeat (a flat stretch, the same total week after week): the
# exact decimal arithmetic of the rules is done once per pair of counts.
_quote = functools.lru_cache(maxsize=8192)(regeln.quote)
_quote_text = functools.lru_cache(maxsize=8192)(regeln.quote_text)


@dataclass(frozen=True)
class BurnupPunkt:
    """The figures of one day (end of the day; the last point of "now" is the current
    state): covered and responsible authorities, inhabitants served and all inhabitants."""

    datum: dt.date
    behoerden_live: int
    behoerden_gesamt: int
    einwohner_live: int
    einwohner_gesamt: int
    quelle: str  # "stichtag", "taeglich", "aktuell" or "berechnet"

    @property
    def behoerden_text(self) -> str:
        return _quote_text(self.behoerden_live, self.behoerden_gesamt)

    @property
    def bevoelkerung_text(self) -> str:
        return _quote_text(self.einwohner_live, self.einwohner_gesamt)

    @property
    def bevoelkerung_quote(self) -> float | None:
        wert = _quote(self.einwohner_live, self.einwohner_gesamt)
        return None if wert is None else float(wert)


@dataclass(frozen=True)
class Burnup:
    """Everything the burn-up chart of one committed Land × service shows.

    ``ist``: the actual series up to ``stichtag`` (oldest first, one point per day): the
    figure of the commitment day, the weekly Stichtage, the daily figures of the last
    :data:`TAEGLICH_GEZEICHNET` and the figure of the day itself.
    ``ziel``: the target line from the commitment (``zugesagt_am``, figure then) to
    (``frist``, all responsible authorities). ``prognose_linie``: from the last actual point
    at the forecast's rate to its projected date (empty without a rate or when nothing
    remains); ``prognose_hinweis`` says why there is none."""

    land_kurz: str
    land_name: str
    leistung_id: int
    ozg_id: str
    leistung_name: str
    stichtag: dt.date
    frist: dt.date
    zugesagt_am: dt.date | None
    ist: tuple[BurnupPunkt, ...]
    ziel: tuple[tuple[dt.date, int], ...]
    prognose: Prognose | None
    prognose_linie: tuple[tuple[dt.date, int], ...]
    prognose_hinweis: str
    #: The forecast line was cut at this date (projected date far beyond the deadline).
    prognose_gekappt: bool = False

    @property
    def letzter(self) -> BurnupPunkt | None:
        return self.ist[-1] if self.ist else None

    @property
    def tabelle(self) -> tuple[BurnupPunkt, ...]:
        """The points of the text alternative: the weekly Stichtage plus the first and the
        last point (with daily figures a year would be 365 rows per service); every point
        when there are no weekly ones."""
        if not any(p.quelle == Abdeckungsstand.Art.STICHTAG for p in self.ist):
            return self.ist
        letzte = len(self.ist) - 1
        return tuple(
            p
            for i, p in enumerate(self.ist)
            if i in (0, letzte) or p.quelle == Abdeckungsstand.Art.STICHTAG
        )

    @property
    def gesamt(self) -> int:
        return self.letzter.behoerden_gesamt if self.letzter else 0

    @property
    def titel(self) -> str:
        return f"{self.leistung_name} in {self.land_name}: angebundene Behörden"


#: Daily figures drawn before the last point (older ones: only the weekly Stichtage).
TAEGLICH_GEZEICHNET = dt.timedelta(weeks=8)

#: A computed start figure is kept this long (it only changes with a new audit event).
START_CACHE_SEKUNDEN = 24 * 3600

#: How far after the deadline a forecast line is drawn at most (a projection years ahead
#: would squash the actual series); the projected date is still named in the text.
PROGNOSE_HOECHSTENS_NACH_FRIST = dt.timedelta(days=365)


def _punkt(k: Kennzahl | Abdeckungsstand, datum: dt.date, quelle: str) -> BurnupPunkt:
    return BurnupPunkt(
        datum=datum,
        behoerden_live=k.behoerden_live,
        behoerden_gesamt=k.behoerden_gesamt,
        einwohner_live=k.einwohner_live,
        einwohner_gesamt=k.einwohner_gesamt,
        quelle=quelle,
    )


def _gespeicherte_reihen(
    *, land_id: int, leistung_ids: Iterable[int] | None, bis: dt.date, tage: Iterable[dt.date]
) -> dict[int, dict[dt.date, BurnupPunkt]]:
    """Stored figures of the whole Land up to ``bis`` (inclusive), per service and day: the
    weekly Stichtage, the daily figures of the last :data:`TAEGLICH_GEZEICHNET` before
    ``bis`` (the recent pace in detail) and of the days ``tage`` (the commitment days). A
    year of every day would bloat the chart and the page; the weekly row wins over the
    daily row of the same Sunday (they freeze the same moment). One query."""
    art = Abdeckungsstand.Art
    zeilen = Abdeckungsstand.objects.filter(
        Q(art=art.STICHTAG)
        | Q(art=art.TAEGLICH)
        & (Q(stichtag__gte=bis - TAEGLICH_GEZEICHNET) | Q(stichtag__in=list(tage))),
        land_id=land_id,
        kreis__isnull=True,
        stichtag__lte=bis,
    )
    gewollt = set(leistung_ids) if leistung_ids is not None else None
    if gewollt is not None and len(gewollt) == 1:
        zeilen = zeilen.filter(leistung_id__in=gewollt)
    # Several services (the Land page: all of them) are filtered here, not in SQL: on the
    # index abdeckungsstand_unique_land (art, stichtag, land_id, leistung_id) a
    # "leistung_id IN (…)" is one index scan per service over every Land's rows (a Land has
    # hardly any rows of services it has not committed).
    reihen: dict[int, dict[dt.date, BurnupPunkt]] = defaultdict(dict)
    for leistung_id, tag, quelle, b_live, b_gesamt, e_live, e_gesamt in zeilen.order_by(
        "stichtag"
    ).values_list(
        "leistung_id",
        "stichtag",
        "art",
        "behoerden_live",
        "behoerden_gesamt",
        "einwohner_live",
        "einwohner_gesamt",
    ):
        if gewollt is not None and leistung_id not in gewollt:
            continue
        if quelle == art.TAEGLICH and tag in reihen[leistung_id]:
            continue
        reihen[leistung_id][tag] = BurnupPunkt(tag, b_live, b_gesamt, e_live, e_gesamt, quelle)
    return reihen


def _prognosen(
    *,
    land: Land,
    zusagen: list[Zusage],
    stichtag: dt.date | None,
    kennzahlen: list[Kennzahl] | None = None,
) -> dict[int, Prognose]:
    """The forecast per service of the Land, batched (a fixed number of queries). Now,
    with the Land-level ``kennzahlen`` shown: the overview's cached forecasts (keyed by the
    newest audit event, the commitments, the figures and the day), so forecast and figures
    agree. A past ``stichtag``: computed as of the end of that day."""
    if stichtag is None and kennzahlen is not None:
        from dashboard.selectors.uebersicht import _prognosen as prognosen_gecacht

        gecacht = prognosen_gecacht(
            land_ids={land.pk},
            kennzahlen={(k.land_id, k.leistung_id): k for k in kennzahlen},
            zusagen=zusagen,
            heute=timezone.localdate(),
        )
        return {lid: p for (land_id, lid), p in gecacht.items() if land_id == land.pk}
    alle = prognosen_berechnen(
        stichtag=stichtag,
        land_ids=[land.pk],
        leistung_ids=[z.leistung_id for z in zusagen],
        kennzahlen=kennzahlen,
    )
    return {leistung_id: p for (land_id, leistung_id), p in alle.items() if land_id == land.pk}


def _startwerte(
    *, land: Land, tag: dt.date, leistung_ids: list[int], stand: int | None
) -> list[Kennzahl]:
    """The figures at the end of a commitment day, computed from the history (one query).
    A past day's figures change only with a new audit event (``stand``: the newest one the
    current figures have processed), so they are cached under it."""
    schluessel = (
        "cockpit:land:start:"
        + hashlib.sha256(
            repr((land.pk, tag.isoformat(), sorted(leistung_ids), stand)).encode()
        ).hexdigest()
    )
    werte: list[Kennzahl] | None = cache.get(schluessel) if stand is not None else None
    if werte is None:
        werte = abdeckung_berechnen(stichtag=tag, land_ids=[land.pk], leistung_ids=leistung_ids)
        if stand is not None:
            cache.set(schluessel, werte, START_CACHE_SEKUNDEN)
    return werte


def _prognose_linie(
    letzter: BurnupPunkt, prognose: Prognose | None, frist: dt.date
) -> tuple[tuple[tuple[dt.date, int], ...], str, bool]:
    if prognose is None:
        return (), "keine Prognose", False
    verbleibend = letzter.behoerden_gesamt - letzter.behoerden_live
    if verbleibend <= 0:
        return (), "keine Prognose nötig: alle zuständigen Behörden sind angebunden", False
    if prognose.prognose_datum is None or prognose.rate_pro_woche <= 0:
        return (), "keine Prognose: kein Tempo (keine Go-lives im Fenster)", False
    ziel_datum = prognose.prognose_datum
    grenze = max(frist, letzter.datum) + PROGNOSE_HOECHSTENS_NACH_FRIST
    if ziel_datum <= grenze:
        linie = ((letzter.datum, letzter.behoerden_live), (ziel_datum, letzter.behoerden_gesamt))
        return linie, "", False
    # Cut the straight line at the limit: same rate, a point on the way.
    tage = (grenze - letzter.datum).days
    wert = letzter.behoerden_live + int(prognose.rate_pro_woche * tage / 7)
    wert = min(wert, letzter.behoerden_gesamt)
    return ((letzter.datum, letzter.behoerden_live), (grenze, wert)), "", True


def burnups_daten(
    *,
    land: Land,
    zusagen: list[Zusage] | None = None,
    stichtag: dt.date | None = None,
    prognosen: dict[int, Prognose] | None = None,
    aktuell: list[Kennzahl] | None = None,
) -> list[Burnup]:
    """The burn-up of every committed service of ``land`` (order of ``zusagen``, default
    by OZG-ID), up to the end of ``stichtag`` (None: now).

    Queries: the stored series (one), the figures of the day (``aktuell`` if given, else
    :func:`abdeckung_am`: two), the target start when no figure of the commitment day is
    stored (one per distinct commitment day, computed from the history), and the forecasts
    when ``prognosen`` is not given."""
    if zusagen is None:
        zusagen = list(
            Zusage.objects.filter(land=land).select_related("leistung").order_by("leistung__ozg_id")
        )
    if not zusagen:
        return []
    tag = stichtag or timezone.localdate()
    leistung_ids = [z.leistung_id for z in zusagen]
    reihen = _gespeicherte_reihen(
        land_id=land.pk,
        leistung_ids=leistung_ids,
        bis=tag,
        tage={z.zugesagt_am for z in zusagen if z.zugesagt_am is not None},
    )

    # The figure of the day itself: now, or the end of the given day.
    heute: list[Kennzahl] | None = None
    if stichtag is None:
        heute = aktuell if aktuell is not None else abdeckung_am(land=land)
        for k in heute:
            if k.leistung_id in reihen or k.leistung_id in leistung_ids:
                reihen[k.leistung_id][tag] = _punkt(k, tag, "aktuell")
    elif any(tag not in reihen.get(lid, {}) for lid in leistung_ids):
        for k in abdeckung_berechnen(stichtag=tag, land_ids=[land.pk], leistung_ids=leistung_ids):
            reihen[k.leistung_id].setdefault(tag, _punkt(k, tag, "berechnet"))

    # Target start: the figure at the end of the commitment day (stored, else computed).
    fehlende_starttage: dict[dt.date, list[int]] = defaultdict(list)
    for z in zusagen:
        start = z.zugesagt_am
        if start is not None and start <= tag and start not in reihen.get(z.leistung_id, {}):
            fehlende_starttage[start].append(z.leistung_id)
    starts: dict[int, BurnupPunkt] = {}
    stand = max((k.ereignis_bis or 0 for k in heute), default=None) if heute else None
    for start, ids in fehlende_starttage.items():
        for k in _startwerte(land=land, tag=start, leistung_ids=ids, stand=stand):
            starts[k.leistung_id] = _punkt(k, start, "berechnet")

    if prognosen is None:
        prognosen = _prognosen(
            land=land,
            zusagen=zusagen,
            stichtag=stichtag,
            kennzahlen=[k for k in heute if k.kreis_id is None] if heute is not None else None,
        )

    ergebnis = []
    for z in zusagen:
        reihe = reihen.get(z.leistung_id, {})
        if z.zugesagt_am is not None and z.leistung_id in starts:
            reihe = {**reihe, z.zugesagt_am: starts[z.leistung_id]}
        ist = tuple(reihe[d] for d in sorted(reihe) if z.zugesagt_am is None or d >= z.zugesagt_am)
        letzter = ist[-1] if ist else None
        prognose = prognosen.get(z.leistung_id)
        ziel: tuple[tuple[dt.date, int], ...] = ()
        linie: tuple[tuple[dt.date, int], ...] = ()
        if letzter is None:
            hinweis, gekappt = "noch keine Zahlen (vor der Zusage)", False
        else:
            # From the commitment's figure (the first point) to all authorities at the
            # deadline.
            anfang = ist[0]
            ziel = ((anfang.datum, anfang.behoerden_live), (z.frist, letzter.behoerden_gesamt))
            linie, hinweis, gekappt = _prognose_linie(letzter, prognose, z.frist)
        ergebnis.append(
            Burnup(
                land_kurz=land.kurz,
                land_name=land.name,
                leistung_id=z.leistung_id,
                ozg_id=z.leistung.ozg_id,
                leistung_name=z.leistung.kurzname,
                stichtag=tag,
                frist=z.frist,
                zugesagt_am=z.zugesagt_am,
                ist=ist,
                ziel=ziel,
                prognose=prognose,
                prognose_linie=linie,
                prognose_hinweis=hinweis,
                prognose_gekappt=gekappt,
            )
        )
    return ergebnis


def burnup_daten(
    *,
    land: Land,
    leistung: Leistung,
    stichtag: dt.date | None = None,
    prognose: Prognose | None = None,
) -> Burnup:
    """The burn-up of one committed Land × service (see :func:`burnups_daten`); raises
    ``ValueError`` when the Land has not committed the service."""
    zusage = Zusage.objects.filter(land=land, leistung=leistung).select_related("leistung").first()
    if zusage is None:
        raise ValueError(f"{land} hat für {leistung.kurzname} keine Zusage.")
    prognosen = {leistung.pk: prognose} if prognose is not None else None
    return burnups_daten(land=land, zusagen=[zusage], stichtag=stichtag, prognosen=prognosen)[0]


# --- funnel ---------------------------------------------------------------------------------


def trichter_aus_kennzahl(kennzahl: Kennzahl | None) -> list[TrichterStufe]:
    """The phase funnel of one Land × service from its figures (the same steps as
    :func:`abdeckung.selectors.phasen_trichter`, without another query)."""
    zaehlung = dict(kennzahl.status_zaehlung) if kennzahl else {}
    labels = dict(Status.choices)
    return [
        TrichterStufe(s, str(labels[s]), zaehlung.get(s, 0), _gruppe(s))
        for s in regeln.TRICHTER
        if s != Status.NICHT_ZUSTAENDIG or zaehlung.get(s)
    ]
