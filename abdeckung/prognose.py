"""Forecast per Land × service: will the commitment be met by its deadline?

Inputs, all "Stand am D" (the end of day D, Europe/Berlin; without a date: now):

* ``verbleibend`` (R): responsible authorities not yet covered (denominator minus numerator
  of the Behörden figure of :func:`abdeckung.services.abdeckung_berechnen`).
* Run rate ``r``: go-lives per week over the last ``fenster_wochen`` weeks before D (at
  most since the commitment was given, at least one week). A go-live is a status change in
  the audit history from a status that is not covered to a covered one
  (:data:`abdeckung.regeln.ABGEDECKT`); records created in a covered status and records
  flagged ``baseline`` (live before the programme) are not counted, they say nothing about
  the programme's speed. The default window of **8 weeks** is long enough to smooth single
  weeks (holidays, a big batch on one day) and short enough to reflect the current speed of
  the roll-in rather than its slow start.
* Projected date of full coverage: D + R / r weeks (rounded up to whole days); none when r
  is 0.
* Rate still needed: R / weeks from D to the deadline (``Zusage.frist``, inclusive).
* Planned: open, not yet covered records with a planned go-live (``geplant_golive``) on or
  before the deadline (overdue plans included).
* Blocked: open, not yet covered records blocked by an open blocking hurdle.

Status rule (:data:`REGEL`), checked in this order:

1. ``im_plan`` when nothing remains (R = 0).
2. ``nicht_erreichbar`` when R > 0 and the deadline has passed (D after the deadline), or
   when even the optimistic capacity falls short: planned + r × weeks left < R (it counts
   every planned go-live AND the current speed on top, as if they never overlapped; if
   even that is not enough, the deadline cannot be met without a change of course).
3. ``gefaehrdet`` when the current speed alone does not reach full coverage by the
   deadline (no projected date, or projected date after the deadline), or when blocked
   records are at least ``huerden_schwelle`` (default 25 %) of the remaining authorities.
4. ``im_plan`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from abdeckung.regeln import ABGEDECKT
from audit.models import Aktion, Ereignis
from audit.selectors import tagesbeginn
from kommunen.models import Land
from leistungen.models import Leistung, Zusage
from onboarding.models import STATUS_VALUES, Onboarding

if TYPE_CHECKING:
    from abdeckung.services import Kennzahl

IM_PLAN = "im_plan"
GEFAEHRDET = "gefaehrdet"
NICHT_ERREICHBAR = "nicht_erreichbar"
STATUS_TEXT = {
    IM_PLAN: "im Plan",
    GEFAEHRDET: "gefährdet",
    NICHT_ERREICHBAR: "nicht erreichbar",
}

FENSTER_WOCHEN = 8
HUERDEN_SCHWELLE = Decimal("0.25")

REGEL = (
    "„nicht erreichbar“: Frist abgelaufen und noch Behörden offen, oder selbst alle "
    "geplanten Go-live-Termine bis zur Frist plus das derzeitige Tempo bis zur Frist "
    "reichen nicht für alle offenen Behörden. „gefährdet“: beim derzeitigen Tempo wird "
    "die volle Abdeckung erst nach der Frist (oder nie) erreicht, oder offene blockierende "
    "Hürden betreffen mindestens {schwelle} der offenen Behörden. Sonst „im Plan“."
)

_NICHT_ABGEDECKT = [s for s in STATUS_VALUES if s not in ABGEDECKT]


@dataclass(frozen=True)
class Prognose:
    land: str
    leistung: str
    stichtag: dt.date
    frist: dt.date
    fenster_wochen: int
    fenster_von: dt.date
    fenster_tage: int
    golives_im_fenster: int
    rate_pro_woche: Decimal
    behoerden_gesamt: int
    behoerden_live: int
    verbleibend: int
    wochen_bis_frist: Decimal
    benoetigte_rate: Decimal | None
    prognose_datum: dt.date | None
    geplant_bis_frist: int
    blockiert: int
    blockiert_anteil: Decimal | None
    huerden_schwelle: Decimal
    status: str
    begruendung: str
    annahmen: str
    berechnet_am: dt.datetime

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    def als_dict(self) -> dict[str, Any]:
        werte: dict[str, Any] = {}
        for feld in self.__dataclass_fields__:
            wert = getattr(self, feld)
            if isinstance(wert, dt.date | dt.datetime):
                wert = wert.isoformat()
            elif isinstance(wert, Decimal):
                wert = str(wert)
            werte[feld] = wert
        werte["status_text"] = self.status_text
        return werte


def _zahl(wert: Decimal | float) -> Decimal:
    """Two decimals, cut off (a rate is never shown higher than it is)."""
    return Decimal(wert).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def _anzahl(n: int) -> str:
    """A count with the German thousands separator: "1.384"."""
    return f"{n:,}".replace(",", ".")


def _text(wert: Decimal | float) -> str:
    """A rate or a number of weeks as a German reader writes it: "0,25"."""
    return f"{_zahl(wert):f}".replace(".", ",")


def _prozent(anteil: Decimal) -> str:
    return f"{(anteil * 100).normalize():f} %".replace(".", ",")


def _datum(tag: dt.date | None) -> str:
    return f"{tag:%d.%m.%Y}" if tag else "–"


def _offene_am(zusagen: list[Zusage], ende: dt.datetime | None) -> dict[int, tuple[int, int]]:
    """Per commitment, among its open records that are not covered: how many have a planned
    go-live on or before the deadline and how many are blocked. Now (``ende`` None) counted
    in SQL from the records; a past day replayed from the audit history up to ``ende``.
    One query."""
    zusage_ids = [z.pk for z in zusagen]
    if ende is None:
        nicht_live = ~Q(status__in=ABGEDECKT)
        zeilen = (
            Onboarding.objects.filter(zusage_id__in=zusage_ids, geschlossen_am__isnull=True)
            .values("zusage_id")
            .annotate(
                geplant=Count("id", filter=nicht_live & Q(geplant_golive__lte=F("zusage__frist"))),
                blockiert=Count("id", filter=nicht_live & Q(blockiert=True)),
            )
            .order_by()
        )
        return {z["zusage_id"]: (z["geplant"], z["blockiert"]) for z in zeilen}
    fristen = {z.pk: z.frist for z in zusagen}
    felder = ("status", "blockiert", "geplant_golive", "geschlossen_am")
    ereignisse = (
        Ereignis.objects.filter(
            onboarding_id__in=Onboarding.objects.filter(zusage_id__in=zusage_ids).values("pk"),
            objekt_typ="onboarding.onboarding",
            zeitpunkt__lt=ende,
        )
        .filter(aenderungen__has_any_keys=felder)
        .annotate(
            zusage_id=Subquery(
                Onboarding.objects.filter(pk=OuterRef("onboarding_id")).values("zusage_id")[:1]
            )
        )
        .order_by("zeitpunkt", "id")
        .values_list("onboarding_id", "zusage_id", "aenderungen")
    )
    stand: dict[int, dict[str, Any]] = {}
    for onboarding_id, zusage_id, aenderungen in ereignisse.iterator(chunk_size=5000):
        if onboarding_id is None:
            continue
        werte = stand.setdefault(
            onboarding_id,
            {"zusage_id": zusage_id, "status": None, "blockiert": False, "geplant_golive": None},
        )
        for feld in felder:
            if feld in aenderungen:
                werte[feld] = aenderungen[feld][1]
    geplant: dict[int, int] = defaultdict(int)
    blockiert: dict[int, int] = defaultdict(int)
    for werte in stand.values():
        if werte.get("geschlossen_am") or werte["status"] in (None, *ABGEDECKT):
            continue
        zusage_id = werte["zusage_id"]
        plan = werte["geplant_golive"]
        if plan and dt.date.fromisoformat(plan) <= fristen[zusage_id]:
            geplant[zusage_id] += 1
        if werte["blockiert"]:
            blockiert[zusage_id] += 1
    return {z: (geplant[z], blockiert[z]) for z in zusage_ids}


def _fensterbeginn(zusage: Zusage, ende: dt.datetime, fenster_wochen: int) -> dt.datetime:
    """Start of the run-rate window: ``fenster_wochen`` before ``ende``, at most since the
    commitment was given, at least one week."""
    beginn = ende - dt.timedelta(weeks=fenster_wochen)
    if zusage.zugesagt_am is not None:
        beginn = max(beginn, min(tagesbeginn(zusage.zugesagt_am), ende - dt.timedelta(weeks=1)))
    return beginn


def _golives(
    zusagen: list[Zusage], beginne: dict[int, dt.datetime], ende: dt.datetime
) -> dict[int, int]:
    """Per commitment: changes into a covered status in [its window start, ende), records
    flagged baseline excluded. One query."""
    if not zusagen:
        return {}
    zeilen = (
        Ereignis.objects.filter(
            onboarding_id__in=Onboarding.objects.filter(
                zusage_id__in=[z.pk for z in zusagen], baseline=False
            ).values("pk"),
            objekt_typ="onboarding.onboarding",
            aktion=Aktion.GEAENDERT,
            zeitpunkt__gte=min(beginne.values()),
            zeitpunkt__lt=ende,
        )
        .filter(
            Q(aenderungen__status__1__in=list(ABGEDECKT))
            & Q(aenderungen__status__0__in=_NICHT_ABGEDECKT)
        )
        .annotate(
            zusage_id=Subquery(
                Onboarding.objects.filter(pk=OuterRef("onboarding_id")).values("zusage_id")[:1]
            )
        )
        .values_list("zusage_id", "zeitpunkt")
    )
    anzahl: dict[int, int] = defaultdict(int)
    for zusage_id, zeitpunkt in zeilen:
        if zeitpunkt >= beginne[zusage_id]:
            anzahl[zusage_id] += 1
    return anzahl


def prognose(
    *,
    land: Land,
    leistung: Leistung,
    stichtag: dt.date | None = None,
    fenster_wochen: int = FENSTER_WOCHEN,
    huerden_schwelle: Decimal = HUERDEN_SCHWELLE,
) -> Prognose:
    """The forecast for one committed Land × service at the end of ``stichtag`` (default:
    now). Raises ``ValueError`` if the Land has no commitment for the service."""
    ergebnis = prognosen(
        stichtag=stichtag,
        land_ids=[land.pk],
        leistung_ids=[leistung.pk],
        fenster_wochen=fenster_wochen,
        huerden_schwelle=huerden_schwelle,
    )
    if (land.pk, leistung.pk) not in ergebnis:
        zusage = Zusage.objects.filter(land=land, leistung=leistung).first()
        if zusage is None:
            raise ValueError(f"{land} hat für {leistung.kurzname} keine Zusage.")
        raise ValueError(
            f"Die Zusage von {land} für {leistung.kurzname} zählt erst ab "
            f"{_datum(zusage.zugesagt_am)}; vorher gibt es keine Prognose."
        )
    return ergebnis[(land.pk, leistung.pk)]


def prognosen(
    *,
    stichtag: dt.date | None = None,
    land_ids: Iterable[int] | None = None,
    leistung_ids: Iterable[int] | None = None,
    kennzahlen: Iterable[Kennzahl] | None = None,
    fenster_wochen: int = FENSTER_WOCHEN,
    huerden_schwelle: Decimal = HUERDEN_SCHWELLE,
) -> dict[tuple[int, int], Prognose]:
    """The forecast of every commitment (of ``land_ids`` × ``leistung_ids``, default all)
    at the end of ``stichtag`` (default: now), keyed ``(land_id, leistung_id)``; a
    commitment given only after that day has no forecast (no key).

    Four queries however many commitments: the commitments, the coverage figures (one
    :func:`abdeckung.services.abdeckung_berechnen` query; none when the caller passes the
    Land-level ``kennzahlen`` it shows, so forecast and figures agree), the go-lives in the
    windows and the open records (now: their current state; a past day: replayed from the
    audit history)."""
    from abdeckung.services import abdeckung_berechnen

    if fenster_wochen < 1:
        raise ValueError("Das Fenster muss mindestens eine Woche lang sein.")
    zusagen_qs = Zusage.objects.select_related("land", "leistung")
    if land_ids is not None:
        zusagen_qs = zusagen_qs.filter(land_id__in=list(land_ids))
    if leistung_ids is not None:
        zusagen_qs = zusagen_qs.filter(leistung_id__in=list(leistung_ids))
    jetzt = timezone.now()
    tag = stichtag or timezone.localdate(jetzt)
    # A commitment counts from its zugesagt_am: before that it has no figures, and a
    # forecast of "nothing remains" would read as "im Plan".
    zusagen = [z for z in zusagen_qs if z.zugesagt_am is None or z.zugesagt_am <= tag]
    if not zusagen:
        return {}
    ende = jetzt if stichtag is None else tagesbeginn(stichtag + dt.timedelta(days=1))

    if kennzahlen is None:
        kennzahlen = abdeckung_berechnen(
            stichtag=stichtag,
            land_ids={z.land_id for z in zusagen},
            leistung_ids={z.leistung_id for z in zusagen},
        )
    gesamt: dict[tuple[int, int], int] = defaultdict(int)
    live: dict[tuple[int, int], int] = defaultdict(int)
    for k in kennzahlen:
        if k.kreis_id is not None:
            continue
        gesamt[(k.land_id, k.leistung_id)] += k.behoerden_gesamt
        live[(k.land_id, k.leistung_id)] += k.behoerden_live

    beginne = {z.pk: _fensterbeginn(z, ende, fenster_wochen) for z in zusagen}
    golives = _golives(zusagen, beginne, ende)
    offene = _offene_am(zusagen, None if stichtag is None else ende)
    ergebnis = {}
    for zusage in zusagen:
        schluessel = (zusage.land_id, zusage.leistung_id)
        ergebnis[schluessel] = _prognose_berechnen(
            zusage=zusage,
            tag=tag,
            jetzt=jetzt,
            ende=ende,
            beginn=beginne[zusage.pk],
            gesamt=gesamt[schluessel],
            live=live[schluessel],
            golives=golives.get(zusage.pk, 0),
            geplant=offene.get(zusage.pk, (0, 0))[0],
            blockiert=offene.get(zusage.pk, (0, 0))[1],
            fenster_wochen=fenster_wochen,
            huerden_schwelle=huerden_schwelle,
        )
    return ergebnis


def _prognose_berechnen(
    *,
    zusage: Zusage,
    tag: dt.date,
    jetzt: dt.datetime,
    ende: dt.datetime,
    beginn: dt.datetime,
    gesamt: int,
    live: int,
    golives: int,
    geplant: int,
    blockiert: int,
    fenster_wochen: int,
    huerden_schwelle: Decimal,
) -> Prognose:
    """The rule (module docstring) applied to one commitment's inputs; no queries."""
    verbleibend = gesamt - live
    fenster_tage = max(7, math.ceil((ende - beginn).total_seconds() / 86400))
    rate = Decimal(golives) * 7 / Decimal(fenster_tage)
    anteil = Decimal(blockiert) / Decimal(verbleibend) if verbleibend else None

    tage_bis_frist = max(0, (zusage.frist - tag).days)
    wochen = Decimal(tage_bis_frist) / 7
    benoetigt = Decimal(verbleibend) / wochen if verbleibend and wochen > 0 else None
    if verbleibend == 0:
        datum: dt.date | None = tag
    elif rate > 0:
        datum = tag + dt.timedelta(days=math.ceil(Decimal(verbleibend) / rate * 7))
    else:
        datum = None

    if verbleibend == 0:
        status, grund = IM_PLAN, "Alle zuständigen Behörden sind erreicht (flächendeckend)."
    elif tag > zusage.frist:
        status = NICHT_ERREICHBAR
        grund = (
            f"Die Frist ({_datum(zusage.frist)}) ist abgelaufen, "
            f"{_anzahl(verbleibend)} Behörden fehlen."
        )
    elif geplant + rate * wochen < verbleibend:
        status = NICHT_ERREICHBAR
        grund = (
            f"{_anzahl(verbleibend)} Behörden fehlen; selbst {_anzahl(geplant)} geplante "
            "Go-lives bis zur Frist "
            f"plus {_text(rate)} je Woche für {_text(wochen)} Wochen reichen nicht."
        )
    elif datum is None or datum > zusage.frist:
        status = GEFAEHRDET
        grund = (
            f"Beim derzeitigen Tempo ({_text(rate)} je Woche) wird die volle Abdeckung "
            + (f"erst am {_datum(datum)} erreicht" if datum else "nie erreicht")
            + f", nötig wären {_text(benoetigt or 0)} je Woche."
        )
    elif anteil is not None and anteil >= huerden_schwelle:
        status = GEFAEHRDET
        grund = (
            f"Blockierende Hürden betreffen {_anzahl(blockiert)} von "
            f"{_anzahl(verbleibend)} offenen Behörden "
            f"(mindestens {_prozent(huerden_schwelle)})."
        )
    else:
        status = IM_PLAN
        grund = f"Beim derzeitigen Tempo ist die volle Abdeckung am {_datum(datum)} erreicht."

    annahmen = (
        f"Tempo: Go-lives (Wechsel in „live“ oder „betriebsfähig“, ohne Baseline) der "
        f"letzten {fenster_tage} Tage ({_datum(timezone.localdate(beginn))} bis "
        f"{_datum(tag)}; Fenster {fenster_wochen} Wochen, höchstens seit der Zusage), je "
        f"Woche. Prognose: Stichtag + offene Behörden ÷ Tempo. Nötiges Tempo: offene "
        f"Behörden ÷ Wochen bis zur Frist ({_datum(zusage.frist)}). Geplant: offene "
        f"Onboardings mit geplantem Go-live bis zur Frist. "
        + REGEL.format(schwelle=_prozent(huerden_schwelle))
    )
    return Prognose(
        land=zusage.land.kurz,
        leistung=zusage.leistung.ozg_id,
        stichtag=tag,
        frist=zusage.frist,
        fenster_wochen=fenster_wochen,
        fenster_von=timezone.localdate(beginn),
        fenster_tage=fenster_tage,
        golives_im_fenster=golives,
        rate_pro_woche=_zahl(rate),
        behoerden_gesamt=gesamt,
        behoerden_live=live,
        verbleibend=verbleibend,
        wochen_bis_frist=_zahl(wochen),
        benoetigte_rate=_zahl(benoetigt) if benoetigt is not None else None,
        prognose_datum=datum,
        geplant_bis_frist=geplant,
        blockiert=blockiert,
        blockiert_anteil=_zahl(anteil) if anteil is not None else None,
        huerden_schwelle=huerden_schwelle,
        status=status,
        begruendung=grund,
        annahmen=annahmen,
        berechnet_am=jetzt,
    )
