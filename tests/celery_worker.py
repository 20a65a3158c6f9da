"""What the tests with a real Celery worker on Redis share: their markers (a worker, real
transactions, Redis and PostgreSQL; CI refuses to run without either, so they never skip
there) and waiting for what the worker does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

MARKER = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="braucht Redis (REDIS_URL) und PostgreSQL",
    ),
]


def warten(bedingung: Callable[[], Any], *, sekunden: float, was: str, takt: float = 0.3) -> Any:
    """The first true value of ``bedingung()``, asked every ``takt`` seconds; fails the test
    after ``sekunden``."""
    ende = time.monotonic() + sekunden
    while time.monotonic() < ende:
        if wert := bedingung():
            return wert
        time.sleep(0.3)
    raise AssertionError(f"nach {sekunden} s nicht eingetreten: {was}")
