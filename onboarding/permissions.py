"""Who may see and change what: the server-side scope used by every view, API call and
service of the roll-in workflow.

| role                        | sees                      | edits records | teams   | Zusagen |
|-----------------------------|---------------------------|---------------|---------|---------|
| ministerium, no Land (Bund) | all                       | no            | no      | no      |
| ministerium, Land X         | Land X                    | no            | no      | no      |
| land_koordination, Land X   | Land X                    | no            | Land X  | Land X  |
| gu_programmbuero            | Länder with gu_beauftragt | those Länder  | same    | no      |
| rollin_team, team T         | the Land of T             | team T's      | no      | no      |
| administration / superuser  | all                       | yes           | yes     | yes     |

"Edits records" covers the onboarding record, its checklist items and its hurdles. A hurdle
is visible when any linked record is visible and may be changed by someone who may edit
every record it is linked to.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Rolle
from kommunen.models import Land
from leistungen.models import Behoerde, Programmteilnahme, Zusage
from onboarding.models import Huerde, Onboarding


def _aktiv(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _ist_admin(user: Any) -> bool:
    return _aktiv(user) and (user.is_superuser or user.rolle == Rolle.ADMINISTRATION)


def _land_ids(user: Any) -> set[int] | None:
    """Ids of the Länder the user sees; ``None`` means all."""
    if not _aktiv(user):
        return set()
    if _ist_admin(user):
        return None
    if user.rolle == Rolle.MINISTERIUM:
        return None if user.land_id is None else {user.land_id}
    if user.rolle == Rolle.LAND_KOORDINATION:
        return {user.land_id} if user.land_id else set()
    if user.rolle == Rolle.GU_PROGRAMMBUERO:
        return _gu_land_ids()
    if user.rolle == Rolle.ROLLIN_TEAM:
        land_id = user.team.land_id if user.team_id else None
        return {land_id} if land_id else set()
    return set()


def _gu_land_ids() -> set[int]:
    return set(
        Programmteilnahme.objects.filter(gu_beauftragt=True).values_list("land_id", flat=True)
    )


def sichtbare_laender(user: Any) -> QuerySet[Land]:
    ids = _land_ids(user)
    return Land.objects.all() if ids is None else Land.objects.filter(pk__in=ids)


def onboardings_sichtbar(user: Any) -> QuerySet[Onboarding]:
    ids = _land_ids(user)
    qs = Onboarding.objects.all()
    return qs if ids is None else qs.filter(zusage__land_id__in=ids)


def onboardings_bearbeitbar(user: Any) -> QuerySet[Onboarding]:
    qs = Onboarding.objects.all()
    if not _aktiv(user):
        return qs.none()
    if _ist_admin(user):
        return qs
    if user.rolle == Rolle.GU_PROGRAMMBUERO:
        return qs.filter(zusage__land_id__in=_gu_land_ids())
    if user.rolle == Rolle.ROLLIN_TEAM and user.team_id:
        return qs.filter(team_id=user.team_id, zusage__land_id__in=_land_ids(user) or set())
    return qs.none()


def darf_onboarding_sehen(user: Any, onboarding: Onboarding) -> bool:
    ids = _land_ids(user)
    return ids is None or onboarding.zusage.land_id in ids


def darf_onboarding_bearbeiten(user: Any, onboarding: Onboarding) -> bool:
    if not _aktiv(user):
        return False
    if _ist_admin(user):
        return True
    if user.rolle == Rolle.GU_PROGRAMMBUERO:
        return onboarding.zusage.land_id in _gu_land_ids()
    if user.rolle == Rolle.ROLLIN_TEAM:
        return (
            user.team_id is not None
            and onboarding.team_id == user.team_id
            and darf_onboarding_sehen(user, onboarding)
        )
    return False


def darf_team_zuweisen(user: Any, onboarding: Onboarding) -> bool:
    if not _aktiv(user):
        return False
    if _ist_admin(user):
        return True
    land_id = onboarding.zusage.land_id
    if user.rolle == Rolle.LAND_KOORDINATION:
        return user.land_id is not None and land_id == user.land_id
    if user.rolle == Rolle.GU_PROGRAMMBUERO:
        return land_id in _gu_land_ids()
    return False


def darf_zusage_bearbeiten(user: Any, zusage: Zusage) -> bool:
    if not _aktiv(user):
        return False
    if _ist_admin(user):
        return True
    return (
        user.rolle == Rolle.LAND_KOORDINATION
        and user.land_id is not None
        and zusage.land_id == user.land_id
    )


def darf_behoerde_sehen(user: Any, behoerde: Behoerde) -> bool:
    ids = _land_ids(user)
    return ids is None or behoerde.land_id in ids


def huerden_sichtbar(user: Any) -> QuerySet[Huerde]:
    """Hurdles linked to at least one visible record."""
    ids = _land_ids(user)
    if ids is None:
        return Huerde.objects.all()
    return Huerde.objects.filter(
        pk__in=Huerde.onboardings.through.objects.filter(
            onboarding__zusage__land_id__in=ids
        ).values("huerde_id")
    )


def darf_huerde_sehen(user: Any, huerde: Huerde) -> bool:
    if _ist_admin(user):
        return True
    return huerden_sichtbar(user).filter(pk=huerde.pk).exists()


def darf_huerde_bearbeiten(user: Any, huerde: Huerde) -> bool:
    if not _aktiv(user):
        return False
    if _ist_admin(user):
        return True
    verknuepft = list(huerde.onboardings.select_related("zusage"))
    return bool(verknuepft) and all(darf_onboarding_bearbeiten(user, o) for o in verknuepft)


def onboarding_holen(*, user: Any, pk: int, bearbeiten: bool = False) -> Onboarding:
    """The record for a view: ``Http404`` if the user may not see it, ``PermissionDenied``
    if they may see but not edit it and ``bearbeiten`` is asked."""
    onboarding = (
        onboardings_sichtbar(user)
        .select_related("behoerde__land", "leistung", "zusage__land", "team", "vorlage")
        .filter(pk=pk)
        .first()
    )
    if onboarding is None:
        raise Http404("Kein sichtbares Onboarding mit dieser Nummer.")
    if bearbeiten and not darf_onboarding_bearbeiten(user, onboarding):
        raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
    return onboarding


def huerde_holen(*, user: Any, pk: int, bearbeiten: bool = False) -> Huerde:
    """The hurdle for a view, with the same semantics as :func:`onboarding_holen`."""
    huerde = huerden_sichtbar(user).filter(pk=pk).first()
    if huerde is None:
        raise Http404("Keine sichtbare Hürde mit dieser Nummer.")
    if bearbeiten and not darf_huerde_bearbeiten(user, huerde):
        raise PermissionDenied("Sie dürfen diese Hürde nicht bearbeiten.")
    return huerde
