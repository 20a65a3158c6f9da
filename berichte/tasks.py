"""Celery tasks of the report archive. They take primary keys (or a date) and call one
service; both are safe to run twice.

* :func:`bericht_erzeugen_task` renders one requested report. Acknowledged late: a worker
  killed mid-run leaves the message to be delivered again, and the service takes the run
  over once it is older than ``LAUF_VERALTET``. A report that cannot be made is not an
  error of the task: the service stores the message on the row.
* :func:`berichte_woechentlich_task` is the Monday 06:00 fan-out (``rollout/celery.py``):
  one generation task per scope, so one failing scope does not stop the others.

In the embedded default (no ``REDIS_URL``: ``task_always_eager``) both run in-process.
A worker process starts the charts' Chromium when it starts (``worker_process_init``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from celery.signals import worker_process_init
from django.db import InterfaceError, OperationalError

from berichte.models import ERZEUGEN_ZEITLIMIT
from berichte.services import bericht_erzeugen, berichte_woechentlich_anfordern

#: Transient errors worth retrying (database connection); anything else fails loudly.
TRANSIENT = (OperationalError, InterfaceError)
_RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 3,
}


@worker_process_init.connect(weak=False)
def _zeichner_im_worker_starten(**_: Any) -> None:
    """A worker process starts the Chromium that draws the report's charts right away (in
    the background: Celery expects this signal's handlers to return within seconds), so the
    Monday reports do not pay its start. Not in the embedded eager mode (no worker)."""
    from berichte.pdf import zeichner_vorstarten

    zeichner_vorstarten()


@shared_task(
    name="berichte.erzeugen",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=ERZEUGEN_ZEITLIMIT - 30,
    time_limit=ERZEUGEN_ZEITLIMIT,
    **_RETRY,
)
def bericht_erzeugen_task(bericht_id: int) -> dict[str, Any]:
    """Render and archive the requested report ``bericht_id``."""
    bericht = bericht_erzeugen(bericht_id=bericht_id)
    if bericht is None:
        return {"bericht": bericht_id, "status": "uebersprungen"}
    return {"bericht": bericht_id, "status": bericht.status, "sha256": bericht.sha256}


@shared_task(
    name="berichte.woechentlich",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    **_RETRY,
)
def berichte_woechentlich_task(stichtag: str | None = None) -> dict[str, str]:
    """Request the national and every participating Land's report for ``stichtag``
    (ISO date; default the newest frozen Stichtag)."""
    tag = dt.date.fromisoformat(stichtag) if stichtag else None
    return berichte_woechentlich_anfordern(stichtag=tag)
