"""The history behind the steering report: onboarding records and hurdles as they were at
given moments, replayed from the audit events (reads only).

Every replay reads only events up to the end of the Stichtag AND with an id no higher than
the frozen snapshot's ``ereignis_bis`` (the last event the engine had read when it froze the
week): a change made later, even one dated back into the week, never reaches last week's
report, so the lists agree with the frozen figures and re-rendering gives the same text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from audit.models import Ereignis
from audit.selectors import HUERDE_TYP, ONBOARDING_TYP
from onboarding.models import Onboarding

_ONBOARDING_FELDER = ("status", "blockiert", "geplant_golive", "geschlossen_am")


def _datum(wert: Any) -> dt.date | None:
    if not wert:
        return None
    if isinstance(wert, dt.date):
        return wert
    return dt.date.fromisoformat(str(wert)[:10])


@dataclass(frozen=True)
class DatensatzStand:
    """One onboarding record at one moment (``offen``: created and not closed then)."""

    onboarding_id: int
    status: str
    blockiert: bool
    geplant_golive: dt.date | None
    offen: bool
    # When the status last changed (up to that moment).
    status_seit: dt.datetime | None


def onboarding_staende(
    *,
    land_ids: Iterable[int],
    zeitpunkte: Sequence[dt.datetime],
    ereignis_bis: int,
) -> list[dict[int, DatensatzStand]]:
    """For each of the ascending ``zeitpunkte``: every record of the Länder's commitments
    that existed before it, with status, ``blockiert``, planned go-live and open/closed, as
    replayed from the events before that moment (ids up to ``ereignis_bis``). One query."""
    if list(zeitpunkte) != sorted(zeitpunkte):
        raise ValueError("Die Zeitpunkte müssen aufsteigend sein.")
    ereignisse = (
        Ereignis.objects.filter(
            onboarding_id__in=Onboarding.objects.filter(zusage__land_id__in=list(land_ids)).values(
                "pk"
            ),
            objekt_typ=ONBOARDING_TYP,
            zeitpunkt__lt=zeitpunkte[-1],
            id__lte=ereignis_bis,
        )
        .filter(aenderungen__has_any_keys=_ONBOARDING_FELDER)
        .order_by("zeitpunkt", "id")
        .values_list(
            "onboarding_id",
            "zeitpunkt",
            "aenderungen__status",
            "aenderungen__blockiert",
            "aenderungen__geplant_golive",
            "aenderungen__geschlossen_am",
        )
    )
    stand: dict[int, list[Any]] = {}
    ergebnis: list[dict[int, DatensatzStand]] = []
    offen_zeitpunkte = list(zeitpunkte)

    def festhalten() -> None:
        ergebnis.append(
            {
                pk: DatensatzStand(
                    onboarding_id=pk,
                    status=w[0],
                    blockiert=bool(w[1]),
                    geplant_golive=_datum(w[2]),
                    offen=not w[3],
                    status_seit=w[4],
                )
                for pk, w in stand.items()
                if w[0] is not None
            }
        )

    for onboarding_id, zeitpunkt, status, blockiert, geplant, geschlossen in ereignisse.iterator(
        chunk_size=5000
    ):
        while offen_zeitpunkte and zeitpunkt >= offen_zeitpunkte[0]:
            festhalten()
            offen_zeitpunkte.pop(0)
        if onboarding_id is None:
            continue
        werte = stand.setdefault(onboarding_id, [None, False, None, None, None])
        if status is not None and status[1] != werte[0]:
            werte[0] = status[1]
            werte[4] = zeitpunkt
        if blockiert is not None:
            werte[1] = blockiert[1]
        if geplant is not None:
            werte[2] = geplant[1]
        if geschlossen is not None:
            werte[3] = geschlossen[1]
    while offen_zeitpunkte:
        festhalten()
        offen_zeitpunkte.pop(0)
    return ergebnis


@dataclass(frozen=True)
class HuerdeStand:
    """One hurdle at one moment, replayed from its events."""

    huerde_id: int
    titel: str
    kategorie: str
    verantwortlich: str
    schwere: str
    blockierend: bool
    erfasst_am: dt.date
    geloest_am: dt.date | None
    loesung: str
    onboarding_ids: frozenset[int]

    def offen_am(self, tag: dt.date) -> bool:
        """Open on ``tag`` (:mod:`abdeckung.regeln`): recorded by then, not resolved by then."""
        return self.erfasst_am <= tag and (self.geloest_am is None or self.geloest_am > tag)


def huerden_stand(*, bis: dt.datetime, ereignis_bis: int) -> list[HuerdeStand]:
    """Every hurdle recorded before ``bis`` as it was then (events before ``bis`` with ids up
    to ``ereignis_bis``). One query."""
    ereignisse = (
        Ereignis.objects.filter(objekt_typ=HUERDE_TYP, zeitpunkt__lt=bis, id__lte=ereignis_bis)
        .order_by("zeitpunkt", "id")
        .values_list("objekt_id", "aenderungen")
    )
    werte: dict[int, dict[str, Any]] = {}
    for huerde_id, aenderungen in ereignisse:
        felder = werte.setdefault(huerde_id, {})
        for feld, paar in aenderungen.items():
            if isinstance(paar, list) and len(paar) == 2:
                felder[feld] = paar[1]
    ergebnis = []
    for huerde_id, f in sorted(werte.items()):
        erfasst = _datum(f.get("erfasst_am"))
        if erfasst is None:
            continue
        ergebnis.append(
            HuerdeStand(
                huerde_id=huerde_id,
                titel=str(f.get("titel") or ""),
                kategorie=str(f.get("kategorie") or ""),
                verantwortlich=str(f.get("verantwortlich") or ""),
                schwere=str(f.get("schwere") or ""),
                blockierend=bool(f.get("blockierend", True)),
                erfasst_am=erfasst,
                geloest_am=_datum(f.get("geloest_am")),
                loesung=str(f.get("loesung") or ""),
                onboarding_ids=frozenset(int(i) for i in (f.get("onboardings") or [])),
            )
        )
    return ergebnis
