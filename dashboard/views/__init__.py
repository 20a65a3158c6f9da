"""Dashboard views, one module per page: start (overview), karte (coverage map), land (Land
page), barrierefreiheit (accessibility statement)."""
