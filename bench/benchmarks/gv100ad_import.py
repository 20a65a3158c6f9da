"""Full GV100AD import (``manage.py import_gemeindeverzeichnis``) into a fresh database,
on SQLite and on PostgreSQL, and the idempotent second run."""

from __future__ import annotations

import secrets

from bench.runner import Context, Figure


def run(ctx: Context) -> list[Figure]:
    startup = ctx.startup_seconds()
    note = f"fresh DB; incl. ~{startup:.1f} s process start"
    figures = []
    targets = {
        "sqlite": ctx.sqlite_url(f"gv100ad-{secrets.token_hex(4)}"),
        "postgres": ctx.postgres_db("rollout_bench_import"),
    }
    for engine, url in targets.items():
        ctx.manage("migrate", "--no-input", database_url=url)
        first = ctx.manage("import_gemeindeverzeichnis", database_url=url)
        second = ctx.manage("import_gemeindeverzeichnis", database_url=url)
        figures.append(Figure(f"gv100ad_import_{engine}", first, "s", note=note))
        figures.append(
            Figure(f"gv100ad_reimport_{engine}", second, "s", note="unchanged file, no writes")
        )
    return figures
