"""Coverage engine at national scale (issue 4) on PostgreSQL: all 16 Länder × 7 services,
~10,950 Gemeinden, every responsible authority with an onboarding record and a year of
history (``bench/nationaldaten.py``).

Figures: data generation (only when the cached database is rebuilt), the full
recomputation (intervals + stored figures), the coverage aggregate through the engine and
as ONE hand-written SQL query on the same data (the ratio is the figure that matters,
target ≤ 2×; the numbers must be equal), the incremental run after one change, "Stand am
D" for a past day (Land and Kreis level), and the snapshot backfill for a year.

The generated database ``rollout_bench_national`` is kept between runs and rebuilt only
when the generator, the fixtures or the migrations change (its fingerprint is stored as
the database comment). Each run measures on a fresh copy (``CREATE DATABASE … TEMPLATE``),
so the figures do not depend on earlier runs.
"""

from __future__ import annotations

import json
import time

from bench.nationaldaten import fingerabdruck
from bench.runner import BenchError, Context, Figure

CACHE_DB = "rollout_bench_national"
LAUF_DB = "rollout_bench_national_lauf"
VERHAELTNIS_ZIEL = 2.0
GENERIERUNG_ZIEL_S = 180.0


def _kommentar(ctx: Context, name: str) -> str | None:
    import psycopg

    with psycopg.connect(ctx._server_url("postgres"), autocommit=True) as conn:
        zeile = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return None if zeile is None else (zeile[0] or "")


def _national_db(ctx: Context) -> tuple[str, float | None]:
    """The cached database (rebuilt if missing or outdated); its URL and, if it was built
    now, the generation time in seconds."""
    soll = f"nationaldaten {fingerabdruck()}"
    url = ctx._server_url(CACHE_DB)
    if _kommentar(ctx, CACHE_DB) == soll:
        return url, None
    ctx._admin(f'DROP DATABASE IF EXISTS "{CACHE_DB}" WITH (FORCE)')
    ctx._admin(f'CREATE DATABASE "{CACHE_DB}"')
    start = time.perf_counter()
    ctx.manage("migrate", "--no-input", database_url=url)
    ctx.manage("import_gemeindeverzeichnis", database_url=url)
    ctx.manage("import_programm", database_url=url)
    ergebnis = json.loads(ctx.python("bench.nationaldaten", database_url=url))
    dauer = time.perf_counter() - start
    ctx._admin(f"COMMENT ON DATABASE \"{CACHE_DB}\" IS '{soll}'")
    ctx._cache["nationaldaten"] = ergebnis
    return url, dauer


def run(ctx: Context) -> list[Figure]:
    _cache_url, generierung = _national_db(ctx)
    ctx._admin(f'DROP DATABASE IF EXISTS "{LAUF_DB}" WITH (FORCE)')
    ctx._admin(f'CREATE DATABASE "{LAUF_DB}" TEMPLATE "{CACHE_DB}"')
    ctx._created.append(LAUF_DB)
    url = ctx._server_url(LAUF_DB)
    r = json.loads(ctx.python("bench.probe_abdeckung", database_url=url))
    if not r["gleiche_zahlen"]:
        raise BenchError("engine and hand-written SQL disagree on the coverage numbers")
    verhaeltnis = r["berechnen_s"] / r["hand_sql_s"]
    umfang = f"{r['paare']} Land × Leistung, {r['intervalle']:,} Statusintervalle"
    figures = [
        Figure("abdeckung_voll_neu_s", r["voll_s"], "s", note=f"{umfang}, {r['zeilen']} Zeilen"),
        Figure("abdeckung_berechnen_ms", r["berechnen_s"] * 1000, "ms", note="engine, aktuell"),
        Figure("abdeckung_hand_sql_ms", r["hand_sql_s"] * 1000, "ms", note="one SQL query"),
        Figure(
            "abdeckung_engine_zu_hand_sql",
            verhaeltnis,
            "x",
            target=VERHAELTNIS_ZIEL,
            note="same numbers (checked); the engine also counts statuses and blocked",
        ),
        Figure(
            "abdeckung_inkrementell_ms",
            r["inkrementell_s"] * 1000,
            "ms",
            note="after one status change via the service",
        ),
        Figure("abdeckung_stand_am_ms", r["stand_am_s"] * 1000, "ms", note=r["stand_am_tag"]),
        Figure("abdeckung_stand_am_kreis_ms", r["stand_am_kreis_s"] * 1000, "ms", note="je Kreis"),
        Figure(
            "abdeckung_nachtragen_jahr_s",
            r["nachtragen_s"],
            "s",
            note=f"{r['nachtragen_tage']} Tage: {r['nachtragen']}",
        ),
    ]
    if generierung is not None:
        daten = ctx._cache.get("nationaldaten", {})
        figures.append(
            Figure(
                "nationaldaten_generierung_s",
                generierung,
                "s",
                target=GENERIERUNG_ZIEL_S,
                note=f"migrate + imports + generator {daten.get('sekunden')}",
            )
        )
    return figures
