"""Celery tasks of the services app. Tasks take primary keys and call one service."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from kommunen.models import Land
from leistungen.models import Leistung, Zusage
from leistungen.services import zustaendigkeiten_aufloesen


@shared_task(
    name="leistungen.zustaendigkeiten_aufloesen",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def zustaendigkeiten_aufloesen_task(
    land_id: int | None = None, leistung_id: int | None = None
) -> dict[str, Any]:
    """Rebuild the resolved responsibilities of one Land and/or service (or all).

    Idempotent: running it twice changes nothing the second time. A Land or service that
    no longer exists means there is nothing left to resolve.
    """
    land = Land.objects.filter(pk=land_id).first() if land_id is not None else None
    leistung = Leistung.objects.filter(pk=leistung_id).first() if leistung_id is not None else None
    if (land_id is not None and land is None) or (leistung_id is not None and leistung is None):
        return {"uebersprungen": True}
    ergebnis = zustaendigkeiten_aufloesen(land=land, leistung=leistung)
    _onboardings_nachziehen(land_id=land_id, leistung_id=leistung_id)
    return {
        "paare": ergebnis.paare,
        "neu": ergebnis.neu,
        "geaendert": ergebnis.geaendert,
        "geloescht": ergebnis.geloescht,
        "sekunden": ergebnis.sekunden,
    }


def _onboardings_nachziehen(*, land_id: int | None, leistung_id: int | None) -> None:
    """A changed responsibility changes who must be onboarded: keep the onboarding records
    of the affected commitments in step (one task per commitment, after commit)."""
    from onboarding.tasks import onboardings_abgleichen_task

    zusagen = Zusage.objects.all()
    if land_id is not None:
        zusagen = zusagen.filter(land_id=land_id)
    if leistung_id is not None:
        zusagen = zusagen.filter(leistung_id=leistung_id)
    for zusage_id in zusagen.values_list("pk", flat=True):
        onboardings_abgleichen_task.delay_on_commit(zusage_id)
