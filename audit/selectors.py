"""Reads of the audit history: a record's timeline and point-in-time replay."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import Aktion, Ereignis

ONBOARDING_TYP = "onboarding.onboarding"
PUNKT_TYP = "onboarding.checklistenpunkt"
HUERDE_TYP = "onboarding.huerde"


def tagesbeginn(tag: dt.date) -> dt.datetime:
    """Midnight at the start of ``tag`` in the project's time zone (aware)."""
    return timezone.make_aware(dt.datetime.combine(tag, dt.time.min))


def ereignisse_fuer_onboarding(
    *,
    onboarding_id: int,
    user_id: int | None = None,
    von: dt.date | None = None,
    bis: dt.date | None = None,
) -> QuerySet[Ereignis]:
    """Events of the record, of its checklist items and of the hurdles linked to it, newest
    first. ``von``/``bis`` are inclusive days in the project's time zone."""
    from onboarding.models import Huerde

    huerden = Huerde.onboardings.through.objects.filter(onboarding_id=onboarding_id).values(
        "huerde_id"
    )
    qs = Ereignis.objects.filter(
        Q(onboarding_id=onboarding_id) | Q(objekt_typ=HUERDE_TYP, objekt_id__in=huerden)
    )
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    if von is not None:
        qs = qs.filter(zeitpunkt__gte=tagesbeginn(von))
    if bis is not None:
        qs = qs.filter(zeitpunkt__lt=tagesbeginn(bis + dt.timedelta(days=1)))
    return qs.select_related("user").order_by("-zeitpunkt", "-id")


def ereignisse_fuer_objekt(*, objekt_typ: str, objekt_id: int) -> QuerySet[Ereignis]:
    """Events of one object (``"onboarding.huerde"``, ``"leistungen.zusage"``, …), newest
    first."""
    return (
        Ereignis.objects.filter(objekt_typ=objekt_typ, objekt_id=objekt_id)
        .select_related("user")
        .order_by("-zeitpunkt", "-id")
    )


def onboarding_stand_am(*, onboarding_id: int, stichtag: dt.date) -> dict[str, Any] | None:
    """The record's field values at the END of ``stichtag``, replayed from the history.

    Values are in their JSON form as stored in the events (status as its code, dates as ISO
    strings, the team as ``{"id": …, "name": …}``). ``punkte`` maps each checklist item's
    code to its ``stand`` then. ``None`` if the record did not exist yet on that day.
    """
    from onboarding.models import Checklistenpunkt

    ende = tagesbeginn(stichtag + dt.timedelta(days=1))
    ereignisse = list(
        Ereignis.objects.filter(
            onboarding_id=onboarding_id,
            objekt_typ__in=[ONBOARDING_TYP, PUNKT_TYP],
            zeitpunkt__lt=ende,
        ).order_by("zeitpunkt", "id")
    )
    angelegt = any(
        e.objekt_typ == ONBOARDING_TYP and e.aktion == Aktion.ANGELEGT for e in ereignisse
    )
    if not angelegt:
        return None
    codes = dict(
        Checklistenpunkt.objects.filter(onboarding_id=onboarding_id).values_list("id", "code")
    )
    stand: dict[str, Any] = {"punkte": dict.fromkeys(codes.values(), "offen")}
    for ereignis in ereignisse:
        if ereignis.objekt_typ == ONBOARDING_TYP:
            for feld, (_vorher, nachher) in ereignis.aenderungen.items():
                stand[feld] = nachher
        elif "stand" in ereignis.aenderungen and ereignis.objekt_id in codes:
            stand["punkte"][codes[ereignis.objekt_id]] = ereignis.aenderungen["stand"][1]
    return stand
