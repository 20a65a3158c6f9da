"""The steering report as an accessible PDF (issue #6).

:func:`bericht_pdf` builds the content (:mod:`berichte.inhalt`: frozen Stichtag figures and
the history up to them), draws every chart from the dashboard's own figure definitions
(:mod:`berichte.grafiken`) with kaleido, renders ``berichte/steuerungsbericht.html`` and
prints it with WeasyPrint as a tagged PDF/UA-1 document: language de (``<html lang>``),
title metadata (``<title>``), reading order of the HTML, ``alt`` texts for every chart and
a data table after it, real tables with captions and header scopes.

Kaleido: one headless Chromium per process with two tabs (the machine has two cores),
started when a Celery worker process starts (:mod:`berichte.tasks`), else in the background
while a report's content is read (about 1 s), and kept; all charts of a report go to it as
one batch.
Charts are JPEGs at twice their size (:data:`RASTER_SKALA`): WeasyPrint embeds a JPEG as it
is, while it re-encodes every PNG (twice, with the alpha channel) and draws an SVG's
thousands of nodes (the map's outlines) on every report; the text of each chart is in its
alt text and data table. The map is drawn in a thread while the other charts are built. The
images reach WeasyPrint through its URL fetcher (``bericht-grafik:<key>``), not as data URIs
(megabytes of base64 for the HTML parser). The report's WOFF2 fonts are handed to
WeasyPrint already decompressed (:func:`_truetype`, cached). If a chart cannot be drawn the
report fails with :class:`BerichtFehler`: a chart is never left out silently.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import hashlib
import io
import logging
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from berichte.grafiken import Grafik, Grafiken, grafiken_bauen, karte_bauen
from berichte.inhalt import PROGRAMM, Bericht, BerichtFehler, bericht_inhalt
from dashboard.context_processors import ATTRIBUTION_BKG, ATTRIBUTION_DESTATIS

__all__ = [
    "BerichtFehler",
    "BerichtPdf",
    "bericht_html",
    "bericht_pdf",
    "zeichner_starten",
    "zeichner_vorstarten",
]

logger = logging.getLogger(__name__)

VORLAGE = "berichte/steuerungsbericht.html"
PDF_VARIANTE = "pdf/ua-1"
#: The placeholder of the map traces' ``geojson`` (the browser replaces it the same way).
GEOMETRIE_PLATZHALTER = "__geometrie__"
#: Tabs of the Chromium that draws the charts (parallel renders).
TABS = 2
#: Seconds to start Chromium, and to draw one report's charts.
START_SEKUNDEN = 60
ZEICHNEN_SEKUNDEN = 120
#: Scale of the charts: 2 × 760 px over 17 cm ≈ 230 dpi.
RASTER_SKALA = 2
#: Kaleido's image format (Chromium's JPEG quality 0.92: no visible artefacts at this size).
FORMAT = "jpeg"
#: URL scheme of the drawn charts in the report's HTML (served by :func:`_url_holer`).
BILD_SCHEMA = "bericht-grafik:"


@dataclass(frozen=True)
class Bild:
    """A drawn chart: JPEG bytes."""

    mime: str
    inhalt: bytes


@dataclass(frozen=True)
class BerichtPdf:
    pdf: bytes
    titel: str
    scope: str
    stichtag: dt.date
    datenstand: str


# --- drawing the charts --------------------------------------------------------------------


def _plotly_js() -> str:
    """plotly.js of the charts: the dashboard's version with just the report's trace types
    (``scripts/plotly-bericht-bundle.sh``), instead of plotly.py's full 4.8 MB bundle: the
    renderer starts in about 1.2 s instead of 3 s, and draws as the browser does."""
    return str(Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "plotly-bericht.min.js")


def _topojson_url() -> str:
    """The local stub topology (Plotly would fetch a world map from its CDN otherwise)."""
    verzeichnis = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "topojson"
    return verzeichnis.as_uri() + "/"


#: Charts a tab draws before its page (with plotly.js) is loaded afresh. Kaleido reloads it
#: after every chart: about 0.15 s, half of a chart's time. Plotly.toImage purges its
#: temporary plot, so one page can draw many; the reload now and then bounds what the tab of
#: a long-lived worker may accumulate: plotly keeps every fetched GeoJSON (a Land's
#: boundaries, up to 2.5 MB, per map), so a tab reloads after about two reports' charts.
#: A failed drawing restarts the whole renderer.
NEU_LADEN_NACH = 12


def _kaleido_klasse() -> Any:
    import kaleido

    class Kaleido(kaleido.Kaleido):  # type: ignore[misc]
        """Kaleido (pinned version) with :data:`NEU_LADEN_NACH` instead of a reload after
        every chart: it overrides the method that hands a tab back to the queue."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.seit_neu_geladen: dict[str, int] = {}

        async def _return_kaleido_tab(self, tab: Any) -> None:
            kennung = tab.tab.target_id
            n = self.seit_neu_geladen.get(kennung, 0) + 1
            if n >= NEU_LADEN_NACH:
                await tab.reload()
                n = 0
            self.seit_neu_geladen[kennung] = n
            await self.tabs_ready.put(tab)

    return Kaleido


