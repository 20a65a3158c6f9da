"""Audit history page of one record with 500 events (written through the services):
server time of 50 GETs of ``/onboardings/<pk>/verlauf/`` and its SQL query count, on
PostgreSQL."""

from __future__ import annotations

import json

from bench.benchmarks._onboarding_db import onboarding_db
from bench.runner import BenchError, Context, Figure

P95_ZIEL_S = 0.5


def run(ctx: Context) -> list[Figure]:
    url, _anzahl = onboarding_db(ctx)
    result = json.loads(
        ctx.python(
            "bench.probe_onboarding", "verlauf", "--ereignisse", "500", "--n", "50",
            database_url=url,
        )
    )  # fmt: skip
    if result["status"] != [200]:
        raise BenchError(f"history page answered {result['status']}")
    note = f"{result['ereignisse']} events, {result['bytes'] // 1024} KiB"
    return [
        Figure("verlauf_median_postgres", result["median_s"] * 1000, "ms", note=note),
        Figure("verlauf_p95_postgres", result["p95_s"] * 1000, "ms", target=P95_ZIEL_S * 1000),
        Figure("verlauf_sql_abfragen", result["abfragen"], "queries"),
    ]
