"""Helpers for the coverage tests: move records through the onboarding services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F

from audit.models import Aktion, Quelle
from audit.services import ereignis_bauen, ereignisse_anlegen
from onboarding.models import Onboarding
from onboarding.services import huerde_erfassen, onboarding_aktualisieren


def onboarding(schluessel: str, ozg_id: str) -> Onboarding:
    return Onboarding.objects.get(
        behoerde__schluessel=schluessel, leistung__ozg_id=ozg_id, geschlossen_am__isnull=True
    )


def status_setzen(
    o: Onboarding, status: str, *, user: Any, zeitpunkt: dt.datetime | None = None
) -> Onboarding:
    """Set the status through the service. A covered status goes through "live" first (the
    workflow requires it before "betriebsfähig"); the record is flagged ``baseline`` (already
    live before the programme), which the rules accept without the checklist."""
    o = Onboarding.objects.get(pk=o.pk)
    daten: dict[str, Any] = {"status": status}
    if status in ("live", "betriebsfaehig", "phase_1", "phase_2", "phase_3"):
        daten["baseline"] = True
    if status == "betriebsfaehig" and o.status != "live":
        o = onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=user,
            version=o.version,
            daten={"status": "live", "baseline": True},
            quelle=Quelle.SYSTEM,
            zeitpunkt=zeitpunkt,
        )
    return onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=user,
        version=o.version,
        daten=daten,
        quelle=Quelle.SYSTEM,
        zeitpunkt=zeitpunkt,
    )


def blockieren(
    onboardings: list[Onboarding], *, user: Any, zeitpunkt: dt.datetime | None = None
) -> Any:
    return huerde_erfassen(
        user=user,
        daten={
            "titel": "Fachverfahren-Modul fehlt",
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
        },
        onboarding_ids=[o.pk for o in onboardings],
        quelle=Quelle.SYSTEM,
        zeitpunkt=zeitpunkt,
    )


def alle_live(onboardings: list[Onboarding], *, user: Any) -> None:
    """Many records live at once: the update and the audit events the service writes."""
    ids = [o.pk for o in onboardings]
    Onboarding.objects.filter(pk__in=ids).update(
        status="live", baseline=True, version=F("version") + 1
    )
    ereignisse_anlegen(
        ereignisse=[
            ereignis_bauen(
                user=user,
                quelle=Quelle.SYSTEM,
                aktion=Aktion.GEAENDERT,
                objekt=o,
                aenderungen={
                    "status": [o.status, "live"],
                    "baseline": [o.baseline, True],
                    "version": [o.version, o.version + 1],
                },
                onboarding_id=o.pk,
                beschreibung="Status: live (Test)",
            )
            for o in onboardings
        ]
    )
