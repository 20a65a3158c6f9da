"""Who may see and request which steering reports.

| role                            | sees reports of                         | may request    |
|---------------------------------|-----------------------------------------|----------------|
| administration / superuser      | national + every Land                   | every scope    |
| ministerium, no Land (Bund)     | national + every Land                   | every scope    |
| ministerium, Land X             | Land X                                  | Land X         |
| land_koordination, Land X       | Land X                                  | Land X         |
| gu_programmbuero                | its Länder (gu_beauftragt); national    | no             |
|                                 | only if it sees every participating Land|                |
| rollin_team (Land of its team)  | that Land                               | no             |

The national report shows the figures of every participating Land (with a commitment), so
it is visible only to users who may see every such Land (``onboarding.permissions._land_ids``):
a Land-scoped user never gets it. Requesting a report re-renders a frozen Stichtag; it is
left to the ministries, the Land coordination for its own Land and the administration.
Reports a user may not see do not exist for them (404).
"""

from __future__ import annotations

from typing import Any

from accounts.models import Rolle
from berichte.models import NATIONAL
from leistungen.models import Programmteilnahme
from onboarding.permissions import _aktiv, _ist_admin, _land_ids


def teilnehmende_land_ids() -> set[int]:
    """The Länder a report can be made for: participating with at least one commitment
    (the national report covers exactly these; ``berichte.inhalt`` uses the same rule)."""
    return set(
        Programmteilnahme.objects.filter(land__zusagen__isnull=False).values_list(
            "land_id", flat=True
        )
    )


def sieht_national(user: Any, *, teilnehmende: set[int] | None = None) -> bool:
    """True if the user may see the national report: they see every participating Land."""
    if not _aktiv(user):
        return False
    ids = _land_ids(user)
    if ids is None:
        return True
    if teilnehmende is None:
        teilnehmende = teilnehmende_land_ids()
    return bool(teilnehmende) and teilnehmende <= ids


def darf_anfordern(user: Any, *, scope: str, land_id: int | None) -> bool:
    """May the user request (generate) the report of this scope? ``user`` None is the
    system (the weekly beat run)."""
    if user is None:
        return True
    if not _aktiv(user):
        return False
    if _ist_admin(user):
        return True
    if user.rolle == Rolle.MINISTERIUM:
        if scope == NATIONAL:
            return user.land_id is None
        return user.land_id is None or user.land_id == land_id
    if user.rolle == Rolle.LAND_KOORDINATION:
        return scope != NATIONAL and user.land_id is not None and user.land_id == land_id
    return False
