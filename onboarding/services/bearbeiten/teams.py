"""Assigning roll-in teams to many records at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.models import Aktion
from audit.services import ereignis_bauen, ereignisse_anlegen
from onboarding import permissions
from onboarding.models import Onboarding, Team
from onboarding.services._basis import Ungueltig, jetzt
from onboarding.services.bearbeiten._gemeinsam import nicht_geschlossen, team_lesen, team_passt


def team_zuweisen(
    *,
    onboarding_ids: list[int],
    team: Team | int | None,
    user: Any,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> int:
    """Assign (or with ``None`` remove) a roll-in team for many records; returns how many
    changed. All or nothing: one record out of scope refuses the whole assignment."""
    zeitpunkt = jetzt(zeitpunkt)
    team_obj = team_lesen(team)
    with transaction.atomic():
        ids = sorted(set(onboarding_ids))
        onboardings = list(
            Onboarding.objects.select_for_update(of=("self",))
            .select_related("behoerde", "zusage__land", "team")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        fehlen = sorted(set(ids) - {o.pk for o in onboardings})
        if fehlen:
            raise Ungueltig(f"Unbekannte Onboardings: {', '.join(map(str, fehlen))}.")
        verboten = [o for o in onboardings if not permissions.darf_team_zuweisen(user, o)]
        if verboten:
            raise PermissionDenied(
                f"Sie dürfen {len(verboten)} der gewählten Onboardings kein Team zuweisen "
                f"(z. B. {verboten[0]})."
            )
        for o in onboardings:
            nicht_geschlossen(o)
            team_passt(team_obj, o)
        zu_aendern = [o for o in onboardings if o.team_id != (team_obj.pk if team_obj else None)]
        if not zu_aendern:
            return 0
        Onboarding.objects.filter(pk__in=[o.pk for o in zu_aendern]).update(
            team=team_obj, version=F("version") + 1, geaendert_am=timezone.now()
        )
        ereignisse_anlegen(
            ereignisse=[
                ereignis_bauen(
                    user=user,
                    quelle=quelle,
                    aktion=Aktion.GEAENDERT,
                    objekt=o,
                    aenderungen={
                        "team": [o.team, team_obj],
                        "version": [o.version, o.version + 1],
                    },
                    onboarding_id=o.pk,
                    beschreibung=f"Team: {o.team or '–'} → {team_obj or '–'}",
                    zeitpunkt=zeitpunkt,
                )
                for o in zu_aendern
            ]
        )
        return len(zu_aendern)
