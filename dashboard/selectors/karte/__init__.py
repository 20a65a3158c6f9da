"""Reads for the coverage map (issue #5): the figures of every area (Kreis or Gemeinde) and
the boundaries the browser draws them on.

* :func:`karte_daten` – one :class:`Karte`: per area the honest class
  (:func:`dashboard.figuren.stil.klasse`), the three numbers, the responsible authority and
  the page it links to. Kreise read the coverage engine's figures per Kreis
  (:func:`abdeckung.selectors.abdeckung_am`), Gemeinden the resolved responsibilities with
  the status of their authority (:func:`abdeckung.services.zustaendigkeiten_mit_status`),
  both in a fixed number of queries.
* :func:`grenzen_geojson` / :func:`grenzen_bytes` – the boundaries as a FeatureCollection
  (feature ``id`` = ARS), coordinates rounded and cached as gzip bytes.

Modules: :mod:`.modell` (the filter values and the result types :class:`Karte`,
:class:`Gebiet`, :class:`Zustaendig`), :mod:`.gebiete` (:func:`karte_daten`: the areas, their
figures and classes), :mod:`.grenzen` (the boundaries), :mod:`.daten` (the committed services
of the filter and :func:`daten_version`, the fingerprint the page cache is keyed by).
"""

from __future__ import annotations

from dashboard.selectors.karte.daten import daten_version, zugesagte_leistungen
from dashboard.selectors.karte.gebiete import karte_daten
from dashboard.selectors.karte.grenzen import (
    GRENZEN_CACHE_SEKUNDEN,
    NACHKOMMA_LAND,
    NACHKOMMA_NATIONAL,
    GrenzenDatei,
    grenzen_bytes,
    grenzen_etag,
    grenzen_geojson,
    grenzen_version,
)
from dashboard.selectors.karte.modell import (
    EBENEN,
    METRIKEN,
    Ebene,
    Gebiet,
    Karte,
    Metrik,
    Zustaendig,
)

__all__ = [
    "EBENEN",
    "GRENZEN_CACHE_SEKUNDEN",
    "METRIKEN",
    "NACHKOMMA_LAND",
    "NACHKOMMA_NATIONAL",
    "Ebene",
    "Gebiet",
    "GrenzenDatei",
    "Karte",
    "Metrik",
    "Zustaendig",
    "daten_version",
    "grenzen_bytes",
    "grenzen_etag",
    "grenzen_geojson",
    "grenzen_version",
    "karte_daten",
    "zugesagte_leistungen",
]
