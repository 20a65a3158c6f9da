"""The coverage map (issue #5): Germany by Kreis, a Land by Gemeinde. Being built."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
@login_required
def karte(request: HttpRequest) -> HttpResponse:
    raise Http404("Die Karte ist noch nicht verfügbar.")


@require_GET
@login_required
def geometrie(request: HttpRequest, ebene: str, gebiet: str) -> HttpResponse:
    raise Http404("Die Karte ist noch nicht verfügbar.")
