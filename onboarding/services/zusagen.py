"""Commitments (Zusagen): audited changes by the Land coordinator or an administrator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from audit.models import Aktion
from audit.services import aenderungen_ermitteln, ereignis_schreiben
from leistungen.models import Zusage
from onboarding import permissions
from onboarding.services._basis import Ungueltig, jetzt

ZUSAGE_FELDER = ("frist", "zugesagt_am", "quelle")


def _datum(wert: Any, was: str, *, pflicht: bool) -> dt.date | None:
    if wert in (None, ""):
        if pflicht:
            raise Ungueltig(f"{was} ist nötig.")
        return None
    if isinstance(wert, dt.date) and not isinstance(wert, dt.datetime):
        return wert
    try:
        return dt.date.fromisoformat(str(wert).strip())
    except ValueError as exc:
        raise Ungueltig(f"{was}: {wert!r} ist kein gültiges Datum (erwartet JJJJ-MM-TT).") from exc


def zusage_aktualisieren(
    *,
    zusage_id: int,
    user: Any,
    daten: dict[str, Any],
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Zusage:
    """Change a commitment's deadline, date or source; audited (before → after)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        try:
            zusage = Zusage.objects.select_for_update().get(pk=zusage_id)
        except Zusage.DoesNotExist as exc:
            raise Ungueltig(f"Es gibt keine Zusage mit der Nummer {zusage_id}.") from exc
        if not permissions.darf_zusage_bearbeiten(user, zusage):
            raise PermissionDenied("Sie dürfen diese Zusage nicht bearbeiten.")
        unbekannt = sorted(set(daten) - set(ZUSAGE_FELDER))
        if unbekannt:
            raise Ungueltig(f"Diese Felder können nicht geändert werden: {', '.join(unbekannt)}.")
        neu: dict[str, Any] = {}
        if "frist" in daten:
            neu["frist"] = _datum(daten["frist"], "Die Frist", pflicht=True)
        if "zugesagt_am" in daten:
            neu["zugesagt_am"] = _datum(daten["zugesagt_am"], "Zugesagt am", pflicht=False)
        if "quelle" in daten:
            neu["quelle"] = str(daten["quelle"] or "").strip()
        zugesagt = neu.get("zugesagt_am", zusage.zugesagt_am)
        frist = neu.get("frist", zusage.frist)
        if zugesagt and frist and frist < zugesagt:
            raise Ungueltig("Die Frist liegt vor dem Datum der Zusage.")
        aenderungen = aenderungen_ermitteln({f: getattr(zusage, f) for f in neu}, neu)
        if not aenderungen:
            return zusage
        for feld in aenderungen:
            setattr(zusage, feld, neu[feld])
        zusage.save(update_fields=list(aenderungen))
        ereignis_schreiben(
            user=user,
            quelle=quelle,
            aktion=Aktion.GEAENDERT,
            objekt=zusage,
            aenderungen=aenderungen,
            beschreibung=f"Zusage {zusage} geändert",
            zeitpunkt=zeitpunkt,
        )
        return zusage


def zusage_anlegen(
    *,
    land_id: int,
    leistung_id: int,
    user: Any,
    daten: dict[str, Any],
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Zusage:
    """Record a new commitment (audited) and, after commit, create the onboarding records
    of every responsible authority for it."""
    from onboarding.tasks import onboardings_abgleichen_task

    zeitpunkt = jetzt(zeitpunkt)
    unbekannt = sorted(set(daten) - set(ZUSAGE_FELDER))
    if unbekannt:
        raise Ungueltig(f"Diese Felder können nicht gesetzt werden: {', '.join(unbekannt)}.")
    frist = _datum(daten.get("frist"), "Die Frist", pflicht=True)
    assert frist is not None  # pflicht=True raises instead of returning None
    zugesagt = _datum(daten.get("zugesagt_am"), "Zugesagt am", pflicht=False)
    if zugesagt and frist < zugesagt:
        raise Ungueltig("Die Frist liegt vor dem Datum der Zusage.")
    with transaction.atomic():
        zusage = Zusage(
            land_id=land_id,
            leistung_id=leistung_id,
            frist=frist,
            zugesagt_am=zugesagt,
            quelle=str(daten.get("quelle") or "").strip(),
        )
        if not permissions.darf_zusage_bearbeiten(user, zusage):
            raise PermissionDenied("Sie dürfen für dieses Land keine Zusage erfassen.")
        if Zusage.objects.filter(land_id=land_id, leistung_id=leistung_id).exists():
            raise Ungueltig("Für dieses Land und diese Leistung gibt es schon eine Zusage.")
        zusage.save()
        ereignis_schreiben(
            user=user,
            quelle=quelle,
            aktion=Aktion.ANGELEGT,
            objekt=zusage,
            aenderungen=aenderungen_ermitteln(
                dict.fromkeys(ZUSAGE_FELDER), {f: getattr(zusage, f) for f in ZUSAGE_FELDER}
            ),
            beschreibung=f"Zusage {zusage} erfasst",
            zeitpunkt=zeitpunkt,
        )
        onboardings_abgleichen_task.delay_on_commit(zusage.pk)
        return zusage