class _Zeichner:
    """A kaleido instance on its own event loop thread: started once per process, used by
    one report at a time (a lock), restarted after a failure or in a forked child."""

    def __init__(self) -> None:
        kaleido_klasse = _kaleido_klasse()
        self.pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="bericht-kaleido", daemon=True
        )
        self._thread.start()

        async def oeffnen() -> Any:
            k = kaleido_klasse(
                n=TABS, mathjax=False, plotlyjs=_plotly_js(), timeout=ZEICHNEN_SEKUNDEN
            )
            await k.open()
            return k

        try:
            self._kaleido = self._ausfuehren(oeffnen(), START_SEKUNDEN)
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            raise

    def _ausfuehren(self, coroutine: Any, sekunden: float) -> Any:
        zukunft = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return zukunft.result(timeout=sekunden)
        except FutureTimeout:
            zukunft.cancel()
            raise

    def zeichnen(self, auftraege: list[dict[str, Any]]) -> None:
        self._ausfuehren(
            self._kaleido.write_fig_from_object(auftraege, cancel_on_error=True),
            ZEICHNEN_SEKUNDEN,
        )

    def schliessen(self) -> None:
        try:
            self._ausfuehren(self._kaleido.close(), 10)
        except BaseException:  # noqa: BLE001 - closing is best effort
            logger.warning("Kaleido ließ sich nicht sauber beenden.", exc_info=True)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)


_sperre = threading.Lock()
_zeichner: _Zeichner | None = None


def _zeichner_holen() -> _Zeichner:
    global _zeichner
    if _zeichner is None or _zeichner.pid != os.getpid():
        _zeichner = _Zeichner()
    return _zeichner


def zeichner_starten() -> None:
    """Start this process's Chromium for the charts now (about 1 s), e.g. when a worker
    process starts, so that the first report does not pay for it."""
    with _sperre:
        _zeichner_holen()


def _starten_im_hintergrund() -> None:
    try:
        zeichner_starten()
    except Exception:  # noqa: BLE001 - the report retries and fails with a clear message
        logger.warning("Chromium für die Diagramme ließ sich nicht vorstarten.", exc_info=True)


def zeichner_vorstarten() -> threading.Thread | None:
    """Start this process's Chromium in a background thread (returns it; None when it is
    already running), so that the start overlaps other work: the content reads of a
    report, or a Celery worker process's start (whose ``worker_process_init`` handlers
    must return within seconds). A failure is logged; the next report retries."""
    with _sperre:
        if _zeichner is not None and _zeichner.pid == os.getpid():
            return None
    faden = threading.Thread(
        target=_starten_im_hintergrund, name="bericht-kaleido-start", daemon=True
    )
    faden.start()
    return faden


def _zeichner_beenden() -> None:
    global _zeichner
    if _zeichner is not None and _zeichner.pid == os.getpid():
        _zeichner.schliessen()
    _zeichner = None


atexit.register(_zeichner_beenden)


def _mit_geometrie(figur: dict[str, Any], url: str) -> dict[str, Any]:
    data = [
        {**spur, "geojson": url} if spur.get("geojson") == GEOMETRIE_PLATZHALTER else spur
        for spur in figur.get("data", [])
    ]
    return {**figur, "data": data}


