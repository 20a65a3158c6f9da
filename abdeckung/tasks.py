"""Celery tasks of the coverage engine, and the hook that schedules them after a change.

* :func:`abdeckung_vormerken` is called by every write service whose change can move a
  coverage figure (onboarding status and ``blockiert``, creating/closing records,
  re-resolved responsibility). It registers ONE after-commit callback per transaction; the
  callback schedules :func:`abdeckung_aktualisieren_task` and never raises: with Redis
  down the edit is saved anyway, a warning is logged, and the next run (the next change or
  the nightly full recomputation) catches up, because the incremental run reads every audit
  event after its watermark (``Verarbeitungsstand``).
* Bursts coalesce: the callback sets a Redis marker ``SET key NX EX`` and only the caller
  that set it enqueues the task, delayed by :data:`BUENDELN_SEKUNDEN`. The task removes the
  marker before it reads the history, so a change committed after that schedules a new run
  and a change committed before it is read by this one.
* In the embedded default (no ``REDIS_URL``: ``task_always_eager``) the run happens in
  process right after the commit.

Every task is idempotent (the services upsert; a second run finds nothing new), acknowledged
late (a worker killed mid-task leaves the message to be delivered again), has soft and hard
time limits, and retries only transient errors (database connection or serialization
failures, broker connection errors) with exponential backoff and a bound.

The periodic schedules are declared in ``rollout/celery.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import kombu.exceptions
import redis
from celery import shared_task
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Delay of a scheduled run: changes within this many seconds share one run.
BUENDELN_SEKUNDEN = 2
#: Lifetime of the "already scheduled" marker: longer than the delay, short enough that a
#: lost run (worker down) does not suppress scheduling for long.
MARKER_SEKUNDEN = 60
#: Test-only: seconds to wait inside the transaction of a run before it commits (lets the
#: worker test kill a worker mid-task). Never set in production.
PAUSE_ENV = "ABDECKUNG_TEST_PAUSE_SEKUNDEN"

#: Transient errors worth retrying; anything else is a bug and fails loudly.
TRANSIENT = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    kombu.exceptions.OperationalError,
)
_RETRY: dict[str, Any] = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}

# --- scheduling hook ----------------------------------------------------------------------


def marker_schluessel(*, voll: bool = False) -> str:
    """Redis key of the "run already scheduled" marker, per database (the test database
    and the development database may share one Redis)."""
    name = connection.settings_dict.get("NAME") or "default"
    return f"rollout:abdeckung:vorgemerkt:{'voll' if voll else 'inkrementell'}:{name}"


def _redis() -> redis.Redis:
    from rollout.celery import app

    return redis.Redis.from_url(
        str(app.conf.broker_url), socket_connect_timeout=1, socket_timeout=2
    )


def _einreihen(*, voll: bool) -> bool:
    """Schedule one run unless one is already scheduled; True if this call enqueued it.
    Never raises (the change that asked for it is committed already)."""
    from rollout.celery import app

    kwargs = {"voll": voll}
    if app.conf.task_always_eager:
        try:
            abdeckung_aktualisieren_task.apply(kwargs=kwargs)
        except Exception:
            logger.exception("Abdeckung: Neuberechnung im Prozess fehlgeschlagen")
        return True
    schluessel = marker_schluessel(voll=voll)
    try:
        client = _redis()
        if not client.set(schluessel, timezone.now().isoformat(), nx=True, ex=MARKER_SEKUNDEN):
            return False  # a run is scheduled and has not started: it will see this change
        try:
            abdeckung_aktualisieren_task.apply_async(
                kwargs=kwargs, countdown=BUENDELN_SEKUNDEN, retry=False
            )
        except Exception:
            client.delete(schluessel)
            raise
    except (redis.exceptions.RedisError, kombu.exceptions.KombuError, OSError) as exc:
        logger.warning(
            "Abdeckung: Neuberechnung konnte nicht eingereiht werden (%s); die Änderung ist "
            "gespeichert, der nächste Lauf holt sie nach.",
            exc,
        )
        return False
    return True


def _nach_commit_inkrementell() -> None:
    _einreihen(voll=False)


def _nach_commit_voll() -> None:
    _einreihen(voll=True)


_ausgesetzt = threading.local()


@contextmanager
def vormerken_ausgesetzt() -> Iterator[None]:
    """Schedule nothing inside this block (bulk loads such as the benchmark's data
    generator, which recompute once at the end)."""
    vorher = getattr(_ausgesetzt, "aktiv", False)
    _ausgesetzt.aktiv = True
    try:
        yield
    finally:
        _ausgesetzt.aktiv = vorher


def abdeckung_vormerken(*, voll: bool = False) -> None:
    """Schedule a coverage recomputation once the current transaction commits (at once
    outside a transaction). Registers at most one callback per transaction, so a bulk
    change of 10,000 records schedules one run. Never raises on broker errors."""
    if getattr(_ausgesetzt, "aktiv", False):
        return
    callback = _nach_commit_voll if voll else _nach_commit_inkrementell
    if connection.in_atomic_block and any(
        eintrag[1] is callback for eintrag in connection.run_on_commit
    ):
        return
    transaction.on_commit(callback, robust=True)


def _marker_loeschen(*, voll: bool) -> None:
    try:
        _redis().delete(marker_schluessel(voll=voll))
    except (redis.exceptions.RedisError, OSError) as exc:
        logger.warning("Abdeckung: Marker nicht gelöscht (%s); er verfällt von selbst.", exc)


def _test_pause() -> None:
    sekunden = float(os.environ.get(PAUSE_ENV) or 0)
    if sekunden > 0:
        logger.warning("Abdeckung: Testpause %.1f s vor dem Commit", sekunden)
        time.sleep(sekunden)


# --- tasks --------------------------------------------------------------------------------


@shared_task(
    name="abdeckung.aktualisieren",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
    **_RETRY,
)
def abdeckung_aktualisieren_task(voll: bool = False) -> dict[str, Any]:
    """Bring the stored ``aktuell`` figures up to date: incrementally from the audit events
    after the watermark, or (``voll``) everything from scratch. Idempotent: a second run
    finds nothing new and writes the same rows."""
    from abdeckung.services import abdeckung_aktualisieren
    from rollout.celery import app

    if not app.conf.task_always_eager:
        _marker_loeschen(voll=voll)
    with transaction.atomic():
        ergebnis = abdeckung_aktualisieren(voll=voll)
        _test_pause()
    return ergebnis


@shared_task(
    name="abdeckung.voll_neu_berechnen",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=900,
    time_limit=960,
    **_RETRY,
)
def abdeckung_voll_task() -> dict[str, Any]:
    """Nightly: recompute every current figure from scratch (repairs anything an
    incremental run could have missed)."""
    from abdeckung.services import abdeckung_aktualisieren

    return abdeckung_aktualisieren(voll=True)


def _gestern() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


@shared_task(
    name="abdeckung.tagesstand",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=900,
    time_limit=960,
    **_RETRY,
)
def abdeckung_tagesstand_task(stichtag: str | None = None, nachholen_tage: int = 7) -> dict:
    """Daily snapshot of ``stichtag`` (default: yesterday, whose end has passed), plus any
    day of the ``nachholen_tage`` before it that has no daily snapshot yet (a night the
    beat or the worker missed, or the spring DST night without 02:30). Upserts, so running
    twice stores the same rows."""
    from abdeckung.models import Abdeckungsstand
    from abdeckung.services import abdeckung_aktualisieren, snapshot_erstellen

    tag = dt.date.fromisoformat(stichtag) if stichtag else _gestern()
    abdeckung_aktualisieren()  # the intervals include every event up to now
    vorhanden = set(
        Abdeckungsstand.objects.filter(
            art=Abdeckungsstand.Art.TAEGLICH,
            stichtag__gte=tag - dt.timedelta(days=nachholen_tage),
            stichtag__lt=tag,
        ).values_list("stichtag", flat=True)
    )
    tage = [tag - dt.timedelta(days=n) for n in range(nachholen_tage, 0, -1)]
    tage = [t for t in tage if t not in vorhanden] + [tag]
    zeilen = 0
    for t in tage:
        zeilen += snapshot_erstellen(stichtag=t, art=Abdeckungsstand.Art.TAEGLICH)
    return {"tage": [t.isoformat() for t in tage], "zeilen": zeilen}


@shared_task(
    name="abdeckung.stichtag",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=900,
    time_limit=960,
    **_RETRY,
)
def abdeckung_stichtag_task(stichtag: str | None = None) -> dict:
    """Weekly frozen Stichtag: run Monday 00:00 Europe/Berlin, it stores the state at the
    end of the Sunday before (default: the latest Sunday that has ended). Upserts."""
    from abdeckung.models import Abdeckungsstand
    from abdeckung.services import abdeckung_aktualisieren, snapshot_erstellen

    if stichtag:
        tag = dt.date.fromisoformat(stichtag)
    else:
        gestern = _gestern()
        tag = gestern - dt.timedelta(days=(gestern.weekday() - 6) % 7)
    abdeckung_aktualisieren()
    zeilen = snapshot_erstellen(stichtag=tag, art=Abdeckungsstand.Art.STICHTAG)
    return {"stichtag": tag.isoformat(), "zeilen": zeilen}
