"""The benchmark runner (`make bench`): discovery, repeats, results files, comparison."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from bench import probe
from bench.runner import (
    Figure,
    _combine,
    discover,
    load_previous,
    main,
    render_table,
    write_results,
)


def test_discovers_every_benchmark_module() -> None:
    found = discover()

    assert {"gv100ad_import", "zustaendigkeiten", "suche"} <= found.keys()
    assert {"onboarding_checkliste", "onboarding_massenimport", "onboarding_verlauf"} <= (
        found.keys()
    )
    assert not any(name.startswith("_") for name in found)  # helpers are not benchmarks
    assert all(callable(run) for run in found.values())


def test_repeats_are_combined_into_the_median() -> None:
    runs = [[Figure("import", value, "s")] for value in (3.0, 1.0, 2.0)]

    (figure,) = _combine(runs)

    assert figure.value == 2.0
    assert "median of 3" in figure.note


def test_results_are_written_and_compared_with_the_previous_run(tmp_path: Path) -> None:
    first = [Figure("import", 2.0, "s", benchmark="gv100ad_import")]
    write_results(first, tmp_path, dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC))
    previous = load_previous(tmp_path)

    table = render_table(
        [Figure("import", 2.5, "s", target=3.0, benchmark="gv100ad_import")], previous
    )

    assert (tmp_path / "20260101T120000.json").is_file()
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest["figures"][0]["value"] == 2.0
    assert "+25.0 %" in table
    assert "ok" in table


def test_a_missed_target_is_flagged() -> None:
    table = render_table([Figure("p95", 250.0, "ms", target=200.0, benchmark="suche")], {})

    assert "MISSED" in table
    assert "new" in table


def test_unknown_benchmark_is_refused() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--only", "gibt-es-nicht"])

    assert exc.value.code == 2


@pytest.mark.django_db
def test_search_queries_are_reproducible_and_mixed() -> None:
    begriffe = probe.suchbegriffe(100, seed=2026)

    assert begriffe == probe.suchbegriffe(100, seed=2026)
    assert len(begriffe) == 100
    assert any(q.isdigit() and len(q) == 5 for q in begriffe)  # key prefix or postcode
    assert any(not q.isdigit() for q in begriffe)  # names


@pytest.mark.django_db
def test_search_probe_measures_every_query() -> None:
    result = probe.suche(20, seed=1)

    assert result["n"] == 20
    assert 0 < result["median_s"] <= result["p95_s"] <= result["max_s"]
    assert result["mit_treffern"] == 20


@pytest.mark.django_db
def test_bulk_benchmark_file_has_one_row_per_distinct_record() -> None:
    from bench import probe_onboarding

    datei = probe_onboarding._datei(50).decode("utf-8").splitlines()

    kopf, *zeilen = datei
    assert kopf.startswith("behoerde_schluessel;ozg_id;")
    assert len(zeilen) == 50
    assert len({tuple(z.split(";")[:2]) for z in zeilen}) == 50
