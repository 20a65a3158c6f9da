"""In-process measurements of the dashboard pages and the steering report at national scale
(run by the ``dashboard_seiten`` and ``steuerungsbericht`` benchmarks in a subprocess,
against a copy of the dashboard database, see ``bench/benchmarks/_dashboard_db.py``).

    python -m bench.probe_dashboard vorbereiten            # once, on the cached database
    python -m bench.probe_dashboard seiten [--n 100] [--aufwaermen 3]
    python -m bench.probe_dashboard bericht --scope national [--stichtag 2026-11-15]

Each prints one JSON object. Page figures go through Django's test client (every
middleware, session, view, template), i.e. server time without the network, as a
Ministerium user without a Land (sees everything).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import re
import statistics
import time
from dataclasses import dataclass
from html import unescape
from typing import Any

#: The bench user: Ministerium, no Land (nationwide read access).
BENUTZER = "bench-ministerium"
#: Only used on the local benchmark copy (the browser logs in with it).
PASSWORT = "bench-kennwort-2026"
#: Level of the gzip a reverse proxy would apply to dynamic responses (nginx/Apache use
#: 1–6; 6 is the usual setting). Static files are measured as WhiteNoise serves them.
GZIP_STUFE = 6
#: The Land whose pages are measured.
LAND = "BY"


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.einstellungen")
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client in (ALLOWED_HOSTS "testserver")
    from rollout.speicher import speicherbereinigung_einstellen

    # As every web process does after loading the application (rollout/wsgi.py).
    speicherbereinigung_einstellen()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def gz(inhalt: bytes) -> int:
    """Bytes on the wire after gzip at :data:`GZIP_STUFE` (fixed mtime: reproducible)."""
    return len(gzip.compress(inhalt, compresslevel=GZIP_STUFE, mtime=0))


# --- preparing the cached database ---------------------------------------------------------


def vorbereiten(*, tage: int) -> dict[str, Any]:
    """What a running national installation has on top of the generated history: the
    boundaries, a year of daily snapshots with the weekly Stichtag (the burn-up's series,
    the report's frozen figures), the current figures, and the bench user."""
    from abdeckung.services import snapshots_nachtragen
    from abdeckung.tasks import vormerken_ausgesetzt
    from bench.nationaldaten import BIS
    from kommunen.services import grenzen_import

    ergebnis: dict[str, Any] = {}
    start = time.perf_counter()
    ergebnis["grenzen"] = grenzen_import()
    with vormerken_ausgesetzt():
        ergebnis["snapshots"] = snapshots_nachtragen(von=BIS - dt.timedelta(days=tage - 1), bis=BIS)
    benutzer_anlegen()
    ergebnis["sekunden"] = round(time.perf_counter() - start, 1)
    return ergebnis


def benutzer_anlegen() -> Any:
    """The bench user (Ministerium without a Land), with :data:`PASSWORT` for the browser."""
    from accounts.models import Rolle, User

    user, _ = User.objects.get_or_create(username=BENUTZER)
    user.rolle = Rolle.MINISTERIUM
    user.land = None
    user.first_name, user.last_name = "Bench", "Ministerium"
    user.is_active = True
    user.set_password(PASSWORT)
    user.save()
    return user


# --- the pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Seite:
    name: str
    url: str
    htmx: bool = False
    beschreibung: str = ""


def beispiele() -> dict[str, Any]:
    """The objects in :data:`LAND` whose pages are measured: the heaviest of each kind (the
    Kreis with the most Gemeinden, the most populous Gemeinde, the authority responsible
    for the most Gemeinden), so the figures are an upper bound for the Land."""
    from django.db.models import Count

    from kommunen.models import Gemeinde, Kreis
    from leistungen.models import Behoerde

    kreis = (
        Kreis.objects.filter(land__kurz=LAND)
        .annotate(n=Count("gemeinden"))
        .order_by("-n", "ars")
        .values("ars", "name", "n")
        .first()
    )
    gemeinde = (
        Gemeinde.objects.filter(land__kurz=LAND)
        .order_by("-einwohner", "ars")
        .values("ars", "name", "einwohner")
        .first()
    )
    behoerde = (
        Behoerde.objects.filter(land__kurz=LAND)
        .annotate(n=Count("zustaendigkeiten__gemeinde", distinct=True))
        .order_by("-n", "schluessel")
        .values("schluessel", "name", "n")
        .first()
    )
    if not (kreis and gemeinde and behoerde):
        raise SystemExit(f"no Kreis, Gemeinde or authority in {LAND}: import the data first")
    return {"kreis": kreis, "gemeinde": gemeinde, "behoerde": behoerde}


def seiten_liste(b: dict[str, Any]) -> list[Seite]:
    k, g, be = b["kreis"], b["gemeinde"], b["behoerde"]
    return [
        Seite("start", "/", beschreibung="Übersicht"),
        Seite("karte_de_kreis", "/karte/", beschreibung="Deutschland nach Kreisen"),
        Seite("karte_by_gemeinde", f"/karte/?land={LAND}", beschreibung="Bayern nach Gemeinden"),
        Seite(
            "karte_filter_htmx",
            f"/karte/?land={LAND}&metrik=gemeinden",
            htmx=True,
            beschreibung="Kartenfilter: Bayern, Kennzahl Gemeinden",
        ),
        Seite("grenzen_de_kreis", "/karte/grenzen/kreis/de.geojson", beschreibung="GeoJSON"),
        Seite(
            "grenzen_by_gemeinde",
            f"/karte/grenzen/gemeinde/{LAND.lower()}.geojson",
            beschreibung="GeoJSON",
        ),
        Seite("land_by", f"/laender/{LAND}/", beschreibung="Landesseite Bayern"),
        Seite("kreis_by", f"/kreise/{k['ars']}/", beschreibung=f"{k['name']}, {k['n']} Gemeinden"),
        Seite("gemeinde_by", f"/gemeinden/{g['ars']}/", beschreibung=f"{g['name']}"),
        Seite(
            "behoerde_by",
            f"/behoerden/{be['schluessel']}/",
            beschreibung=f"{be['name']}, {be['n']} Gemeinden",
        ),
    ]


def _client() -> Any:
    from django.test import Client

    from accounts.models import User

    # A view that fails answers 500 (reported for that page) instead of ending the run.
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username=BENUTZER))
    return client


