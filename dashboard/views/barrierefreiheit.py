from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def barrierefreiheit(request: HttpRequest) -> HttpResponse:
    """Accessibility statement (BITV 2.0); public, like every such statement."""
    return render(request, "dashboard/barrierefreiheit.html")
