"""Dashboard pages at national scale (issue #5) on PostgreSQL, production settings.

Data: the national data set (16 Länder × 7 services, ~10,950 Gemeinden, a year of
history) with boundaries and a year of daily snapshots (``_dashboard_db.py``).

Figures:
- per page (overview, map Germany by Kreis, map Bayern by Gemeinde, the map filter's htmx
  fragment, both boundary endpoints, the Land page Bayern, and the heaviest Kreis, Gemeinde
  and authority page in Bayern), as a Ministerium user without a Land: server time median
  and p95 over 100 requests through Django's test client after 3 warm-up requests (warm
  cache; the first request of the run is reported in the note), and the SQL queries per
  request (the most seen);
- bytes on the wire (gzip): the map data for Germany by Kreis and Bayern by Gemeinde
  (boundaries + the figure JSON embedded in the page), the JavaScript of a map page and of
  a chart page (every script the page references, as WhiteNoise serves it);
- time to a drawn map in headless Chromium, cold and warm browser cache (gunicorn, 2
  workers).

A page that does not answer 200 yet is reported as its HTTP status instead of failing the
run.
"""

from __future__ import annotations

import sys
from typing import Any

from bench.benchmarks._dashboard_db import DashboardDb, aufbau_figur, dashboard_db, python_json
from bench.probe_dashboard import BENUTZER, LAND, PASSWORT
from bench.runner import ROOT, Context, Figure

P95_ZIEL_MS = 150.0
ABFRAGEN_ZIEL = 15
KARTE_DE_ZIEL_KB = 500.0
KARTE_BY_ZIEL_KB = 1500.0
JAVASCRIPT_ZIEL_KB = 1500.0
GEZEICHNET_ZIEL_S = 2.0
N = 100
AUFWAERMEN = 3
BROWSER_LAEUFE = 3


def _kb(n: int) -> float:
    return n / 1000


def seiten_figuren(r: dict[str, Any]) -> list[Figure]:
    figures: list[Figure] = []
    cache = f"cache {r['cache']}, DEBUG {'an' if r['debug'] else 'aus'}"
    if "last" in r:
        cache += f", Last {r['last'][0]}–{r['last'][1]} auf {r['cpus']} CPUs"
    for name, s in r["seiten"].items():
        if s.get("fehlt"):
            grund = s.get("fehler") or "noch nicht verfügbar"
            figures.append(
                Figure(
                    f"seite_{name}_http_status",
                    s["status"],
                    "HTTP",
                    note=f"{s['url']}: {grund}, nicht gemessen",
                )
            )
            continue
        abweichend = "" if s["status_alle"] == [200] else f"; Status: {s['status_alle']}!"
        art = "htmx-Fragment, " if s["htmx"] else ""
        beschreibung = f"{s['url']} ({art}{s['beschreibung']})"
        figures += [
            Figure(
                f"seite_{name}_median_ms",
                s["median_s"] * 1000,
                "ms",
                note=(
                    f"{beschreibung}; {s['n']} Anfragen warm, davon CPU des Django-Prozesses "
                    f"{s['cpu_median_s'] * 1000:.0f} ms (Median); {cache}"
                ),
            ),
            Figure(
                f"seite_{name}_p95_ms",
                s["p95_s"] * 1000,
                "ms",
                target=P95_ZIEL_MS,
                note=(
                    f"CPU p95 {s['cpu_p95_s'] * 1000:.0f} ms; "
                    f"erste Anfrage (kalt) {s['kalt_s'] * 1000:.0f} ms mit "
                    f"{s['kalt_abfragen']} Abfragen; {s['bytes'] / 1000:,.0f} kB, "
                    f"gzip {s['bytes_gzip'] / 1000:,.0f} kB"
                ),
            ),
            Figure(
                f"seite_{name}_abfragen",
                s["abfragen"],
                "queries",
                target=ABFRAGEN_ZIEL,
                note=(f"min {s['abfragen_min']}" if s["abfragen_min"] != s["abfragen"] else "")
                + abweichend,
            ),
        ]
    for name, ziel, titel in (
        ("de_kreis", KARTE_DE_ZIEL_KB, "Deutschland nach Kreisen"),
        ("by_gemeinde", KARTE_BY_ZIEL_KB, f"{LAND} nach Gemeinden"),
    ):
        k = r["kartendaten"][name]
        if k.get("fehlt"):
            grund = k.get("grund") or f"HTTP {k['status']}"
            figures.append(
                Figure(
                    f"kartendaten_{name}_http_status",
                    k["status"],
                    "HTTP",
                    note=f"{k['url']}: {grund}, nicht gemessen",
                )
            )
            continue
        if k["geojson_status"] != 200:
            figures.append(
                Figure(
                    f"kartendaten_{name}_http_status",
                    k["geojson_status"],
                    "HTTP",
                    note=f"Grenzen {k['geojson_url']} nicht ladbar, nicht gemessen",
                )
            )
            continue
        figures.append(
            Figure(
                f"kartendaten_{name}_gzip_kb",
                _kb(k["gesamt_gzip"]),
                "kB",
                target=ziel,
                note=(
                    f"{titel}: Grenzen {_kb(k['geojson_gzip']):,.0f} kB "
                    f"(roh {_kb(k['geojson_bytes']):,.0f} kB) + Figur im HTML "
                    f"{_kb(k['figur_gzip']):,.0f} kB (roh {_kb(k['figur_bytes']):,.0f} kB), "
                    f"gzip -6; Grenzen Cache-Control „{k['geojson_cache_control'] or '–'}“"
                ),
            )
        )
    for name, titel in (("karte", "Kartenseite /karte/"), ("diagramm", f"/laender/{LAND}/")):
        j = r["javascript"][name]
        if j.get("fehlt"):
            figures.append(
                Figure(
                    f"javascript_{name}_http_status",
                    j["status"],
                    "HTTP",
                    note=f"{j['url']}: noch nicht verfügbar, nicht gemessen",
                )
            )
            continue
        fehlend = [src for src, d in j["dateien"].items() if d["status"] != 200]
        teile = ", ".join(
            f"{src.rsplit('/', 1)[-1]} {_kb(d['gzip']):,.0f}" for src, d in j["dateien"].items()
        )
        figures.append(
            Figure(
                f"javascript_{name}_gzip_kb",
                _kb(j["gesamt_gzip"]),
                "kB",
                target=JAVASCRIPT_ZIEL_KB,
                note=f"{titel}: {teile} (kB, wie WhiteNoise ausliefert)"
                + (f"; NICHT GEFUNDEN: {', '.join(fehlend)}" if fehlend else ""),
            )
        )
    return figures


