"""What a demo plan is made of (records, steps, hurdles, final statuses), the data date
and loading the records a plan is made for."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from leistungen.models import Zusage
from onboarding.demo.vorgaben import DEMO_ENDE, ZEITZONE, DemoHuerde
from onboarding.models import Checklistenpunkt, Onboarding


@dataclass(frozen=True)
class PunktInfo:
    id: int
    version: int
    phase: int
    pflicht: bool
    code: str
    text: str


@dataclass
class Datensatz:
    """What the plan needs to know about one onboarding record."""

    id: int
    schluessel: str
    name: str
    ozg_id: str
    land_kurz: str
    ist_pilot: bool
    punkte: list[PunktInfo]


@dataclass(order=True)
class Schritt:
    zeitpunkt: dt.datetime
    nummer: int
    art: str = field(compare=False)
    onboarding_id: int | None = field(compare=False, default=None)
    daten: dict[str, Any] = field(compare=False, default_factory=dict)


@dataclass
class Plan:
    schritte: list[Schritt]
    # hurdle key → (definition, onboarding ids); one-record hurdles get their own keys.
    huerden: dict[str, tuple[DemoHuerde, list[int]]]
    endstatus: dict[int, str]


def demo_stichtag(heute: dt.date | None = None) -> dt.date:
    """The last day of the demo data: today, but never after ``DEMO_ENDE``."""
    return min(heute or timezone.localdate(), DEMO_ENDE)


def arbeitszeitpunkt(tag: dt.date, rng: random.Random) -> dt.datetime:
    """A working-hours moment on ``tag``."""
    minuten = rng.randint(8 * 60, 17 * 60)
    return dt.datetime.combine(tag, dt.time(minuten // 60, minuten % 60), tzinfo=ZEITZONE)


def demo_datensaetze(*, zusagen: Iterable[Zusage]) -> list[Datensatz]:
    """The open onboarding records of ``zusagen`` with their checklist, in key order."""
    records = list(
        Onboarding.objects.filter(zusage__in=list(zusagen), geschlossen_am__isnull=True)
        .select_related("behoerde", "leistung", "zusage__land")
        .order_by("behoerde__schluessel", "leistung__ozg_id")
    )
    punkte: dict[int, list[PunktInfo]] = defaultdict(list)
    for p in Checklistenpunkt.objects.filter(onboarding__in=[r.pk for r in records]).order_by(
        "onboarding_id", "phase", "reihenfolge", "code"
    ):
        punkte[p.onboarding_id].append(
            PunktInfo(p.pk, p.version, p.phase, p.pflicht, p.code, p.text)
        )
    return [
        Datensatz(
            id=r.pk,
            schluessel=r.behoerde.schluessel,
            name=r.behoerde.name,
            ozg_id=r.leistung.ozg_id,
            land_kurz=r.zusage.land.kurz,
            ist_pilot=r.behoerde.ist_pilot,
            punkte=punkte[r.pk],
        )
        for r in records
    ]
