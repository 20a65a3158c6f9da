"""Checklist items: done, open again, or waived (with a reason), and the automatic phase
advance that follows a completed phase."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from audit.models import Aktion
from audit.services import aenderungen_ermitteln, ereignis_schreiben
from onboarding.models import Checklistenpunkt, Onboarding
from onboarding.services._basis import (
    Konflikt,
    Ungueltig,
    datum,
    ereignisse_seit,
    jetzt,
    naechster_status,
    tag_von,
)
from onboarding.services.bearbeiten._gemeinsam import (
    Rechte,
    Schritt,
    nicht_geschlossen,
    onboarding_laden,
)
from onboarding.services.bearbeiten.datensatz import onboarding_schreiben, weiterschalten_text


def _erledigt_am(wert: Any, punkt: Checklistenpunkt) -> dt.date:
    if isinstance(wert, dt.date) and not isinstance(wert, dt.datetime):
        return wert
    try:
        return dt.date.fromisoformat(str(wert).strip())
    except ValueError as exc:
        raise Ungueltig(
            f"„{punkt.text}“: {wert!r} ist kein gültiges Erledigt-Datum (erwartet JJJJ-MM-TT)."
        ) from exc


def _weiterschalten(
    onboarding: Onboarding, user: Any, quelle: str, zeitpunkt: dt.datetime
) -> Onboarding:
    """Advance phase_1 → phase_2 → phase_3 while the current phase is complete (never to
    live). Each step is its own audited change by the same user."""
    while ziel := naechster_status(onboarding.status, list(onboarding.punkte.all())):
        onboarding = onboarding_schreiben(
            onboarding=onboarding,
            user=user,
            version=onboarding.version,
            neu={"status": ziel},
            quelle=quelle,
            zeitpunkt=zeitpunkt,
            beschreibung=weiterschalten_text(onboarding.status, ziel),
        )
    return onboarding


def geaendert_von(user: Any) -> Any:
    """Who is recorded on a changed checklist item."""
    return user if user and user.is_authenticated else None


def punkt_schritt(
    *,
    punkt: Checklistenpunkt,
    onboarding: Onboarding,
    rechte: Rechte,
    version: int,
    stand: str,
    verzicht_grund: str,
    erledigt_am: Any,
    heute: dt.date,
) -> Schritt | None:
    """Validate a change of a checklist item (fresh from the database, its record locked),
    without writing: scope, version, closed record, the stand, a waive needs a reason, the
    done date not in the future. ``None`` when nothing changes."""
    if not rechte.bearbeiten(onboarding):
        raise PermissionDenied("Sie dürfen dieses Onboarding nicht bearbeiten.")
    if punkt.version != version:
        punkt.refresh_from_db()
        raise Konflikt(aktuell=punkt, ereignisse=ereignisse_seit(objekt=punkt, version=version))
    nicht_geschlossen(onboarding)
    if stand not in Checklistenpunkt.Stand.values:
        raise Ungueltig(f"Unbekannter Stand {stand!r} (erlaubt: offen, erledigt, verzichtet).")
    grund = (verzicht_grund or "").strip()
    neu: dict[str, Any] = {"stand": stand}
    tag: dt.date | None
    if stand == Checklistenpunkt.Stand.VERZICHTET:
        if not grund:
            raise Ungueltig(f"Für den Verzicht auf „{punkt.text}“ ist ein Grund nötig.")
        if len(grund) > 300:
            raise Ungueltig("Der Verzichtsgrund darf höchstens 300 Zeichen lang sein.")
        neu.update(verzicht_grund=grund, erledigt_am=None)
    elif stand == Checklistenpunkt.Stand.ERLEDIGT:
        tag = _erledigt_am(erledigt_am, punkt) if erledigt_am else heute
        if tag is not None and tag > heute:
            raise Ungueltig(
                f"„{punkt.text}“: das Erledigt-Datum {datum(tag)} liegt in der Zukunft."
            )
        if punkt.stand == Checklistenpunkt.Stand.ERLEDIGT and erledigt_am is None:
            tag = punkt.erledigt_am  # ticking again keeps the date
        neu.update(verzicht_grund="", erledigt_am=tag)
    else:
        neu.update(verzicht_grund="", erledigt_am=None)
    vorher = {f: getattr(punkt, f) for f in neu}
    aenderungen = aenderungen_ermitteln(vorher, neu)
    if not aenderungen:
        return None
    aenderungen["version"] = [version, version + 1]
    text = {"erledigt": "erledigt", "offen": "wieder offen", "verzichtet": "verzichtet"}[stand]
    beschreibung = f"Phase {punkt.phase}: „{punkt.text}“ {text}"
    if stand == Checklistenpunkt.Stand.VERZICHTET:
        beschreibung += f" ({grund})"
    return Schritt(felder=neu, aenderungen=aenderungen, beschreibung=beschreibung)


def checklistenpunkt_setzen(
    *,
    punkt_id: int,
    user: Any,
    version: int,
    stand: str,
    verzicht_grund: str = "",
    erledigt_am: dt.date | None = None,
    quelle: str,
    zeitpunkt: dt.datetime | None = None,
) -> Checklistenpunkt:
    """Mark a checklist item done, open again, or waived (with a reason). When the current
    phase's required items are then complete, the status advances automatically (phase_1 →
    phase_2 → phase_3, never to live)."""
    zeitpunkt = jetzt(zeitpunkt)
    with transaction.atomic():
        try:
            punkt = Checklistenpunkt.objects.get(pk=punkt_id)
        except Checklistenpunkt.DoesNotExist as exc:
            raise Ungueltig(f"Es gibt keinen Checklistenpunkt mit der Nummer {punkt_id}.") from exc
        # Serialise checklist changes of one record, so the phase completion is seen once.
        list(Onboarding.objects.select_for_update().filter(pk=punkt.onboarding_id).values("pk"))
        onboarding = onboarding_laden(punkt.onboarding_id)
        punkt.refresh_from_db()
        schritt = punkt_schritt(
            punkt=punkt,
            onboarding=onboarding,
            rechte=Rechte(user),
            version=version,
            stand=stand,
            verzicht_grund=verzicht_grund,
            erledigt_am=erledigt_am,
            heute=tag_von(zeitpunkt),
        )
        if schritt is None:
            return punkt
        geaendert = Checklistenpunkt.objects.filter(pk=punkt.pk, version=version).update(
            **schritt.felder, geaendert_von=geaendert_von(user), version=F("version") + 1
        )
        if geaendert == 0:
            punkt.refresh_from_db()
            raise Konflikt(aktuell=punkt, ereignisse=ereignisse_seit(objekt=punkt, version=version))
        ereignis_schreiben(
            user=user,
            quelle=quelle,
            aktion=Aktion.GEAENDERT,
            objekt=punkt,
            aenderungen=schritt.aenderungen,
            onboarding_id=onboarding.pk,
            beschreibung=schritt.beschreibung,
            zeitpunkt=zeitpunkt,
        )
        _weiterschalten(onboarding, user, quelle, zeitpunkt)
        punkt.refresh_from_db()
        return punkt
