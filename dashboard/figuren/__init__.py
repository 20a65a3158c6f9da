"""Figure definitions: plain Plotly figure dicts ({"data", "layout", "config"}) built from
selector results. The dashboard sends them to the browser (``json_script``, drawn by
``static/js/charts.js``); the steering report renders the same dicts to SVG with kaleido.
One definition per chart, so the PDF shows exactly what the dashboard shows.

* :mod:`.stil` – palette, honest map classes, base layout.
* :mod:`.karte` – the coverage map (choropleth by Kreis or Gemeinde).
* :mod:`.verlauf` – the burn-up chart (actual, target line, forecast).
* :mod:`.trichter` – the phase funnel.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def json_script(figur: dict[str, Any], element_id: str) -> SafeString:
    """``<script id="element_id" type="application/json">`` with the figure, for
    ``static/js/charts.js``: what Django's ``json_script`` filter writes (``<``, ``>`` and
    ``&`` escaped, the same data), called by the view and cheaper for large figures.

    Django escapes with ``str.translate`` over a dict, one lookup per character, which took
    most of the serialisation time of the Land page's 21 figures (about 100 kB of JSON);
    three ``str.replace`` calls do the same in a fraction of it, and compact separators
    leave out a tenth of the bytes. Serialised in the view, a figure's many small lists are
    freed right away: from the template context they would stay reachable until the next
    garbage collection (a rendered context is a reference cycle), and on the Land page
    they were a third of what every request left for the collector."""
    inhalt = (
        json.dumps(figur, cls=DjangoJSONEncoder, separators=(",", ":"))
        .replace("<", "\\u003C")
        .replace(">", "\\u003E")
        .replace("&", "\\u0026")
    )
    return format_html(
        '<script id="{}" type="application/json">{}</script>', element_id, mark_safe(inhalt)
    )
