"""Validity intervals: open bounds, membership of a day and the cut points of time."""

from __future__ import annotations

import datetime as dt
from typing import Any

ANFANG = dt.date.min
ENDE = dt.date.max
TAG = dt.timedelta(days=1)


def ab_oder_anfang(datum: dt.date | None) -> dt.date:
    return datum or ANFANG


def bis_oder_ende(datum: dt.date | None) -> dt.date:
    return datum or ENDE


def gilt(obj: Any, tag: dt.date) -> bool:
    return ab_oder_anfang(obj.gueltig_ab) <= tag <= bis_oder_ende(obj.gueltig_bis)


def intervalle(objekte: list[Any]) -> list[tuple[dt.date, dt.date]]:
    punkte = {ANFANG}
    for obj in objekte:
        if obj.gueltig_ab:
            punkte.add(obj.gueltig_ab)
        if obj.gueltig_bis and obj.gueltig_bis < ENDE:
            punkte.add(obj.gueltig_bis + TAG)
    starts = sorted(punkte)
    return [
        (start, (starts[i + 1] - TAG) if i + 1 < len(starts) else ENDE)
        for i, start in enumerate(starts)
    ]
