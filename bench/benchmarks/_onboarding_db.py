"""The database the roll-in benchmarks share: territory, programme, resolved
responsibility, checklist template, demo accounts and at least 10,000 onboarding records
(Gemeinde-level Ummeldung commitments for further Länder on top of the programme data)."""

from __future__ import annotations

import json

from bench.runner import Context

MINDESTENS = 10_000


def onboarding_db(ctx: Context) -> tuple[str, int]:
    """``rollout_bench_onboarding`` (built once per run); its URL and record count."""

    def build() -> tuple[str, int]:
        url = ctx.postgres_db("rollout_bench_onboarding")
        for command in (
            "migrate",
            "import_gemeindeverzeichnis",
            "import_programm",
            "zustaendigkeiten_aufloesen",
        ):
            args = ("--no-input",) if command == "migrate" else ()
            ctx.manage(command, *args, database_url=url)
        result = json.loads(
            ctx.python(
                "bench.probe_onboarding",
                "vorbereiten",
                "--mindestens",
                str(MINDESTENS),
                database_url=url,
            )
        )
        return url, int(result["onboardings"])

    url, anzahl = ctx.cached("onboarding_db", build)
    return str(url), int(anzahl)
