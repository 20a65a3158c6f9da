"""Search: server-side time of 100 mixed queries through ``kommunen.selectors.suche``
(names, name prefixes, key prefixes, AGS, postcodes) on PostgreSQL, in one process."""

from __future__ import annotations

import json

from bench.runner import Context, Figure

# Interactive search (htmx, as you type) should answer within this, database included.
P95_ZIEL_S = 0.2


def run(ctx: Context) -> list[Figure]:
    url = ctx.postgres_with_data()
    result = json.loads(ctx.python("bench.probe", "suche", "--n", "100", database_url=url))
    note = f"{result['n']} queries, {result['mit_treffern']} with hits"
    return [
        Figure("suche_median_postgres", result["median_s"] * 1000, "ms", note=note),
        Figure(
            "suche_p95_postgres",
            result["p95_s"] * 1000,
            "ms",
            target=P95_ZIEL_S * 1000,
            note=f"max {result['max_s'] * 1000:.1f} ms",
        ),
    ]
