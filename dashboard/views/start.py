from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.selectors import uebersicht as selectors


@require_GET
@login_required
def start(request: HttpRequest) -> HttpResponse:
    heute = timezone.localdate()
    return render(
        request,
        "dashboard/start.html",
        {
            "heute": heute,
            "laender": selectors.programm_uebersicht(stichtag=heute),
            "piloten": selectors.pilotkommunen(),
        },
    )
