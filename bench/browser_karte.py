"""Time to a drawn map in headless Chromium (Debian's ``/usr/bin/chromium`` through
Playwright; ``playwright install`` is never used).

The app runs under gunicorn on 127.0.0.1 with the environment of the benchmark copy
(production settings, static files served by WhiteNoise). A browser context logs in once
through the login form; every measurement then opens the page in a fresh context that only
carries the session cookie ("cold": empty HTTP cache) and opens it a second time in the same
context ("warm": scripts and boundaries from the browser cache, as far as their
``Cache-Control`` allows). The time runs from the navigation start (``performance.now()``
is relative to it) to the ``cockpit:chart-gezeichnet`` event of the chart that carries
``data-geojson`` (``static/js/charts.js`` fires it after ``Plotly.react``).

No request may leave 127.0.0.1; one that does fails the measurement. (Playwright's request
routing would switch off the HTTP cache, so requests are only watched, not intercepted.)
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ERLAUBTE_HOSTS = {"127.0.0.1", "localhost"}
ZEITLIMIT_MS = 60_000

#: Records the moment the map (the chart with data-geojson) is drawn, before any page
#: script runs.
_BEOBACHTER = """
document.addEventListener("cockpit:chart-gezeichnet", function (e) {
  if (e.target && e.target.dataset && e.target.dataset.geojson && !window.__benchGezeichnet) {
    window.__benchGezeichnet = performance.now();
  }
}, true);
"""
_FERTIG = """() => window.__benchGezeichnet !== undefined
  || document.querySelector('[data-geojson][data-gezeichnet="fehler"]') !== null"""


class BrowserFehler(RuntimeError):
    pass


def _freier_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(env: dict[str, str], *, cwd: Path, log: Path, workers: int = 2) -> Iterator[str]:
    """gunicorn serving the app on a spare loopback port (output to ``log``); yields its
    base URL."""
    port = _freier_port()
    ausgabe = log.open("wb")
    prozess = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rollout.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
        ],
        cwd=cwd,
        env=env,
        stdout=ausgabe,
        stderr=subprocess.STDOUT,
    )
    basis = f"http://127.0.0.1:{port}"
    try:
        ende = time.monotonic() + 60
        while True:
            if prozess.poll() is not None:
                raise BrowserFehler(f"gunicorn ended with {prozess.returncode}")
            try:
                with urllib.request.urlopen(f"{basis}/konto/anmelden/", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > ende:
                    raise BrowserFehler("gunicorn did not answer within 60 s") from None
                time.sleep(0.3)
        yield basis
    finally:
        prozess.terminate()
        try:
            prozess.wait(timeout=10)
        except subprocess.TimeoutExpired:
            prozess.kill()
            prozess.wait()
        ausgabe.close()


def _einmal(seite: Any, url: str) -> float:
    seite.goto(url, wait_until="commit")
    seite.wait_for_function(_FERTIG, timeout=ZEITLIMIT_MS)
    wert = seite.evaluate("() => window.__benchGezeichnet")
    if wert is None:
        raise BrowserFehler(f"the map on {url} reported an error instead of drawing")
    return float(wert) / 1000


def _kontext(browser: Any) -> Any:
    """A context as a German user on a laptop has it (as in the browser tests)."""
    return browser.new_context(
        locale="de-DE", timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900}
    )


def zeichenzeiten(
    basis: str, *, benutzer: str, passwort: str, pfade: dict[str, str], laeufe: int = 3
) -> dict[str, Any]:
    """Per path: ``laeufe`` cold and as many warm times to the drawn map, in seconds."""
    from playwright.sync_api import sync_playwright

    fremd: list[str] = []

    def beobachten(anfrage: Any) -> None:
        url = anfrage.url
        if not url.startswith(("data:", "blob:", "about:")) and (
            urlsplit(url).hostname not in ERLAUBTE_HOSTS
        ):
            fremd.append(url)

    ergebnis: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--lang=de-DE"],
        )
        try:
            anmeldung = _kontext(browser)
            seite = anmeldung.new_page()
            seite.goto(f"{basis}/konto/anmelden/")
            seite.fill("input[name=username]", benutzer)
            seite.fill("input[name=password]", passwort)
            with seite.expect_navigation():
                seite.press("input[name=password]", "Enter")
            cookies = [c for c in anmeldung.cookies() if c["name"] == "sessionid"]
            anmeldung.close()
            if not cookies:
                raise BrowserFehler("login through the form failed (no session cookie)")
            for name, pfad in pfade.items():
                kalt: list[float] = []
                warm: list[float] = []
                for _ in range(laeufe):
                    kontext = _kontext(browser)
                    kontext.add_cookies(cookies)  # type: ignore[arg-type]
                    kontext.add_init_script(_BEOBACHTER)
                    kontext.on("request", beobachten)
                    seite = kontext.new_page()
                    kalt.append(_einmal(seite, f"{basis}{pfad}"))
                    warm.append(_einmal(seite, f"{basis}{pfad}"))
                    kontext.close()
                ergebnis[name] = {
                    "pfad": pfad,
                    "kalt_s": kalt,
                    "warm_s": warm,
                    "kalt_median_s": statistics.median(kalt),
                    "warm_median_s": statistics.median(warm),
                }
        finally:
            browser.close()
    if fremd:
        raise BrowserFehler("requests outside 127.0.0.1: " + ", ".join(sorted(set(fremd))[:5]))
    return ergebnis
