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


# --- dashboard and report benchmarks (issues #5 and #6) -------------------------------------


def test_dashboard_and_report_benchmarks_are_discovered() -> None:
    assert {"dashboard_seiten", "steuerungsbericht"} <= discover().keys()


def _seite(**werte: object) -> dict[str, object]:
    seite: dict[str, object] = {
        "url": "/laender/BY/",
        "htmx": False,
        "beschreibung": "Landesseite Bayern",
        "status": 200,
        "kalt_s": 0.4,
        "kalt_abfragen": 14,
        "bytes": 120_000,
        "bytes_gzip": 20_000,
        "n": 100,
        "median_s": 0.08,
        "p95_s": 0.2,
        "cpu_median_s": 0.05,
        "cpu_p95_s": 0.07,
        "abfragen": 12,
        "abfragen_min": 12,
        "status_alle": [200],
    }
    seite.update(werte)
    return seite


def test_page_figures_carry_the_targets_and_name_missing_pages() -> None:
    from bench.benchmarks.dashboard_seiten import seiten_figuren

    fehlt = {"status": 404, "fehlt": True, "url": "/karte/"}
    r = {
        "cache": "RedisCache",
        "debug": False,
        "seiten": {
            "land_by": _seite(),
            "karte_de_kreis": {**_seite(url="/karte/"), **fehlt},
        },
        "kartendaten": {"de_kreis": fehlt, "by_gemeinde": {**fehlt, "url": "/karte/?land=BY"}},
        "javascript": {"karte": fehlt, "diagramm": {**fehlt, "url": "/laender/BY/"}},
    }

    figures = {f.name: f for f in seiten_figuren(r)}

    assert figures["seite_land_by_p95_ms"].value == pytest.approx(200.0)
    assert figures["seite_land_by_p95_ms"].meets_target is False  # 200 ms > 150 ms
    assert figures["seite_land_by_abfragen"].meets_target is True  # 12 ≤ 15
    assert figures["seite_karte_de_kreis_http_status"].value == 404
    assert "nicht gemessen" in figures["seite_karte_de_kreis_http_status"].note
    assert "seite_karte_de_kreis_p95_ms" not in figures
    assert figures["kartendaten_de_kreis_http_status"].target is None


def test_map_data_is_the_boundaries_plus_the_embedded_figure() -> None:
    from bench.benchmarks.dashboard_seiten import seiten_figuren

    karte = {
        "url": "/karte/",
        "status": 200,
        "geojson_url": "/karte/grenzen/kreis/de.geojson",
        "geojson_status": 200,
        "geojson_bytes": 2_000_000,
        "geojson_gzip": 400_000,
        "geojson_cache_control": "max-age=86400",
        "figur_bytes": 300_000,
        "figur_gzip": 150_000,
        "gesamt_gzip": 550_000,
    }
    r = {
        "cache": "LocMemCache",
        "debug": False,
        "seiten": {},
        "kartendaten": {"de_kreis": karte, "by_gemeinde": {**karte, "gesamt_gzip": 900_000}},
        "javascript": {
            "karte": {
                "url": "/karte/",
                "status": 200,
                "alle_da": True,
                "gesamt_gzip": 1_200_000,
                "dateien": {
                    "/static/vendor/plotly/plotly-geo.min.1a2b.js": {
                        "status": 200,
                        "gzip": 1_200_000,
                    },
                    "/static/js/fehlt.js": {"status": 404, "gzip": 0},
                },
            },
            "diagramm": {"url": "/laender/BY/", "status": 404, "fehlt": True},
        },
    }

    figures = {f.name: f for f in seiten_figuren(r)}

    de = figures["kartendaten_de_kreis_gzip_kb"]
    assert de.value == pytest.approx(550.0)
    assert de.meets_target is False  # 550 kB > 500 kB
    assert "Grenzen 400 kB" in de.note
    assert "Figur im HTML 150 kB" in de.note
    assert figures["kartendaten_by_gemeinde_gzip_kb"].meets_target is True
    assert figures["javascript_karte_gzip_kb"].value == pytest.approx(1200.0)
    assert "plotly-geo.min.1a2b.js 1,200" in figures["javascript_karte_gzip_kb"].note
    assert "NICHT GEFUNDEN: /static/js/fehlt.js" in figures["javascript_karte_gzip_kb"].note


