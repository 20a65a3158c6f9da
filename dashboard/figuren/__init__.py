"""Figure definitions: plain Plotly figure dicts ({"data", "layout", "config"}) built from
selector results. The dashboard sends them to the browser (``json_script``, drawn by
``static/js/charts.js``); the steering report renders the same dicts to SVG with kaleido.
One definition per chart, so the PDF shows exactly what the dashboard shows.

* :mod:`.stil` – palette, honest map classes, base layout.
* :mod:`.karte` – the coverage map (choropleth by Kreis or Gemeinde).
* :mod:`.verlauf` – the burn-up chart (actual, target line, forecast).
* :mod:`.trichter` – the phase funnel.
"""
