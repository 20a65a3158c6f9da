"""Celery tasks of the onboarding app. Tasks take primary keys and call one service."""

from __future__ import annotations

from celery import shared_task

from leistungen.models import Zusage
from onboarding.services import onboardings_abgleichen


@shared_task(
    name="onboarding.onboardings_abgleichen",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def onboardings_abgleichen_task(zusage_id: int | None = None) -> dict[str, int]:
    """Keep the onboarding records of one commitment (or all) in step with the resolved
    responsibility. Safe to run twice; a commitment that no longer exists is skipped."""
    zusage = None
    if zusage_id is not None:
        zusage = Zusage.objects.select_related("land", "leistung").filter(pk=zusage_id).first()
        if zusage is None:
            return {"uebersprungen": 1}
    return onboardings_abgleichen(zusage=zusage)
