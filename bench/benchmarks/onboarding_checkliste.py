"""Inline checklist update: server time of 200 htmx POSTs to
``/onboardings/<pk>/punkte/<punkt_pk>/`` (view, service, audit event, fragment), each on a
different record, alternately ticking and unticking, on PostgreSQL."""

from __future__ import annotations

import json

from bench.benchmarks._onboarding_db import onboarding_db
from bench.runner import BenchError, Context, Figure

# An inline tick should feel instant.
P95_ZIEL_S = 0.2


def run(ctx: Context) -> list[Figure]:
    url, anzahl = onboarding_db(ctx)
    result = json.loads(
        ctx.python("bench.probe_onboarding", "punkt", "--n", "200", database_url=url)
    )
    if result["fehler"]:
        raise BenchError(f"{result['fehler']} of {result['n']} checklist updates failed")
    note = f"{result['n']} updates on {result['n']} records of {anzahl:,}"
    return [
        Figure("checkliste_median_postgres", result["median_s"] * 1000, "ms", note=note),
        Figure(
            "checkliste_p95_postgres",
            result["p95_s"] * 1000,
            "ms",
            target=P95_ZIEL_S * 1000,
            note=f"max {result['max_s'] * 1000:.1f} ms",
        ),
    ]
