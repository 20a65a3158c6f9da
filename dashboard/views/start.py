"""The overview (start page, issue #5): KPI cards, the Land × service matrix with forecast
and trend, pilots. An htmx request (the "Zahlen aktualisieren" button) gets only the
``uebersicht`` region with fresh figures."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from abdeckung.prognose import FENSTER_WOCHEN
from dashboard.selectors import uebersicht as selectors
from onboarding import permissions
from rollout.http import HtmxHttpRequest


@require_GET
@login_required
def start(request: HtmxHttpRequest) -> HttpResponse:
    land_ids = permissions._land_ids(request.user)
    uebersicht = selectors.programm_uebersicht(land_ids=land_ids)
    template = "dashboard/start.html"
    kontext = {
        "uebersicht": uebersicht,
        "heute": uebersicht.heute,
        "laender": uebersicht.laender,
        "fenster_wochen": FENSTER_WOCHEN,
    }
    if request.htmx:
        template += "#uebersicht"
    else:
        kontext["piloten"] = selectors.pilotkommunen(land_ids=land_ids)
    response = render(request, template, kontext)
    patch_vary_headers(response, ["HX-Request"])
    return response
