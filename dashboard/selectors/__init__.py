"""Reads for the dashboard pages, one module per page: uebersicht (start page), karte
(coverage map), land (Land page)."""
