"""Shared helpers of the report archive tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def letzter_sonntag() -> dt.date:
    """The newest Sunday that has ended (a Stichtag can be frozen for it)."""
    heute = timezone.localdate()
    return heute - dt.timedelta(days=heute.weekday() + 1)


def stichtag_einfrieren(tag: dt.date | None = None) -> dt.date:
    """Freeze the weekly Stichtag ``tag`` (default: the newest ended Sunday) through the
    coverage engine, as the Monday 00:00 run does."""
    from abdeckung.models import Abdeckungsstand
    from abdeckung.services import snapshot_erstellen

    tag = tag or letzter_sonntag()
    snapshot_erstellen(stichtag=tag, art=Abdeckungsstand.Art.STICHTAG)
    return tag