def _zeichnen(grafiken: list[Grafik]) -> dict[str, Bild]:
    """Draw ``grafiken`` as one kaleido batch: the images by ``schluessel``. Batches
    may run at the same time (kaleido hands each chart the next free tab). Raises
    :class:`BerichtFehler` if any chart cannot be drawn."""
    with tempfile.TemporaryDirectory(prefix="bericht-") as tmp:
        verzeichnis = Path(tmp)
        auftraege, pfade = [], {}
        for i, g in enumerate(grafiken):
            figur = g.figur
            if g.grenzen is not None:
                geojson = verzeichnis / f"grenzen-{i}.geojson"
                geojson.write_bytes(g.grenzen)
                figur = _mit_geometrie(figur, geojson.as_uri())
            pfad = verzeichnis / f"grafik-{i}.{FORMAT}"
            pfade[g.schluessel] = pfad
            auftraege.append(
                {
                    "fig": figur,
                    "path": str(pfad),
                    "opts": {
                        "format": FORMAT,
                        "width": g.breite,
                        "height": g.hoehe,
                        "scale": RASTER_SKALA,
                    },
                    "topojson": _topojson_url(),
                }
            )
        try:
            with _sperre:
                zeichner = _zeichner_holen()
            zeichner.zeichnen(auftraege)
        except Exception as exc:
            logger.exception("Kaleido konnte die Grafiken des Berichts nicht zeichnen.")
            with _sperre:
                _zeichner_beenden()
            raise BerichtFehler(
                "Die Diagramme des Berichts konnten nicht gezeichnet werden "
                f"(Kaleido/Chromium: {type(exc).__name__}: {exc}). Ohne sie wird der "
                "Bericht nicht erstellt."
            ) from exc
        bilder: dict[str, Bild] = {}
        for g in grafiken:
            pfad = pfade[g.schluessel]
            inhalt = pfad.read_bytes() if pfad.exists() else b""
            if not inhalt.startswith(b"\xff\xd8\xff"):
                raise BerichtFehler(f"Kaleido hat für die Grafik „{g.titel}“ kein Bild geliefert.")
            bilder[g.schluessel] = Bild("image/jpeg", inhalt)
    return bilder


def _gezeichnete_grafiken(bericht: Bericht) -> tuple[Grafiken, dict[str, Bild]]:
    """Build and draw every chart of the report: the charts with ``src`` pointing to their
    image (:data:`BILD_SCHEMA`), and the images by that URL. The map (the slowest drawing)
    goes to the renderer as soon as it is built, in a thread, while the burn-ups and funnels
    are built (on this thread: they read the database) and drawn on the other tab."""
    karte = karte_bauen(bericht)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bericht-karte") as pool:
        karte_bild = pool.submit(_zeichnen, [karte])
        try:
            grafiken = grafiken_bauen(bericht, karte=karte)
            bilder = _zeichnen([g for g in grafiken.alle() if g.schluessel != karte.schluessel])
        except BaseException:
            karte_bild.exception()  # wait for the map's thread; the first error wins
            raise
        bilder.update(karte_bild.result())
    return (
        grafiken.gezeichnet(lambda g: BILD_SCHEMA + g.schluessel),
        {BILD_SCHEMA + schluessel: bild for schluessel, bild in bilder.items()},
    )


def _platzhalter(g: Grafik) -> str:
    return ""


# --- fonts ---------------------------------------------------------------------------------

#: Decompressed fonts, per process (path of the WOFF2 → TrueType bytes).
_schriften: dict[str, bytes] = {}


