"""Discover and run the benchmarks in ``bench/benchmarks/``, print a table, keep the results.

Each module in ``bench/benchmarks/`` exposes ``run(ctx: Context) -> list[Figure]``. Results go
to ``bench/results/<timestamp>.json`` and ``bench/results/latest.json``; a run prints the
change of every figure against the previous ``latest.json``.

The benchmarks run the real management commands in subprocesses, each against its own
database: a SQLite file in a temporary directory, or a database created on the PostgreSQL
server of ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432``) and dropped at
the end. The database named in ``DATABASE_URL`` itself is never touched.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import pkgutil
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None  # an upper bound: lower values are better
    note: str = ""
    benchmark: str = ""

    @property
    def meets_target(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


class BenchError(RuntimeError):
    pass


@dataclass
class Context:
    """What a benchmark needs: databases, subprocesses, a scratch directory."""

    tmpdir: Path
    postgres_url: str = DEFAULT_POSTGRES
    _created: list[str] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)

    # --- subprocesses ----------------------------------------------------------------
    def env(self, database_url: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url,
            DJANGO_DEBUG="true",
            DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            DJANGO_LOG_LEVEL="WARNING",
        )
        return env

    def manage(self, *args: str, database_url: str) -> float:
        """Run ``manage.py ARGS`` and return its wall time in seconds (process start included)."""
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(database_url),
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise BenchError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-2000:]}{result.stderr[-4000:]}"
            )
        return elapsed

    def python(self, module: str, *args: str, database_url: str) -> str:
        """Run ``python -m MODULE ARGS`` with Django pointed at ``database_url``; return stdout."""
        result = subprocess.run(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=self.env(database_url),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise BenchError(f"python -m {module} failed:\n{result.stderr[-4000:]}")
        return result.stdout

    def startup_seconds(self) -> float:
        """Wall time of a ``manage.py`` process that does nothing (to read the others against)."""
        if "startup" not in self._cache:
            url = self.sqlite_url("startup")
            self._cache["startup"] = min(self.manage("check", database_url=url) for _ in range(3))
        return float(self._cache["startup"])

    # --- databases -------------------------------------------------------------------
    def sqlite_url(self, name: str) -> str:
        return f"sqlite:///{self.tmpdir / f'{name}.sqlite3'}"

    def _server_url(self, dbname: str) -> str:
        parts = urlsplit(self.postgres_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, ""))

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self._server_url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def postgres_db(self, name: str) -> str:
        """Create an empty database ``name`` (dropped first if left over); return its URL."""
        if not name.startswith("rollout_bench"):
            raise BenchError("benchmark databases are named rollout_bench*")
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return self._server_url(name)

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """Build something once per run (e.g. a database with the data imported)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def postgres_with_data(self) -> str:
        """``rollout_bench``: migrated, territory and programme imported (once per run)."""

        def build() -> str:
            url = self.postgres_db("rollout_bench")
            self.manage("migrate", "--no-input", database_url=url)
            self.manage("import_gemeindeverzeichnis", database_url=url)
            self.manage("import_programm", database_url=url)
            return url

        return str(self.cached("postgres_with_data", build))

    def close(self) -> None:
        for name in reversed(self._created):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.clear()


def discover() -> dict[str, Callable[[Context], list[Figure]]]:
    import bench.benchmarks as package

    found: dict[str, Callable[[Context], list[Figure]]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.benchmarks.{info.name}")
        run = getattr(module, "run", None)
        if callable(run):
            found[info.name] = run
    return found


def _combine(runs: list[list[Figure]]) -> list[Figure]:
    """Median of each figure over the repeats; the spread goes into the note."""
    by_name: dict[str, list[Figure]] = {}
    for figures in runs:
        for figure in figures:
            by_name.setdefault(figure.name, []).append(figure)
    combined = []
    for same in by_name.values():
        values = [f.value for f in same]
        first = same[0]
        note = first.note
        if len(values) > 1:
            spread = f"median of {len(values)}, min {min(values):.3g}, max {max(values):.3g}"
            note = f"{note}; {spread}" if note else spread
        combined.append(
            Figure(first.name, statistics.median(values), first.unit, first.target, note)
        )
    return combined


def _format_value(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"


def _change(figure: Figure, previous: dict[str, dict[str, Any]]) -> str:
    before = previous.get(figure.name)
    if not before or before.get("unit") != figure.unit or not before.get("value"):
        return "new"
    ratio = (figure.value - before["value"]) / before["value"] * 100
    return f"{ratio:+.1f} %"


def render_table(figures: list[Figure], previous: dict[str, dict[str, Any]]) -> str:
    header = ("benchmark", "figure", "value", "unit", "target", "vs. last", "note")
    rows = [header]
    for f in figures:
        target = ""
        if f.target is not None:
            target = f"≤ {_format_value(f.target)} " + ("ok" if f.meets_target else "MISSED")
        rows.append(
            (
                f.benchmark,
                f.name,
                _format_value(f.value),
                f.unit,
                target,
                _change(f, previous),
                f.note,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.rjust(w) if i == 2 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip()


def write_results(figures: list[Figure], results_dir: Path, now: dt.datetime) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "timestamp": now.isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "figures": [asdict(f) for f in figures],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    path = results_dir / f"{now:%Y%m%dT%H%M%S}.json"
    path.write_text(text, encoding="utf-8")
    (results_dir / "latest.json").write_text(text, encoding="utf-8")
    return path


def load_previous(results_dir: Path) -> dict[str, dict[str, Any]]:
    latest = results_dir / "latest.json"
    if not latest.is_file():
        return {}
    document = json.loads(latest.read_text(encoding="utf-8"))
    return {f["name"]: f for f in document.get("figures", [])}


@contextmanager
def context(postgres_url: str) -> Iterator[Context]:
    with tempfile.TemporaryDirectory(prefix="rollout-bench-") as tmp:
        ctx = Context(tmpdir=Path(tmp), postgres_url=postgres_url)
        try:
            yield ctx
        finally:
            ctx.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this benchmark")
    parser.add_argument("--repeat", type=int, default=1, help="runs per benchmark (median)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)

    benchmarks = discover()
    if args.list:
        print("\n".join(benchmarks))
        return 0
    if args.only:
        unknown = sorted(set(args.only) - benchmarks.keys())
        if unknown:
            parser.error(
                f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(benchmarks)}"
            )
        benchmarks = {name: run for name, run in benchmarks.items() if name in args.only}
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    database_url = os.environ.get("DATABASE_URL", "")
    postgres_url = database_url if database_url.startswith("postgres") else DEFAULT_POSTGRES
    previous = load_previous(args.results_dir)
    figures: list[Figure] = []
    failed: list[str] = []
    with context(postgres_url) as ctx:
        for name, run in benchmarks.items():
            print(f"… {name}", flush=True)
            try:
                runs = [run(ctx) for _ in range(args.repeat)]
            except BenchError as exc:
                print(f"FAILED {name}: {exc}", file=sys.stderr)
                failed.append(name)
                continue
            for figure in _combine(runs):
                figure.benchmark = name
                figures.append(figure)

    print()
    print(render_table(figures, previous))
    if figures:
        path = write_results(figures, args.results_dir, dt.datetime.now().astimezone())
        print(f"\nResults: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
