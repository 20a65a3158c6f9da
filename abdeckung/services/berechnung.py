"""Where coverage is computed: the figure types (:class:`Zahl`, :class:`Kennzahl`) and the
one aggregate.

The definitions of the numbers are in :mod:`abdeckung.regeln`; this module implements them.

* :func:`abdeckung_berechnen` is a pure read and ONE SQL query per call: the resolved
  responsibilities valid on the day, joined to the status of each responsible authority's
  onboarding record (now: ``Onboarding.status``; a past day: the :class:`Statusintervall`
  containing the end of that day), grouped per Land × service (or Kreis × service) with
  conditional aggregation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, FilteredRelation, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from abdeckung import regeln
from audit.selectors import tagesbeginn
from kommunen.models import Gemeinde
from leistungen.models import Zusage, Zustaendigkeit
from onboarding.models import STATUS_VALUES, Status


@dataclass(frozen=True)
class Zahl:
    """One of the three numbers: numerator, denominator and its (never rounded up) share."""

    zaehler: int
    nenner: int

    @property
    def quote(self) -> float | None:
        wert = regeln.quote(self.zaehler, self.nenner)
        return None if wert is None else float(wert)

    @property
    def text(self) -> str:
        return regeln.quote_text(self.zaehler, self.nenner)

    @property
    def flaechendeckend(self) -> bool:
        return regeln.ist_flaechendeckend(self.zaehler, self.nenner)

    def als_dict(self) -> dict[str, Any]:
        return {
            "zaehler": self.zaehler,
            "nenner": self.nenner,
            "quote": self.quote,
            "text": self.text,
            "flaechendeckend": self.flaechendeckend,
        }


@dataclass(frozen=True)
class Kennzahl:
    """The figures of one Land × service (``kreis_id`` None) or Kreis × service on a day
    (definitions: :mod:`abdeckung.regeln`). ``berechnet_am`` is the "Stand" shown next to
    the numbers; ``quelle`` says whether they were computed now or read from a stored set
    (``"berechnet"``, ``"aktuell"``, ``"taeglich"``, ``"stichtag"``)."""

    land_id: int
    land_kurz: str
    land_name: str
    leistung_id: int
    ozg_id: str
    leistung_name: str
    kreis_id: int | None
    kreis_ars: str | None
    kreis_name: str | None
    stichtag: dt.date
    behoerden_live: int
    behoerden_gesamt: int
    gemeinden_live: int
    gemeinden_gesamt: int
    einwohner_live: int
    einwohner_gesamt: int
    status_zaehlung: dict[str, int] = field(default_factory=dict)
    blockiert: int = 0
    berechnet_am: dt.datetime | None = None
    ereignis_bis: int | None = None
    quelle: str = "berechnet"

    @property
    def schluessel(self) -> tuple[int, int, int | None]:
        return (self.land_id, self.leistung_id, self.kreis_id)

    @property
    def behoerden(self) -> Zahl:
        return Zahl(self.behoerden_live, self.behoerden_gesamt)

    @property
    def gemeinden(self) -> Zahl:
        return Zahl(self.gemeinden_live, self.gemeinden_gesamt)

    @property
    def bevoelkerung(self) -> Zahl:
        return Zahl(self.einwohner_live, self.einwohner_gesamt)

    def zahlen(self) -> tuple[object, ...]:
        """The stored figures, for comparisons (without the "Stand" time)."""
        return (
            self.behoerden_live,
            self.behoerden_gesamt,
            self.gemeinden_live,
            self.gemeinden_gesamt,
            self.einwohner_live,
            self.einwohner_gesamt,
            self.blockiert,
            *sorted(self.status_zaehlung.items()),
        )

    def als_dict(self) -> dict[str, Any]:
        return {
            "land": {"kurz": self.land_kurz, "name": self.land_name},
            "leistung": {"ozg_id": self.ozg_id, "name": self.leistung_name},
            "kreis": ({"ars": self.kreis_ars, "name": self.kreis_name} if self.kreis_id else None),
            "stichtag": self.stichtag.isoformat(),
            "stand": self.berechnet_am.isoformat() if self.berechnet_am else None,
            "quelle": self.quelle,
            "behoerden": self.behoerden.als_dict(),
            "gemeinden": self.gemeinden.als_dict(),
            "bevoelkerung": self.bevoelkerung.als_dict(),
            "status_zaehlung": dict(self.status_zaehlung),
            "blockiert": self.blockiert,
        }


# --- the aggregate -------------------------------------------------------------------------


def tagesende(stichtag: dt.date) -> dt.datetime:
    """The end of ``stichtag`` (= the start of the next day, Europe/Berlin)."""
    return tagesbeginn(stichtag + dt.timedelta(days=1))


def zustaendigkeiten_mit_status(
    *, stichtag: dt.date | None, land_ids: Iterable[int] | None = None
) -> QuerySet[Zustaendigkeit]:
    """Responsibilities of committed services valid on the day, with the status of the
    responsible authority's record attached as the relation ``st`` (``st__status``,
    ``st__blockiert``; null when the authority has no record then). The base of every
    coverage figure."""
    tag = stichtag or timezone.localdate()
    zusagen = Zusage.objects.filter(
        land_id=OuterRef("gemeinde__land_id"), leistung_id=OuterRef("leistung_id")
    ).filter(Q(zugesagt_am__isnull=True) | Q(zugesagt_am__lte=tag))
    qs = (
        Zustaendigkeit.objects.gueltig_am(tag)
        .filter(
            Q(gemeinde__gueltig_ab__isnull=True) | Q(gemeinde__gueltig_ab__lte=tag),
            Q(gemeinde__gueltig_bis__isnull=True) | Q(gemeinde__gueltig_bis__gte=tag),
            Exists(zusagen),
        )
        .order_by()
    )
    if land_ids is not None:
        qs = qs.filter(gemeinde__land_id__in=list(land_ids))
    if stichtag is None:
        # Now: the one open record of the authority for the service.
        relation = FilteredRelation(
            "behoerde__onboardings",
            condition=Q(
                behoerde__onboardings__leistung_id=F("leistung_id"),
                behoerde__onboardings__geschlossen_am__isnull=True,
            ),
        )
    else:
        # Then: the interval containing the end of the day (at most one per authority ×
        # service, see statusintervalle_neu_aufbauen).
        ende = tagesende(stichtag)
        relation = FilteredRelation(
            "behoerde__statusintervalle",
            condition=Q(
                behoerde__statusintervalle__leistung_id=F("leistung_id"),
                behoerde__statusintervalle__von__lt=ende,
            )
            & (
                Q(behoerde__statusintervalle__bis__isnull=True)
                | Q(behoerde__statusintervalle__bis__gte=ende)
            ),
        )
    return qs.annotate(st=relation)


def _status_feld(status: str) -> str:
    return f"s_{status}"


def abdeckung_berechnen(
    *,
    stichtag: dt.date | None = None,
    land_ids: Iterable[int] | None = None,
    leistung_ids: Iterable[int] | None = None,
    je_kreis: bool = False,
) -> list[Kennzahl]:
    """The coverage figures (:mod:`abdeckung.regeln`) of every committed Land × service,
    or with ``je_kreis`` of every Kreis × service, at the end of ``stichtag`` (``None``:
    now, from ``Onboarding.status``; a day: from :class:`Statusintervall`).

    A pure read and ONE SQL query. Past days read the intervals as last rebuilt
    (:func:`abdeckung_aktualisieren` keeps them current)."""
    qs = zustaendigkeiten_mit_status(stichtag=stichtag, land_ids=land_ids)
    if leistung_ids is not None:
        qs = qs.filter(leistung_id__in=list(leistung_ids))
    # Group by ids only (names ride along as MIN(): sorting by text keys costs more).
    gruppe = ["gemeinde__land_id", "leistung_id"]
    namen = {
        "land_kurz": Min("gemeinde__land__kurz"),
        "land_name": Min("gemeinde__land__name"),
        "ozg_id": Min("leistung__ozg_id"),
        "leistung_name": Min("leistung__kurzname"),
    }
    if je_kreis:
        qs = qs.filter(gemeinde__kreis__isnull=False)
        gruppe.append("gemeinde__kreis_id")
        namen.update(kreis_ars=Min("gemeinde__kreis__ars"), kreis_name=Min("gemeinde__kreis__name"))
    abgedeckt = Q(st__status__in=regeln.ABGEDECKT)
    gemeinde = ~Q(gemeinde__typ__in=Gemeinde.GEMEINDEFREI_TYPEN)
    zaehlung = {
        _status_feld(s): Count("behoerde_id", distinct=True, filter=Q(st__status=s))
        for s in STATUS_VALUES
    }
    zeilen = (
        qs.values(*gruppe)
        .annotate(
            behoerden_gesamt=Count("behoerde_id", distinct=True),
            behoerden_live=Count("behoerde_id", distinct=True, filter=abgedeckt),
            gemeinden_gesamt=Count("id", filter=gemeinde),
            gemeinden_live=Count("id", filter=gemeinde & abgedeckt),
            einwohner_gesamt=Coalesce(Sum("gemeinde__einwohner"), 0),
            einwohner_live=Coalesce(Sum("gemeinde__einwohner", filter=abgedeckt), 0),
            blockiert=Count("behoerde_id", distinct=True, filter=Q(st__blockiert=True)),
            ohne_datensatz=Count("behoerde_id", distinct=True, filter=Q(st__id__isnull=True)),
            **zaehlung,
            **namen,
        )
        .order_by(*gruppe)
    )
    jetzt = timezone.now()
    tag = stichtag or timezone.localdate(jetzt)
    ergebnis = []
    for z in zeilen:
        status_zaehlung = {s: z[_status_feld(s)] for s in STATUS_VALUES if z[_status_feld(s)]}
        if z["ohne_datensatz"]:
            # No record (yet) on that day: nothing is known about the authority.
            status_zaehlung[Status.UNBEKANNT] = (
                status_zaehlung.get(Status.UNBEKANNT, 0) + z["ohne_datensatz"]
            )
        ergebnis.append(
            Kennzahl(
                land_id=z["gemeinde__land_id"],
                land_kurz=z["land_kurz"],
                land_name=z["land_name"],
                leistung_id=z["leistung_id"],
                ozg_id=z["ozg_id"],
                leistung_name=z["leistung_name"],
                kreis_id=z.get("gemeinde__kreis_id"),
                kreis_ars=z.get("kreis_ars"),
                kreis_name=z.get("kreis_name"),
                stichtag=tag,
                behoerden_live=z["behoerden_live"],
                behoerden_gesamt=z["behoerden_gesamt"],
                gemeinden_live=z["gemeinden_live"],
                gemeinden_gesamt=z["gemeinden_gesamt"],
                einwohner_live=int(z["einwohner_live"]),
                einwohner_gesamt=int(z["einwohner_gesamt"]),
                status_zaehlung=status_zaehlung,
                blockiert=z["blockiert"],
                berechnet_am=jetzt,
            )
        )
    return ergebnis
