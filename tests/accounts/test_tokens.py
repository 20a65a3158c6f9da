"""API tokens: creation, storage of the hash only, the command, revocation, last use."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import (
    api_token_erstellen,
    api_token_nutzung_vermerken,
    api_token_widerrufen,
)

pytestmark = pytest.mark.django_db

LEISTUNGEN_URL = "/api/v1/leistungen"


def test_token_is_stored_only_as_its_sha256(ministerium_user):
    token, key = api_token_erstellen(user=ministerium_user, name="Auswertung")

    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix, token.name}
    assert key.startswith(token.prefix)
    assert len(token.prefix) == 8
    assert token.user == ministerium_user
    assert token.revoked_at is None


def test_each_token_gets_a_different_key(ministerium_user):
    _, key_a = api_token_erstellen(user=ministerium_user, name="A")
    _, key_b = api_token_erstellen(user=ministerium_user, name="B")

    assert key_a != key_b
    assert ApiToken.objects.filter(user=ministerium_user).count() == 2


def test_token_needs_a_name(ministerium_user):
    with pytest.raises(ValidationError):
        api_token_erstellen(user=ministerium_user, name="   ")
    assert not ApiToken.objects.exists()


def test_no_token_for_inactive_user(ministerium_user):
    ministerium_user.is_active = False
    ministerium_user.save()

    with pytest.raises(ValidationError):
        api_token_erstellen(user=ministerium_user, name="Skript")


def test_command_prints_a_token_that_authenticates(ministerium_user, client_anon):
    out, err = StringIO(), StringIO()
    call_command("api_token", "ministerium", "--name", "Nachtlauf", stdout=out, stderr=err)

    key = out.getvalue().strip()
    token = ApiToken.objects.get(user=ministerium_user)
    assert token.name == "Nachtlauf"
    assert token.key_hash == ApiToken.hash_key(key)
    assert "nur jetzt" in err.getvalue()
    assert key not in err.getvalue()

    assert client_anon.get(LEISTUNGEN_URL).status_code == 401
    response = client_anon.get(LEISTUNGEN_URL, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_command_rejects_unknown_user():
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("api_token", "niemand", "--name", "x", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_revoking_keeps_the_first_date(ministerium_user):
    token, _ = api_token_erstellen(user=ministerium_user, name="Skript")

    api_token_widerrufen(token=token)
    erstes = token.revoked_at
    api_token_widerrufen(token=token)

    token.refresh_from_db()
    assert erstes is not None
    assert token.revoked_at == erstes


def test_last_use_is_written_at_most_once_a_minute(ministerium_user):
    token, _ = api_token_erstellen(user=ministerium_user, name="Skript")
    t0 = timezone.now()

    assert api_token_nutzung_vermerken(token=token, jetzt=t0) is True
    assert api_token_nutzung_vermerken(token=token, jetzt=t0 + dt.timedelta(seconds=30)) is False
    # A stale copy of the row (another request) must not write either.
    stale = ApiToken.objects.get(pk=token.pk)
    stale.last_used_at = None
    assert api_token_nutzung_vermerken(token=stale, jetzt=t0 + dt.timedelta(seconds=59)) is False

    token.refresh_from_db()
    assert token.last_used_at == t0
    assert api_token_nutzung_vermerken(token=token, jetzt=t0 + dt.timedelta(seconds=61)) is True
    token.refresh_from_db()
    assert token.last_used_at == t0 + dt.timedelta(seconds=61)


def test_admin_lists_tokens_by_prefix_never_the_hash(admin_user_rc, client):
    token, key = api_token_erstellen(user=admin_user_rc, name="Skript")
    client.force_login(admin_user_rc)

    liste = client.get("/admin/accounts/apitoken/")
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")

    for response in (liste, detail):
        assert response.status_code == 200
        body = response.content.decode()
        assert token.prefix in body
        assert token.key_hash not in body
        assert key not in body
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_admin_action_revokes_tokens(admin_user_rc, client):
    token, _ = api_token_erstellen(user=admin_user_rc, name="Skript")
    client.force_login(admin_user_rc)

    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "widerrufen", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_user_admin_shows_role_fields(admin_user_rc, ministerium_user, client):
    client.force_login(admin_user_rc)

    response = client.get(f"/admin/accounts/user/{ministerium_user.pk}/change/")

    assert response.status_code == 200
    body = response.content.decode()
    for feld in ('name="rolle"', 'name="land"', 'name="ist_demo"'):
        assert feld in body
