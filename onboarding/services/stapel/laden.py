"""Loading for the bulk path: the records (locked ``FOR UPDATE`` in id order), their
checklist items and the teams the changes name, in a few statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from onboarding.models import Checklistenpunkt, Onboarding, Team
from onboarding.services.bearbeiten._gemeinsam import ONBOARDING_RELATED
from onboarding.services.stapel._gemeinsam import StapelAenderung, stuecke

_LADEN = 2000  # ids per loading query


def onboardings_laden(ids: set[int]) -> dict[int, Onboarding]:
    """The records, locked in id order (as ``checklistenpunkt_setzen`` locks one)."""
    ergebnis: dict[int, Onboarding] = {}
    for stueck in stuecke(sorted(ids), _LADEN):
        for o in (
            Onboarding.objects.select_for_update(of=("self",))
            # zusage__leistung and vorlage__leistung: their names go into audit values.
            .select_related(*ONBOARDING_RELATED, "zusage__leistung", "vorlage__leistung")
            .filter(pk__in=stueck)
            .order_by("pk")
        ):
            ergebnis[o.pk] = o
    return ergebnis


@dataclass(slots=True)
class _PunktStand:
    """A checklist item as the status rules read it (phase, required, stand, text); the
    items a change names are loaded as full model objects instead."""

    pk: int
    phase: int
    pflicht: bool
    stand: str
    text: str


def punkte_laden(ids: set[int], genannt: set[int]) -> dict[int, list[Any]]:
    """All checklist items of the records, in the order ``onboarding.punkte.all()`` has:
    the named ones (``genannt``) as model objects, the others as :class:`_PunktStand`."""
    objekte: dict[int, Checklistenpunkt] = {}
    for stueck in stuecke(sorted(genannt), _LADEN):
        objekte.update((p.pk, p) for p in Checklistenpunkt.objects.filter(pk__in=stueck))
    ergebnis: dict[int, list[Any]] = defaultdict(list)
    for stueck in stuecke(sorted(ids), _LADEN):
        for pk, oid, phase, pflicht, stand, text in Checklistenpunkt.objects.filter(
            onboarding_id__in=stueck
        ).values_list("pk", "onboarding_id", "phase", "pflicht", "stand", "text"):
            ergebnis[oid].append(objekte.get(pk) or _PunktStand(pk, phase, pflicht, stand, text))
    return ergebnis


def teams_laden(aenderungen: Iterable[StapelAenderung]) -> dict[int, Team]:
    ids = set()
    for a in aenderungen:
        wert = a.daten.get("team")
        if isinstance(wert, int) and not isinstance(wert, bool):
            ids.add(wert)
        elif isinstance(wert, str) and wert.strip().isdigit():
            ids.add(int(wert))
    return Team.objects.in_bulk(ids) if ids else {}
