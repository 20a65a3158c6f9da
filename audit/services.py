"""Writes to the audit history. Events are only ever inserted (see ``audit.models``).

Every write service of the project calls :func:`ereignis_schreiben` (or
:func:`ereignisse_anlegen` for bulk changes) inside its own transaction, so an event exists
exactly when the change it describes was committed.

``aenderungen`` maps a field name to ``[vorher, nachher]`` with JSON values: dates and
datetimes as ISO strings, foreign keys as ``{"id": …, "name": …}``. The entry ``version``
(when present) is technical: the optimistic-locking version before and after the change, used
to tell a user which changes they missed (``onboarding.services.Konflikt``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from audit.models import Aktion, Ereignis, Quelle


def json_wert(wert: Any) -> Any:
    """A value as it is stored in ``Ereignis.aenderungen``."""
    if isinstance(wert, models.Model):
        return {"id": wert.pk, "name": str(wert)}
    if isinstance(wert, dt.datetime):
        return wert.isoformat()
    if isinstance(wert, dt.date):
        return wert.isoformat()
    if isinstance(wert, Decimal):
        return str(wert)
    return wert


def aenderungen_ermitteln(vorher: dict[str, Any], nachher: dict[str, Any]) -> dict[str, list[Any]]:
    """``{"feld": [vorher, nachher]}`` for every field whose JSON value differs."""
    ergebnis: dict[str, list[Any]] = {}
    for feld, neu in nachher.items():
        alt_json, neu_json = json_wert(vorher.get(feld)), json_wert(neu)
        if alt_json != neu_json:
            ergebnis[feld] = [alt_json, neu_json]
    return ergebnis


def _user_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def ereignis_bauen(
    *,
    user: Any,
    quelle: str,
    aktion: str,
    objekt: models.Model,
    aenderungen: dict[str, Any],
    onboarding_id: int | None = None,
    beschreibung: str = "",
    zeitpunkt: dt.datetime | None = None,
) -> Ereignis:
    """An unsaved event (for :func:`ereignisse_anlegen`)."""
    if quelle not in Quelle.values:
        raise ValueError(f"Unbekannte Quelle {quelle!r}.")
    if aktion not in Aktion.values:
        raise ValueError(f"Unbekannte Aktion {aktion!r}.")
    return Ereignis(
        zeitpunkt=zeitpunkt or timezone.now(),
        user_id=_user_id(user),
        quelle=quelle,
        aktion=aktion,
        objekt_typ=objekt._meta.label_lower,
        objekt_id=objekt.pk,
        onboarding_id=onboarding_id,
        beschreibung=beschreibung[:300],
        aenderungen={feld: [json_wert(v) for v in paar] for feld, paar in aenderungen.items()},
    )


def ereignis_schreiben(
    *,
    user: Any,
    quelle: str,
    aktion: str,
    objekt: models.Model,
    aenderungen: dict[str, Any],
    onboarding_id: int | None = None,
    beschreibung: str = "",
    zeitpunkt: dt.datetime | None = None,
) -> Ereignis:
    """Insert one event. ``user`` may be ``None`` (system)."""
    ereignis = ereignis_bauen(
        user=user,
        quelle=quelle,
        aktion=aktion,
        objekt=objekt,
        aenderungen=aenderungen,
        onboarding_id=onboarding_id,
        beschreibung=beschreibung,
        zeitpunkt=zeitpunkt,
    )
    ereignis.save(force_insert=True)
    return ereignis


def ereignisse_anlegen(*, ereignisse: list[Ereignis]) -> int:
    """Insert many events built with :func:`ereignis_bauen` in a few statements."""
    Ereignis.objects.bulk_create(ereignisse, batch_size=2000)
    return len(ereignisse)
