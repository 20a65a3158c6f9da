"""The steering report as an accessible PDF (issue #6).

:func:`bericht_pdf` builds the content (:mod:`berichte.inhalt`: frozen Stichtag figures and
the history up to them), draws every chart from the dashboard's own figure definitions
(:mod:`berichte.grafiken`) with kaleido, renders ``berichte/steuerungsbericht.html`` and
prints it with WeasyPrint as a tagged PDF/UA-1 document: language de (``<html lang>``),
title metadata (``<title>``), reading order of the HTML, ``alt`` texts for every chart and
a data table after it, real tables with captions and header scopes.

Kaleido: one headless Chromium per process with two tabs (the machine has two cores),
started on first use (about 4 s) and kept; all charts of a report go to it as one batch.
Charts are SVG; the map is a PNG (thousands of outlines as vectors cost WeasyPrint several
seconds). If a chart cannot be drawn the report fails with :class:`BerichtFehler`: a chart
is never left out silently.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import datetime as dt
import hashlib
import logging
import os
import re
import tempfile
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from berichte.grafiken import Grafik, Grafiken, grafiken_bauen
from berichte.inhalt import PROGRAMM, Bericht, BerichtFehler, bericht_inhalt
from dashboard.context_processors import ATTRIBUTION_BKG, ATTRIBUTION_DESTATIS

__all__ = [
    "BerichtFehler",
    "BerichtPdf",
    "bericht_html",
    "bericht_pdf",
    "grafiken_zeichnen",
    "zeichner_starten",
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
#: Scale of raster charts (the map): 2 × 760 px over 17 cm ≈ 230 dpi.
PNG_SKALA = 2


@dataclass(frozen=True)
class BerichtPdf:
    pdf: bytes
    titel: str
    scope: str
    stichtag: dt.date
    datenstand: str


# --- drawing the charts --------------------------------------------------------------------


def _topojson_url() -> str:
    """The local stub topology (Plotly would fetch a world map from its CDN otherwise)."""
    verzeichnis = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly" / "topojson"
    return verzeichnis.as_uri() + "/"


class _Zeichner:
    """A kaleido instance on its own event loop thread: started once per process, used by
    one report at a time (a lock), restarted after a failure or in a forked child."""

    def __init__(self) -> None:
        import kaleido

        self.pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="bericht-kaleido", daemon=True
        )
        self._thread.start()

        async def oeffnen() -> Any:
            k = kaleido.Kaleido(n=TABS, mathjax=False, timeout=ZEICHNEN_SEKUNDEN)
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
    """Start this process's Chromium for the charts now (about 4 s), e.g. when a worker
    process starts, so that the first report does not pay for it."""
    with _sperre:
        _zeichner_holen()


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


def grafiken_zeichnen(grafiken: Grafiken) -> Grafiken:
    """Draw every chart (one kaleido batch) and return them with ``src`` set to the image
    as a data URI. Raises :class:`BerichtFehler` if any chart cannot be drawn."""
    alle = grafiken.alle()
    with tempfile.TemporaryDirectory(prefix="bericht-") as tmp:
        verzeichnis = Path(tmp)
        auftraege, pfade = [], {}
        for i, g in enumerate(alle):
            figur = g.figur
            if g.grenzen is not None:
                geojson = verzeichnis / f"grenzen-{i}.geojson"
                geojson.write_bytes(g.grenzen)
                figur = _mit_geometrie(figur, geojson.as_uri())
            pfad = verzeichnis / f"grafik-{i}.{g.format}"
            pfade[g.schluessel] = pfad
            auftraege.append(
                {
                    "fig": figur,
                    "path": str(pfad),
                    "opts": {
                        "format": g.format,
                        "width": g.breite,
                        "height": g.hoehe,
                        "scale": PNG_SKALA if g.format == "png" else 1,
                    },
                    "topojson": _topojson_url(),
                }
            )
        with _sperre:
            try:
                _zeichner_holen().zeichnen(auftraege)
            except Exception as exc:
                logger.exception("Kaleido konnte die Grafiken des Berichts nicht zeichnen.")
                _zeichner_beenden()
                raise BerichtFehler(
                    "Die Diagramme des Berichts konnten nicht gezeichnet werden "
                    f"(Kaleido/Chromium: {type(exc).__name__}: {exc}). Ohne sie wird der "
                    "Bericht nicht erstellt."
                ) from exc
        bilder: dict[str, str] = {}
        for g in alle:
            pfad = pfade[g.schluessel]
            inhalt = pfad.read_bytes() if pfad.exists() else b""
            if not _ist_bild(inhalt, g.format):
                raise BerichtFehler(
                    f"Kaleido hat für die Grafik „{g.titel}“ kein {g.format.upper()} geliefert."
                )
            if g.format == "svg":
                inhalt = _svg_normalisieren(inhalt, g.schluessel)
            mime = "image/svg+xml" if g.format == "svg" else "image/png"
            bilder[g.schluessel] = f"data:{mime};base64," + base64.b64encode(inhalt).decode()
    return grafiken.gezeichnet(lambda g: bilder[g.schluessel])


_UID = re.compile(rb'id="defs-([0-9a-f]{6})"')


def _svg_normalisieren(svg: bytes, schluessel: str) -> bytes:
    """Plotly names the clip paths and defs of every drawing with a random id; replace it by
    one derived from the chart, so the same figure gives the same bytes (an archived PDF
    re-rendered for the same Stichtag is byte-identical)."""
    treffer = _UID.search(svg)
    if treffer is None:
        return svg
    neu = hashlib.sha256(schluessel.encode()).hexdigest()[:6].encode()
    return re.sub(rb"(?<=[A-Za-z-])" + re.escape(treffer.group(1)), neu, svg)


def _ist_bild(inhalt: bytes, format: str) -> bool:  # noqa: A002
    if format == "png":
        return inhalt.startswith(b"\x89PNG")
    return b"<svg" in inhalt[:2000]


def _platzhalter(g: Grafik) -> str:
    return ""


# --- the document --------------------------------------------------------------------------


def bericht_html(bericht: Bericht, *, erstellt_am: dt.datetime, bilder: bool = True) -> str:
    """The report's HTML; ``bilder=False`` leaves the charts undrawn (markup tests)."""
    grafiken = grafiken_bauen(bericht)
    grafiken = grafiken_zeichnen(grafiken) if bilder else grafiken.gezeichnet(_platzhalter)
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
    from weasyprint import HTML

    bericht = bericht_inhalt(scope=scope, stichtag=stichtag)
    html = bericht_html(bericht, erstellt_am=erstellt_am or timezone.now())
    basis = str(Path(settings.BASE_DIR) / "static") + "/"
    pdf = HTML(string=html, base_url=basis).write_pdf(pdf_variant=PDF_VARIANTE, pdf_tags=True)
    if not pdf:
        raise BerichtFehler("WeasyPrint hat kein PDF erzeugt.")
    return BerichtPdf(
        pdf=bytes(pdf),
        titel=bericht.titel,
        scope=bericht.scope,
        stichtag=bericht.stichtag,
        datenstand=bericht.datenstand,
    )