def _truetype(pfad: Path) -> bytes:
    """The TrueType bytes of a WOFF2 font: what WeasyPrint would decompress itself (with
    fontTools, about 0.5 s per face, 2 s per report), kept per process and in a file cache
    keyed by the font's checksum, so the bytes (and the PDF) are the same."""
    schluessel = str(pfad)
    if schluessel in _schriften:
        return _schriften[schluessel]
    import fontTools
    from fontTools.ttLib import woff2

    roh = pfad.read_bytes()
    kennung = hashlib.sha256(roh + fontTools.version.encode()).hexdigest()[:32]
    cache = Path(tempfile.gettempdir()) / "rollout-bericht-schriften" / f"{kennung}.ttf"
    try:
        ttf = cache.read_bytes()
    except OSError:
        ausgabe = io.BytesIO()
        woff2.decompress(io.BytesIO(roh), ausgabe)
        ttf = ausgabe.getvalue()
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            zwischen = cache.with_suffix(f".{os.getpid()}.tmp")
            zwischen.write_bytes(ttf)
            os.replace(zwischen, cache)
        except OSError:  # a read-only temp directory: keep it in memory only
            logger.info("Schrift-Cache %s nicht beschreibbar.", cache.parent, exc_info=True)
    _schriften[schluessel] = ttf
    return ttf


def _url_holer(bilder: dict[str, Bild] | None = None) -> Any:
    """WeasyPrint's URL fetcher, handing it the drawn charts (``bilder`` by URL) and the
    report's local WOFF2 fonts already decompressed (:func:`_truetype`)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Holer(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(BILD_SCHEMA):
                bild = (bilder or {}).get(url)
                if bild is None:
                    raise BerichtFehler(f"Die Grafik {url} wurde nicht gezeichnet.")
                return URLFetcherResponse(url, bild.inhalt, {"Content-Type": bild.mime})
            if url.startswith("file:") and url.endswith(".woff2"):
                pfad = Path(url2pathname(urlsplit(url).path))
                return URLFetcherResponse(url, _truetype(pfad), {"Content-Type": "font/ttf"})
            return super().fetch(url, headers)

    # A resource that cannot be fetched stops the rendering (WeasyPrint would leave a chart
    # or a font out with a log line).
    return Holer(fail_on_errors=True)


# --- the document --------------------------------------------------------------------------


def bericht_html(bericht: Bericht, *, erstellt_am: dt.datetime) -> str:
    """The report's HTML with the charts undrawn (``src`` empty: what the markup tests
    read)."""
    return _html(bericht, grafiken_bauen(bericht).gezeichnet(_platzhalter), erstellt_am)


def _html(bericht: Bericht, grafiken: Grafiken, erstellt_am: dt.datetime) -> str:
    return render_to_string(
        VORLAGE,
        {
            "b": bericht,
            "grafiken": grafiken,
            "programm": PROGRAMM,
            "erstellt_am": timezone.localtime(erstellt_am),
            "attribution_destatis": ATTRIBUTION_DESTATIS,
            "attribution_bkg": ATTRIBUTION_BKG,
        },
    )


def bericht_pdf(
    *, scope: str, stichtag: dt.date, erstellt_am: dt.datetime | None = None
) -> BerichtPdf:
    """The steering report for ``scope`` ("national" or a Land code such as "BY") at the
    weekly ``stichtag``. Raises :class:`BerichtFehler` (German message) for an unknown
    scope, a day without a frozen Stichtag snapshot, or a chart that cannot be drawn.
    ``erstellt_am`` (default: now) is printed on the cover: the only text that differs
    between two renderings of the same Stichtag."""
    # Chromium (about 1 s on first use in a process) starts while the content is read.
    zeichner_vorstarten()
    bericht = bericht_inhalt(scope=scope, stichtag=stichtag)
    grafiken, bilder = _gezeichnete_grafiken(bericht)
    html = _html(bericht, grafiken, erstellt_am or timezone.now())
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    basis = str(Path(settings.BASE_DIR) / "static") + "/"
    try:
        pdf = HTML(string=html, base_url=basis, url_fetcher=_url_holer(bilder)).write_pdf(
            pdf_variant=PDF_VARIANTE, pdf_tags=True
        )
    except FatalURLFetchingError as exc:
        raise BerichtFehler(
            f"Der Bericht konnte nicht gesetzt werden: {exc} ({exc.__cause__})."
        ) from exc
    if not pdf:
        raise BerichtFehler("WeasyPrint hat kein PDF erzeugt.")
    return BerichtPdf(
        pdf=bytes(pdf),
        titel=bericht.titel,
        scope=bericht.scope,
        stichtag=bericht.stichtag,
        datenstand=bericht.datenstand,
    )
