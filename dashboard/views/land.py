"""The Land page (issue #5). Being built."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
@login_required
def land(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404("Die Landesseite ist noch nicht verfügbar.")


@require_GET
@login_required
def behoerden_export(request: HttpRequest, code: str, format: str) -> HttpResponse:  # noqa: A002
    raise Http404("Die Landesseite ist noch nicht verfügbar.")