def _inhalt(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


#: What Chromium sends: the boundary endpoint answers gzip-compressed to it.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def _abrufen(client: Any, seite: Seite) -> Any:
    headers = dict(BROWSER_HEADERS)
    if seite.htmx:
        headers["HX-Request"] = "true"
    return client.get(seite.url, headers=headers)


def _gzip_groesse(response: Any, inhalt: bytes) -> int:
    """Bytes on the wire: as sent if the app compressed the response itself, else what a
    proxy's gzip makes of it."""
    return len(inhalt) if response.headers.get("Content-Encoding") == "gzip" else gz(inhalt)


def _roh(response: Any, inhalt: bytes) -> bytes:
    if response.headers.get("Content-Encoding") == "gzip":
        return gzip.decompress(inhalt)
    return inhalt


def seite_messen(client: Any, seite: Seite, *, n: int, aufwaermen: int) -> dict[str, Any]:
    """The first request (cold: this process has not served the page and the cache
    prefix of this run is new), ``aufwaermen`` more, then ``n`` timed requests (warm)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as erfasst:
        start = time.perf_counter()
        response = _abrufen(client, seite)
        kalt_s = time.perf_counter() - start
    inhalt = _inhalt(response)
    ergebnis: dict[str, Any] = {
        "url": seite.url,
        "htmx": seite.htmx,
        "beschreibung": seite.beschreibung,
        "status": response.status_code,
        "kalt_s": kalt_s,
        "kalt_abfragen": len(erfasst.captured_queries),
        "bytes": len(_roh(response, inhalt)),
        "bytes_gzip": _gzip_groesse(response, inhalt),
        "vary": response.headers.get("Vary", ""),
    }
    if response.status_code != 200:
        ergebnis["fehlt"] = True
        if getattr(response, "exc_info", None):
            ergebnis["fehler"] = f"{response.exc_info[0].__name__}: {response.exc_info[1]}"[:300]
        return ergebnis
    for _ in range(max(0, aufwaermen - 1)):
        _abrufen(client, seite)
    zeiten: list[float] = []
    cpu: list[float] = []
    abfragen: list[int] = []
    status: set[int] = set()
    for _ in range(n):
        with CaptureQueriesContext(connection) as erfasst:
            start, cpu_start = time.perf_counter(), time.process_time()
            response = _abrufen(client, seite)
            if getattr(response, "streaming", False):
                _inhalt(response)  # a streamed body is produced while it is read
            zeiten.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
        abfragen.append(len(erfasst.captured_queries))
        status.add(response.status_code)
    ergebnis.update(
        n=n,
        median_s=statistics.median(zeiten),
        p95_s=_p95(zeiten),
        max_s=max(zeiten),
        cpu_median_s=statistics.median(cpu),
        cpu_p95_s=_p95(cpu),
        abfragen=max(abfragen),
        abfragen_min=min(abfragen),
        status_alle=sorted(status),
    )
    return ergebnis


# --- what the browser transfers -------------------------------------------------------------

_DIV = re.compile(r"<div\b[^>]*\bdata-chart=\"([^\"]+)\"[^>]*>", re.S)
_GEOJSON = re.compile(r"\bdata-geojson=\"([^\"]+)\"")
_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", re.S)


def _json_script(html: str, ident: str) -> str | None:
    treffer = re.search(
        rf"<script\b[^>]*\bid=\"{re.escape(ident)}\"[^>]*>(.*?)</script>", html, re.S
    )
    return treffer.group(1) if treffer else None


def kartendaten(client: Any, url: str) -> dict[str, Any]:
    """The map data a browser loads for the page ``url``: the boundaries (``data-geojson``
    of the map chart) and the figure JSON embedded in the page, each gzipped."""
    response = client.get(url)
    if response.status_code != 200:
        return {"url": url, "status": response.status_code, "fehlt": True}
    html = response.content.decode("utf-8")
    for treffer in _DIV.finditer(html):
        geojson = _GEOJSON.search(treffer.group(0))
        if not geojson:
            continue
        ident = unescape(treffer.group(1))
        figur = _json_script(html, ident) or ""
        geo_url = unescape(geojson.group(1))
        geo = client.get(geo_url, headers=BROWSER_HEADERS)
        geo_inhalt = _inhalt(geo)
        geo_gzip = _gzip_groesse(geo, geo_inhalt)
        return {
            "url": url,
            "status": 200,
            "geojson_url": geo_url,
            "geojson_status": geo.status_code,
            "geojson_bytes": len(_roh(geo, geo_inhalt)),
            "geojson_gzip": geo_gzip,
            "geojson_vom_server_komprimiert": geo.headers.get("Content-Encoding") == "gzip",
            "geojson_cache_control": geo.headers.get("Cache-Control", ""),
            "figur_bytes": len(figur.encode("utf-8")),
            "figur_gzip": gz(figur.encode("utf-8")),
            "seite_bytes": len(response.content),
            "seite_gzip": gz(response.content),
            "gesamt_gzip": geo_gzip + gz(figur.encode("utf-8")),
        }
    return {"url": url, "status": 200, "fehlt": True, "grund": "keine Karte (data-geojson)"}


def javascript(client: Any, url: str) -> dict[str, Any]:
    """The scripts the page ``url`` references, as WhiteNoise serves them to a browser
    that accepts gzip (its pre-compressed ``.gz``; gzipped here if it has none)."""
    response = client.get(url)
    if response.status_code != 200:
        return {"url": url, "status": response.status_code, "fehlt": True}
    html = response.content.decode("utf-8")
    dateien: dict[str, dict[str, Any]] = {}
    for src in dict.fromkeys(unescape(s) for s in _SCRIPT_SRC.findall(html)):
        antwort = client.get(src, headers={"Accept-Encoding": "gzip"})
        inhalt = _inhalt(antwort)
        vorkomprimiert = antwort.headers.get("Content-Encoding") == "gzip"
        dateien[src] = {
            "status": antwort.status_code,
            "gzip": len(inhalt) if vorkomprimiert else gz(inhalt),
            "vorkomprimiert": vorkomprimiert,
            "cache_control": antwort.headers.get("Cache-Control", ""),
        }
    return {
        "url": url,
        "status": 200,
        "dateien": dateien,
        "gesamt_gzip": sum(d["gzip"] for d in dateien.values()),
        "alle_da": all(d["status"] == 200 for d in dateien.values()),
    }


def seiten(*, n: int, aufwaermen: int, nur: list[str] | None = None) -> dict[str, Any]:
    from django.conf import settings

    b = beispiele()
    client = _client()
    liste = [s for s in seiten_liste(b) if not nur or s.name in nur]
    last_vorher = os.getloadavg()[0]
    gemessen = {s.name: seite_messen(client, s, n=n, aufwaermen=aufwaermen) for s in liste}
    return {
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "last": [round(last_vorher, 1), round(os.getloadavg()[0], 1)],
        "cpus": os.cpu_count(),
        "debug": settings.DEBUG,
        "beispiele": b,
        "seiten": gemessen,
        "kartendaten": {
            "de_kreis": kartendaten(client, "/karte/"),
            "by_gemeinde": kartendaten(client, f"/karte/?land={LAND}"),
        },
        "javascript": {
            "karte": javascript(client, "/karte/"),
            "diagramm": javascript(client, f"/laender/{LAND}/"),
        },
    }


# --- the steering report --------------------------------------------------------------------


def bericht(*, scope: str, stichtag: dt.date, wiederholungen: int) -> dict[str, Any]:
    """Generation time of the report in a fresh process (the first call starts the chart
    renderer) and of ``wiederholungen`` further calls; the PDF's size and pages."""
    try:
        from berichte.pdf import bericht_pdf
    except ImportError as exc:
        return {"fehlt": True, "grund": f"berichte.pdf.bericht_pdf fehlt ({exc})"}
    import io

    import pikepdf

    last = os.getloadavg()[0]
    zeiten: list[float] = []
    ergebnis: Any = None
    for _ in range(1 + wiederholungen):
        start = time.perf_counter()
        try:
            ergebnis = bericht_pdf(scope=scope, stichtag=stichtag)
        except Exception as exc:  # noqa: BLE001 - reported as a note, the run goes on
            return {"fehlt": True, "grund": f"{type(exc).__name__}: {exc}"[:300]}
        zeiten.append(time.perf_counter() - start)
    with pikepdf.open(io.BytesIO(ergebnis.pdf)) as pdf:
        seitenzahl = len(pdf.pages)
    return {
        "scope": scope,
        "stichtag": stichtag.isoformat(),
        "erster_s": zeiten[0],
        "weitere_s": zeiten[1:],
        "bytes": len(ergebnis.pdf),
        "seiten": seitenzahl,
        "titel": ergebnis.titel,
        "datenstand": ergebnis.datenstand,
        "last": [round(last, 1), round(os.getloadavg()[0], 1)],
        "cpus": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_dashboard")
    sub = parser.add_subparsers(dest="was", required=True)
    sub.add_parser("vorbereiten").add_argument("--tage", type=int, default=365)
    p_seiten = sub.add_parser("seiten")
    p_seiten.add_argument("--n", type=int, default=100)
    p_seiten.add_argument("--aufwaermen", type=int, default=3)
    p_seiten.add_argument("--nur", action="append", help="only this page (repeatable)")
    p_bericht = sub.add_parser("bericht")
    p_bericht.add_argument("--scope", required=True)
    p_bericht.add_argument("--stichtag", type=dt.date.fromisoformat, default=None)
    p_bericht.add_argument("--wiederholungen", type=int, default=1)
    args = parser.parse_args()
    _setup()
    if args.was == "vorbereiten":
        result = vorbereiten(tage=args.tage)
    elif args.was == "seiten":
        result = seiten(n=args.n, aufwaermen=args.aufwaermen, nur=args.nur)
    else:
        from bench.nationaldaten import BIS

        result = bericht(
            scope=args.scope,
            stichtag=args.stichtag or BIS,
            wiederholungen=args.wiederholungen,
        )
    print(json.dumps(result, default=str))  # noqa: T201


if __name__ == "__main__":
    main()
