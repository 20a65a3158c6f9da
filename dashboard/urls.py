from django.urls import path

from dashboard.views import barrierefreiheit, karte, land, start

app_name = "dashboard"

urlpatterns = [
    path("", start.start, name="start"),
    path("karte/", karte.karte, name="karte"),
    # Boundaries as GeoJSON: ebene "kreis" (gebiet "de" or a Land code) or "gemeinde" (a
    # Land code). Cached by the browser; the map's figure only carries the figures.
    path("karte/grenzen/<str:ebene>/<str:gebiet>.geojson", karte.geometrie, name="grenzen"),
    path("laender/<str:code>/", land.land, name="land"),
    # The data tables of the Land page's burn-up charts (?leistung=<OZG-ID>: one service).
    path("laender/<str:code>/verlauf/", land.verlauf_tabellen, name="land_verlauf"),
    path(
        "laender/<str:code>/behoerden.<str:format>",
        land.behoerden_export,
        name="land_behoerden_export",
    ),
    path("barrierefreiheit/", barrierefreiheit.barrierefreiheit, name="barrierefreiheit"),
]
