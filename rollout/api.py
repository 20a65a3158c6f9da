"""The read API ``/api/v1/``: one NinjaAPI, authenticated by session or bearer token.

Every operation requires authentication (``auth`` on the API), and so does the OpenAPI
schema. The Swagger UI is switched off (``docs_url=None``): ninja loads it from a CDN,
and the cockpit serves nothing from outside. The schema at ``/api/v1/openapi.json`` can
be opened in any local OpenAPI viewer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from abdeckung.api import router as abdeckung_router
from accounts.auth import API_AUTH, anfrage_authentifizieren
from kommunen.api import router as kommunen_router
from leistungen.api import router as leistungen_router
from onboarding.api import router as onboarding_router

logger = logging.getLogger(__name__)

NICHT_ANGEMELDET = (
    "Nicht angemeldet: bitte mit einer Sitzung oder einem API-Token "
    "(„Authorization: Bearer <Token>“) anfragen."
)


def _schema_nur_angemeldet(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema view is not a ninja operation; give it the same authentication."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if anfrage_authentifizieren(request) is None:
            return _nicht_angemeldet(request, AuthenticationError())
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="Rollout-Cockpit API",
    version="1",
    description=(
        "Schnittstelle des Rollout-Cockpits: Gebiet (Gemeinden), Behörden, "
        "Leistungen, Zusagen und die aufgelöste Zuständigkeit (lesend); Onboardings, "
        "Checklisten, Hürden und Massenaktualisierung (lesend und schreibend, mit denselben "
        "Berechtigungen und Prüfungen wie die Oberfläche). Anmeldung über die "
        "Sitzung des Cockpits oder ein API-Token im Kopf „Authorization: Bearer <Token>“ "
        "(erstellt mit `python manage.py api_token BENUTZER --name NAME`)."
    ),
    auth=API_AUTH,
    docs_url=None,
    docs_decorator=_schema_nur_angemeldet,
    urls_namespace="api-v1",
)


@api.exception_handler(AuthenticationError)
def _nicht_angemeldet(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, {"detail": NICHT_ANGEMELDET}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Rollout-Cockpit API"'
    return response


@api.exception_handler(Http404)
def _nicht_gefunden(request: HttpRequest, exc: Http404) -> HttpResponse:
    detail = str(exc) if str(exc) else "Nicht gefunden."
    return api.create_response(request, {"detail": detail}, status=404)


@api.exception_handler(ValidationError)
def _ungueltig(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Ungültige Anfrage: bitte die Parameter prüfen.", "fehler": exc.errors},
        status=422,
    )


@api.exception_handler(HttpError)
def _http_fehler(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@api.exception_handler(Exception)
def _interner_fehler(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    logger.exception("Fehler in der API bei %s", request.path)
    return api.create_response(
        request, {"detail": "Interner Fehler. Er wurde protokolliert."}, status=500
    )


api.add_router("", kommunen_router)
api.add_router("", leistungen_router)
api.add_router("", onboarding_router)
api.add_router("", abdeckung_router)
