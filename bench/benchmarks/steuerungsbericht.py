"""The weekly steering report at national scale (issue #6): generation time of the PDF for
the whole programme and for Bayern, and its size.

Data: the dashboard copy of the national data set (``_dashboard_db.py``), whose backfill
froze the weekly Stichtag snapshots up to the last Sunday of the history
(:data:`bench.nationaldaten.BIS`). Each scope is generated in a fresh process (production
settings) twice: the first call includes starting the chart renderer (kaleido's Chromium),
as on a worker that has not made a report yet; the second is a worker that has.
"""

from __future__ import annotations

from typing import Any

from bench.benchmarks._dashboard_db import aufbau_figur, dashboard_db, python_json
from bench.nationaldaten import BIS
from bench.runner import Context, Figure

ZIEL_S = 10.0
SCOPES = ("national", "BY")


def bericht_figuren(scope: str, r: dict[str, Any]) -> list[Figure]:
    name = scope.lower()
    if r.get("fehlt"):
        return [
            Figure(
                f"bericht_{name}_erzeugt",
                0,
                "ja/nein",
                note=f"Stichtag {BIS:%d.%m.%Y}: nicht erzeugt – {r['grund']}",
            )
        ]
    return [
        Figure(
            f"bericht_{name}_s",
            r["erster_s"],
            "s",
            target=ZIEL_S,
            note=(
                f"„{r['titel']}“, Stichtag {BIS:%d.%m.%Y}: erster Aufruf im Prozess "
                f"(mit Start des Grafik-Renderers); {r['datenstand']}; "
                f"Last {r['last'][0]}–{r['last'][1]} auf {r['cpus']} CPUs"
            ),
        ),
        Figure(
            f"bericht_{name}_warm_s",
            min(r["weitere_s"]),
            "s",
            target=ZIEL_S,
            note="zweiter Aufruf im selben Prozess (Renderer läuft schon)",
        ),
        Figure(f"bericht_{name}_kb", r["bytes"] / 1000, "kB", note=f"{r['seiten']} Seiten"),
    ]


def run(ctx: Context) -> list[Figure]:
    db = dashboard_db(ctx)
    figures: list[Figure] = []
    for scope in SCOPES:
        r = python_json(
            db,
            "bench.probe_dashboard",
            "bericht",
            "--scope",
            scope,
            "--stichtag",
            BIS.isoformat(),
            "--wiederholungen",
            "1",
        )
        figures += bericht_figuren(scope, r)
    return figures + aufbau_figur(ctx, db)
