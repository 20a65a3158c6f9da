"""In-process measurements of the coverage engine on the national data set (run by the
``abdeckung_national`` benchmark in a subprocess against ``rollout_bench_national``).

    python -m bench.probe_abdeckung [--repeat 3] [--backfill-tage 365]

Prints one JSON object with seconds (best of ``repeat`` for the reads).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time
from typing import Any

#: The same aggregate as ``abdeckung_berechnen()`` (current state, Land × service: the
#: three numbers' numerators and denominators), written by hand as one SQL query.
HAND_SQL = """
WITH z AS (
  SELECT g.land_id, zu.leistung_id, zu.behoerde_id, g.typ, g.einwohner
  FROM leistungen_zustaendigkeit zu
  JOIN kommunen_gemeinde g ON g.id = zu.gemeinde_id
  JOIN leistungen_zusage zs ON zs.land_id = g.land_id AND zs.leistung_id = zu.leistung_id
  WHERE (zu.gueltig_ab IS NULL OR zu.gueltig_ab <= %(d)s)
    AND (zu.gueltig_bis IS NULL OR zu.gueltig_bis >= %(d)s)
    AND (g.gueltig_ab IS NULL OR g.gueltig_ab <= %(d)s)
    AND (g.gueltig_bis IS NULL OR g.gueltig_bis >= %(d)s)
    AND (zs.zugesagt_am IS NULL OR zs.zugesagt_am <= %(d)s)
), s AS (
  SELECT z.*, COALESCE(o.status IN ('live', 'betriebsfaehig'), false) AS live
  FROM z LEFT JOIN onboarding_onboarding o
    ON o.behoerde_id = z.behoerde_id AND o.leistung_id = z.leistung_id
   AND o.geschlossen_am IS NULL
)
SELECT land_id, leistung_id,
  COUNT(DISTINCT behoerde_id) FILTER (WHERE live), COUNT(DISTINCT behoerde_id),
  COUNT(*) FILTER (WHERE live AND typ NOT IN ('65', '66')),
  COUNT(*) FILTER (WHERE typ NOT IN ('65', '66')),
  COALESCE(SUM(einwohner) FILTER (WHERE live), 0), SUM(einwohner)
FROM s GROUP BY 1, 2 ORDER BY 1, 2
"""


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rollout.settings")
    django.setup()


def _beste(fn: Any, repeat: int) -> tuple[float, Any]:
    zeiten, wert = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        wert = fn()
        zeiten.append(time.perf_counter() - start)
    return min(zeiten), wert


def messen(*, repeat: int, backfill_tage: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from abdeckung.services import (
        abdeckung_aktualisieren,
        abdeckung_berechnen,
        snapshots_nachtragen,
    )
    from abdeckung.tasks import vormerken_ausgesetzt
    from audit.models import Quelle
    from bench.nationaldaten import BIS, _user
    from onboarding.models import Onboarding
    from onboarding.services import onboarding_aktualisieren

    ergebnis: dict[str, Any] = {}
    start = time.perf_counter()
    voll = abdeckung_aktualisieren(voll=True)
    ergebnis["voll_s"] = time.perf_counter() - start
    ergebnis["intervalle"] = voll.get("intervalle")
    ergebnis["zeilen"] = voll.get("zeilen")

    ergebnis["berechnen_s"], kennzahlen = _beste(abdeckung_berechnen, repeat)

    def hand() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL, {"d": timezone.localdate()})
            return [tuple(r) for r in cursor.fetchall()]

    ergebnis["hand_sql_s"], zeilen = _beste(hand, repeat)
    engine = sorted(
        (
            k.land_id,
            k.leistung_id,
            k.behoerden_live,
            k.behoerden_gesamt,
            k.gemeinden_live,
            k.gemeinden_gesamt,
            k.einwohner_live,
            k.einwohner_gesamt,
        )
        for k in kennzahlen
    )
    ergebnis["gleiche_zahlen"] = engine == zeilen
    ergebnis["paare"] = len(kennzahlen)

    # One change through the service, then the incremental run.
    o = (
        Onboarding.objects.filter(geschlossen_am__isnull=True, status="geplant")
        .order_by("pk")
        .first()
    )
    assert o is not None
    with vormerken_ausgesetzt():
        onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=_user(),
            version=o.version,
            daten={"status": "in_klaerung"},
            quelle=Quelle.IMPORT,
        )
    start = time.perf_counter()
    ergebnis["inkrementell"] = abdeckung_aktualisieren()
    ergebnis["inkrementell_s"] = time.perf_counter() - start

    tag = BIS - dt.timedelta(days=137)  # a past day within the history (01.07.2026)
    ergebnis["stand_am_tag"] = tag.isoformat()
    ergebnis["stand_am_s"], _ = _beste(lambda: abdeckung_berechnen(stichtag=tag), repeat)
    ergebnis["stand_am_kreis_s"], _ = _beste(
        lambda: abdeckung_berechnen(stichtag=tag, je_kreis=True), repeat
    )

    von = BIS - dt.timedelta(days=backfill_tage - 1)
    start = time.perf_counter()
    ergebnis["nachtragen"] = snapshots_nachtragen(von=von, bis=BIS)
    ergebnis["nachtragen_s"] = time.perf_counter() - start
    ergebnis["nachtragen_tage"] = backfill_tage
    return ergebnis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backfill-tage", type=int, default=365)
    args = parser.parse_args()
    _setup()
    print(  # noqa: T201
        json.dumps(messen(repeat=args.repeat, backfill_tage=args.backfill_tage), default=str)
    )


if __name__ == "__main__":
    main()
