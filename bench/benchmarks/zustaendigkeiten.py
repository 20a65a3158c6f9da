"""Resolution of all Gemeinden × committed services (``manage.py zustaendigkeiten_aufloesen``)
on PostgreSQL: first run on freshly imported data, then the idempotent second run."""

from __future__ import annotations

import json

from bench.runner import Context, Figure


def run(ctx: Context) -> list[Figure]:
    url = ctx.postgres_with_data()
    first = ctx.manage("zustaendigkeiten_aufloesen", database_url=url)
    second = ctx.manage("zustaendigkeiten_aufloesen", database_url=url)
    counts = json.loads(ctx.python("bench.probe", "zaehlen", database_url=url))
    scope = (
        f"{counts['gemeinden']:,} Gemeinden, {counts['zusagen']:,} Zusagen → "
        f"{counts['zustaendigkeiten']:,} Zuständigkeiten"
    )
    return [
        Figure("zustaendigkeiten_aufloesen_postgres", first, "s", note=scope),
        Figure("zustaendigkeiten_erneut_postgres", second, "s", note="nothing changed"),
    ]
