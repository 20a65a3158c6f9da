"""The overview's forecasts, cached (:func:`_prognosen`; the Land page reuses them)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache

from abdeckung.prognose import Prognose, prognosen
from abdeckung.services import Kennzahl
from audit.models import Ereignis
from leistungen.models import Zusage

#: How long a set of forecasts is reused at most (see :func:`_prognosen`).
PROGNOSE_CACHE_SEKUNDEN = 600


def _prognosen(
    *,
    land_ids: set[int],
    kennzahlen: dict[tuple[int, int], Kennzahl],
    zusagen: list[Zusage],
    heute: dt.date,
) -> dict[tuple[int, int], Prognose]:
    """The forecast (now) of every commitment that has figures, from the same figures the
    page shows. A commitment that does not count yet (given for a later day) has no
    figures and gets no forecast: with nothing responsible yet, the rule would call it
    complete.

    The forecasts (three queries, the largest cost of the page at national scale) are
    cached under everything they depend on: the newest audit event (every change of a
    record's status, plan date or blocking writes one), the commitments, the figures and
    the day; at most :data:`PROGNOSE_CACHE_SEKUNDEN` old, so the run-rate window moves on.
    One query when cached; each forecast keeps its own ``berechnet_am`` (shown as Stand)."""
    letztes_ereignis = Ereignis.objects.order_by("-id").values_list("id", flat=True).first()
    merkmal = repr(
        (
            sorted(land_ids),
            letztes_ereignis,
            heute.isoformat(),
            sorted((z.pk, z.frist.isoformat(), str(z.zugesagt_am)) for z in zusagen),
            sorted((*s, k.behoerden_live, k.behoerden_gesamt) for s, k in kennzahlen.items()),
        )
    )
    schluessel = "cockpit:uebersicht:prognosen:" + hashlib.sha256(merkmal.encode()).hexdigest()
    ergebnis: dict[tuple[int, int], Prognose] | None = cache.get(schluessel)
    if ergebnis is None:
        alle = prognosen(stichtag=None, land_ids=land_ids, kennzahlen=list(kennzahlen.values()))
        ergebnis = {s: p for s, p in alle.items() if s in kennzahlen}
        cache.set(schluessel, ergebnis, PROGNOSE_CACHE_SEKUNDEN)
    return ergebnis