def test_chart_json_is_found_by_the_id_of_the_chart() -> None:
    from bench.probe_dashboard import _DIV, _GEOJSON, _json_script

    html = (
        '<div class="cockpit-chart" data-chart="karte-daten" '
        'data-geojson="/karte/grenzen/kreis/de.geojson?v=1&amp;x=2"></div>'
        '<script id="andere" type="application/json">{"a": 1}</script>'
        '<script id="karte-daten" type="application/json">{"data": []}</script>'
    )

    (div,) = _DIV.finditer(html)
    geojson = _GEOJSON.search(div.group(0))

    assert div.group(1) == "karte-daten"
    assert geojson is not None
    assert geojson.group(1).endswith("v=1&amp;x=2")
    assert _json_script(html, "karte-daten") == '{"data": []}'
    assert _json_script(html, "fehlt") is None


@pytest.mark.django_db
def test_page_probe_measures_a_page_and_reports_a_missing_one() -> None:
    from bench import probe_dashboard

    probe_dashboard.benutzer_anlegen()
    client = probe_dashboard._client()
    start = probe_dashboard.Seite("start", "/")
    fehlt = probe_dashboard.Seite("fehlt", "/gemeinden/000000000000/")

    gemessen = probe_dashboard.seite_messen(client, start, n=3, aufwaermen=1)
    nicht = probe_dashboard.seite_messen(client, fehlt, n=3, aufwaermen=1)

    assert gemessen["status_alle"] == [200]
    assert 0 < gemessen["median_s"] <= gemessen["p95_s"] <= gemessen["max_s"]
    assert gemessen["abfragen"] >= 3  # session, user, the programme
    assert 0 < gemessen["bytes_gzip"] < gemessen["bytes"]
    assert nicht == {**nicht, "status": 404, "fehlt": True}
    assert "median_s" not in nicht


@pytest.mark.django_db
def test_page_list_uses_the_heaviest_objects_of_bayern() -> None:
    from bench import probe_dashboard
    from kommunen.models import Gemeinde

    b = probe_dashboard.beispiele()
    urls = {s.name: s.url for s in probe_dashboard.seiten_liste(b)}

    groesste = Gemeinde.objects.filter(land__kurz="BY").order_by("-einwohner").first()
    assert groesste is not None
    assert urls["gemeinde_by"] == f"/gemeinden/{groesste.ars}/"
    assert b["kreis"]["ars"].startswith("09")
    assert urls["behoerde_by"].startswith("/behoerden/")
    assert urls["karte_by_gemeinde"] == "/karte/?land=BY"
    assert {"start", "land_by", "grenzen_de_kreis", "karte_filter_htmx"} <= urls.keys()


@pytest.mark.django_db
def test_javascript_of_a_page_is_summed_over_its_scripts() -> None:
    from bench import probe_dashboard

    probe_dashboard.benutzer_anlegen()
    j = probe_dashboard.javascript(probe_dashboard._client(), "/")

    assert j["alle_da"]
    assert any("htmx" in src for src in j["dateien"])
    assert j["gesamt_gzip"] == sum(d["gzip"] for d in j["dateien"].values()) > 1000


def test_report_figures_time_both_calls_against_ten_seconds() -> None:
    from bench.benchmarks.steuerungsbericht import bericht_figuren

    r = {
        "erster_s": 11.5,
        "weitere_s": [6.0],
        "bytes": 250_000,
        "seiten": 9,
        "titel": "Steuerungsbericht Bayern",
        "datenstand": "Ereignisse bis Nr. 141766",
        "last": [1.2, 1.5],
        "cpus": 2,
    }

    figures = {f.name: f for f in bericht_figuren("BY", r)}
    fehlt = bericht_figuren("national", {"fehlt": True, "grund": "BerichtFehler: kein Stichtag"})

    assert figures["bericht_by_s"].meets_target is False
    assert figures["bericht_by_warm_s"].meets_target is True
    assert figures["bericht_by_kb"].value == 250.0
    assert "9 Seiten" in figures["bericht_by_kb"].note
    assert [f.name for f in fehlt] == ["bericht_national_erzeugt"]
    assert "kein Stichtag" in fehlt[0].note


@pytest.mark.django_db
def test_report_probe_names_the_reason_when_no_report_can_be_made() -> None:
    from bench import probe_dashboard

    # The test data has no frozen Stichtag snapshot for this Sunday.
    r = probe_dashboard.bericht(scope="national", stichtag=dt.date(2020, 1, 5), wiederholungen=1)

    assert r["fehlt"] is True
    assert r["grund"]