def browser_figuren(db: DashboardDb, r: dict[str, Any], ctx: Context) -> list[Figure]:
    from playwright.sync_api import Error as PlaywrightError

    from bench.browser_karte import BrowserFehler, server, zeichenzeiten

    pfade = {}
    for name, pfad in (("de", "/karte/"), ("by", f"/karte/?land={LAND}")):
        schluessel = "de_kreis" if name == "de" else "by_gemeinde"
        if not r["kartendaten"][schluessel].get("fehlt"):
            pfade[name] = pfad
    if not pfade:
        k = r["kartendaten"]["de_kreis"]
        return [
            Figure(
                "karte_de_gezeichnet_http_status",
                k["status"],
                "HTTP",
                note=f"{k['url']}: {k.get('grund') or 'noch nicht verfügbar'}, nicht gemessen",
            )
        ]
    # The browser's server gets a cache prefix of its own: its first request is cold.
    env = dict(db.env, BENCH_CACHE_PREFIX=f"{db.env['BENCH_CACHE_PREFIX']}-browser")
    try:
        with server(env, cwd=ROOT, log=ctx.tmpdir / "gunicorn.log") as basis:
            zeiten = zeichenzeiten(
                basis, benutzer=BENUTZER, passwort=PASSWORT, pfade=pfade, laeufe=BROWSER_LAEUFE
            )
    except (BrowserFehler, PlaywrightError) as exc:
        # The server figures above stay; the failure is a figure of its own.
        log = ctx.tmpdir / "gunicorn.log"
        if log.exists():
            sys.stderr.write(log.read_text(errors="replace")[-3000:])
        return [
            Figure(
                "karte_gezeichnet_fehler",
                1,
                "Fehler",
                note=f"Browsermessung gescheitert: {type(exc).__name__}: {exc}"[:400],
            )
        ]
    figures = []
    for name, z in zeiten.items():
        titel = "Deutschland nach Kreisen" if name == "de" else f"{LAND} nach Gemeinden"
        kalt = ", ".join(f"{t:.2f}" for t in z["kalt_s"])
        warm = ", ".join(f"{t:.2f}" for t in z["warm_s"])
        figures += [
            Figure(
                f"karte_{name}_gezeichnet_kalt_s",
                z["kalt_median_s"],
                "s",
                target=GEZEICHNET_ZIEL_S if name == "de" else None,
                note=(
                    f"{titel}, {z['pfad']}: Navigation bis gezeichnet, leerer Browser-Cache; "
                    f"Läufe {kalt} s (der erste mit kaltem Server-Cache); Chromium headless"
                ),
            ),
            Figure(
                f"karte_{name}_gezeichnet_warm_s",
                z["warm_median_s"],
                "s",
                note=f"dieselbe Seite erneut (Browser-Cache warm); Läufe {warm} s",
            ),
        ]
    return figures


def run(ctx: Context) -> list[Figure]:
    db = dashboard_db(ctx)
    r = python_json(
        db, "bench.probe_dashboard", "seiten", "--n", str(N), "--aufwaermen", str(AUFWAERMEN)
    )
    figures = seiten_figuren(r)
    figures += browser_figuren(db, r, ctx)
    return figures + aufbau_figur(ctx, db)
