"""Bulk update of 10,000 rows (``onboarding.bulk``): the dry run (preview) and applying it,
timed separately, on PostgreSQL. Each row sets wave, planned go-live, status and one
checklist item of a different record."""

from __future__ import annotations

import json

from bench.benchmarks._onboarding_db import onboarding_db
from bench.runner import BenchError, Context, Figure

ZEILEN = 10_000


def run(ctx: Context) -> list[Figure]:
    url, anzahl = onboarding_db(ctx)
    result = json.loads(
        ctx.python("bench.probe_onboarding", "massenimport", "--n", str(ZEILEN), database_url=url)
    )
    if result["zeilen"] < ZEILEN or not result["fehlerfrei"]:
        raise BenchError(f"bulk file not usable: {result}")
    note = f"{result['zeilen']:,} rows, {result['geaendert']:,} changed"
    return [
        Figure("massenimport_vorschau_postgres", result["vorschau_s"], "s", note=note),
        Figure(
            "massenimport_anwenden_postgres",
            result["anwenden_s"],
            "s",
            note=f"{result['ereignisse']:,} audit events",
        ),
    ]
