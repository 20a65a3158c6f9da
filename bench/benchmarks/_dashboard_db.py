"""The database and environment the dashboard and report benchmarks share.

``rollout_bench_dashboard`` is the national data set (``rollout_bench_national``, built by
``bench/nationaldaten.py``) plus what a running installation has on top of it: the
boundaries, a year of daily snapshots with the weekly Stichtag, the current figures and
the bench user (``python -m bench.probe_dashboard vorbereiten``). It is kept between runs
and rebuilt when its fingerprint changes (the national data, any migration, the boundary
files, the coverage engine that wrote the snapshots). Each run measures on a fresh copy
``rollout_bench_dashboard_lauf`` (``CREATE DATABASE … TEMPLATE``, then ``migrate`` for
migrations newer than the cache), shared by the benchmarks of that run and dropped at its
end.

The processes run with production settings (``bench.einstellungen``: DEBUG off, static
files collected, hashed and pre-compressed by WhiteNoise, cache keys with a prefix new to
this run, so the cache starts cold).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.benchmarks.abdeckung_national import CACHE_DB as NATIONAL_DB
from bench.benchmarks.abdeckung_national import _kommentar, _national_db
from bench.nationaldaten import fingerabdruck as national_fingerabdruck
from bench.runner import ROOT, BenchError, Context, Figure

CACHE_DB = "rollout_bench_dashboard"
LAUF_DB = "rollout_bench_dashboard_lauf"
#: Bump when ``vorbereiten`` changes what it writes.
VERSION = 1
#: Days of daily snapshots (up to the end of the generated history).
SNAPSHOT_TAGE = 365


def fingerabdruck() -> str:
    """Changes with the national data (which covers the migrations of the data apps), the
    boundary files and their import. Migrations of other apps (accounts, berichte, …) need
    no rebuild: every run migrates its copy. Nor does a change of the coverage engine: the
    stored snapshots are frozen figures, as in a running installation."""
    h = hashlib.sha256(f"v{VERSION} {SNAPSHOT_TAGE} {national_fingerabdruck()}".encode())
    dateien = sorted((ROOT / "fixtures" / "geo").glob("*.geojson.gz"))
    dateien += [ROOT / "kommunen" / "services.py"]
    for datei in dateien:
        if datei.exists():
            h.update(str(datei.relative_to(ROOT)).encode())
            h.update(datei.read_bytes())
    return h.hexdigest()[:16]


def _statistik_erheben(url: str) -> None:
    """ANALYZE the run's copy. The snapshots are written after the national data's
    ANALYZE, so a copy can lack their planner statistics; a production database has them
    (autovacuum), and a plan without them (an index scan per service for an IN list) is not
    what a user would get."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


@dataclass(frozen=True)
class DashboardDb:
    url: str
    env: dict[str, str]
    #: Seconds spent rebuilding the cached databases in this run (None: both were current).
    aufbau_s: float | None
    vorbereitung: dict[str, Any] | None


def _python(module: str, *args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"python -m {module} {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result.stdout


def python_json(db: DashboardDb, module: str, *args: str) -> Any:
    return json.loads(_python(module, *args, env=db.env))


def _cache_db(ctx: Context) -> tuple[float | None, dict[str, Any] | None]:
    """Rebuild ``rollout_bench_dashboard`` if missing or outdated."""
    start = time.perf_counter()
    _national_url, national_neu = _national_db(ctx)
    soll = f"dashboard {fingerabdruck()}"
    if national_neu is None and _kommentar(ctx, CACHE_DB) == soll:
        return None, None
    ctx._admin(f'DROP DATABASE IF EXISTS "{CACHE_DB}" WITH (FORCE)')
    ctx._admin(f'CREATE DATABASE "{CACHE_DB}" TEMPLATE "{NATIONAL_DB}"')
    url = ctx._server_url(CACHE_DB)
    try:
        ctx.manage("migrate", "--no-input", database_url=url)
        vorbereitung = json.loads(
            ctx.python(
                "bench.probe_dashboard",
                "vorbereiten",
                "--tage",
                str(SNAPSHOT_TAGE),
                database_url=url,
            )
        )
    except BenchError:
        ctx._admin(f'DROP DATABASE IF EXISTS "{CACHE_DB}" WITH (FORCE)')
        raise
    ctx._admin(f"COMMENT ON DATABASE \"{CACHE_DB}\" IS '{soll}'")
    return time.perf_counter() - start, vorbereitung


def dashboard_db(ctx: Context) -> DashboardDb:
    """The run's copy of the dashboard database with the environment for its processes
    (built once per run, static files collected once per run)."""

    def build() -> DashboardDb:
        aufbau_s, vorbereitung = _cache_db(ctx)
        ctx._admin(f'DROP DATABASE IF EXISTS "{LAUF_DB}" WITH (FORCE)')
        ctx._admin(f'CREATE DATABASE "{LAUF_DB}" TEMPLATE "{CACHE_DB}"')
        ctx._created.append(LAUF_DB)
        url = ctx._server_url(LAUF_DB)
        ctx.manage("migrate", "--no-input", database_url=url)
        _statistik_erheben(url)
        env = ctx.env(url)
        env.update(
            DJANGO_SETTINGS_MODULE="bench.einstellungen",
            DJANGO_DEBUG="false",
            DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
            DJANGO_STATIC_ROOT=str(ctx.tmpdir / "static"),
            BENCH_CACHE_PREFIX=f"bench-{secrets.token_hex(6)}",
        )
        result = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BenchError(f"collectstatic failed:\n{result.stderr[-4000:]}")
        return DashboardDb(url=url, env=env, aufbau_s=aufbau_s, vorbereitung=vorbereitung)

    db = ctx.cached("dashboard_db", build)
    assert isinstance(db, DashboardDb)
    return db


def static_root(db: DashboardDb) -> Path:
    return Path(db.env["DJANGO_STATIC_ROOT"])


def aufbau_figur(ctx: Context, db: DashboardDb) -> list[Figure]:
    """The rebuild time of the cached databases, reported once per run (by whichever
    benchmark comes first) and only when they were rebuilt."""
    if db.aufbau_s is None or ctx._cache.get("dashboard_db_gemeldet"):
        return []
    ctx._cache["dashboard_db_gemeldet"] = True
    v = db.vorbereitung or {}
    snapshots = v.get("snapshots", {})
    return [
        Figure(
            "dashboard_db_aufbau_s",
            db.aufbau_s,
            "s",
            note=(
                f"nationale Daten (falls neu) + Grenzen + {snapshots.get('tage')} Tages- und "
                f"{snapshots.get('stichtage')} Stichtag-Snapshots ({snapshots.get('zeilen')} "
                f"Zeilen) + Benutzer; Vorbereitung {v.get('sekunden')} s"
            ),
        )
    ]
