"""Authentication for the read API: a Django session or ``Authorization: Bearer <token>``.

Tokens are looked up by the SHA-256 of the presented key, so the comparison of secrets never
happens character by character in Python (no timing side channel on the key itself), and a
leaked database does not reveal usable keys.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accounts.models import ApiToken, User
from accounts.services import api_token_nutzung_vermerken

# Longer than any key ``ApiToken.generate_key`` produces; refuse absurd headers before hashing.
_MAX_KEY_LENGTH = 200


def _token_benutzer(key: str) -> tuple[ApiToken, User] | None:
    if not key or len(key) > _MAX_KEY_LENGTH:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token, token.user


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer rc_…``: an active, not revoked ``ApiToken`` of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        gefunden = _token_benutzer(token.strip())
        if gefunden is None:
            return None
        api_token, user = gefunden
        api_token_nutzung_vermerken(token=api_token)
        # Views read the caller from request.user, whichever way they authenticated.
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        return user


class SitzungAuth(SessionAuth):
    """The browser session (ninja's ``django_auth``), limited to active users.

    CSRF is checked by ninja for unsafe methods; the API has only GET endpoints today.
    """

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if user.is_authenticated and user.is_active:
            return user
        return None


api_token_auth = ApiTokenAuth()
sitzung_auth = SitzungAuth()

# Order matters only for the OpenAPI listing; a request passes if either accepts it.
API_AUTH = [api_token_auth, sitzung_auth]


def anfrage_authentifizieren(request: HttpRequest) -> User | None:
    """Run the API's authenticators outside a ninja operation (e.g. for the schema view)."""
    for auth in API_AUTH:
        user = auth(request)
        if user:
            return user
    return None
