"""Demo accounts (`seed_demo` → accounts.services.demo_benutzer_anlegen)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from accounts.models import Rolle, User
from accounts.services import DEMO_KONTEN, DEMO_PASSWORT, demo_benutzer_anlegen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Hashing 7 passwords with PBKDF2 several times per test would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ERWARTET = {
    # username: (rolle, land, is_superuser)
    "demo-bund": (Rolle.MINISTERIUM, None, False),
    "demo-land-by": (Rolle.MINISTERIUM, "BY", False),
    "demo-land-he": (Rolle.MINISTERIUM, "HE", False),
    "demo-koordination-by": (Rolle.LAND_KOORDINATION, "BY", False),
    "demo-gu": (Rolle.GU_PROGRAMMBUERO, None, False),
    "demo-team-by": (Rolle.ROLLIN_TEAM, "BY", False),
    "demo-team-he": (Rolle.ROLLIN_TEAM, "HE", False),
    "demo-admin": (Rolle.ADMINISTRATION, None, True),
}


def test_demo_accounts_have_their_role_and_scope() -> None:
    demo_benutzer_anlegen()

    users = {user.username: user for user in User.objects.filter(ist_demo=True)}
    assert set(users) == set(ERWARTET)
    for username, (rolle, land, admin) in ERWARTET.items():
        user = users[username]
        assert user.rolle == rolle, username
        assert (user.land.kurz if user.land else None) == land, username
        assert user.is_superuser is admin, username
        assert user.is_staff is admin, username
        assert user.is_active


def test_every_role_has_a_demo_account() -> None:
    assert {konto.rolle for konto in DEMO_KONTEN} == set(Rolle)


def test_demo_password_logs_every_account_in() -> None:
    demo_benutzer_anlegen()

    for username in ERWARTET:
        assert Client().login(username=username, password=DEMO_PASSWORT), username
    assert not Client().login(username="demo-bund", password="falsch")


def test_running_twice_creates_nothing_new() -> None:
    first = demo_benutzer_anlegen()
    ids = {user.username: user.pk for user, _created in first}

    second = demo_benutzer_anlegen()

    assert all(created for _user, created in first)
    assert not any(created for _user, created in second)
    assert {user.username: user.pk for user, _created in second} == ids
    assert User.objects.filter(ist_demo=True).count() == len(ERWARTET)


def test_rerun_restores_a_changed_demo_account() -> None:
    demo_benutzer_anlegen()
    user = User.objects.get(username="demo-team-by")
    user.rolle = Rolle.ADMINISTRATION
    user.is_superuser = True
    user.land = None
    user.set_password("geaendert")
    user.save()

    demo_benutzer_anlegen()

    user.refresh_from_db()
    assert user.rolle == Rolle.ROLLIN_TEAM
    assert not user.is_superuser
    assert user.land is not None
    assert user.land.kurz == "BY"
    assert user.check_password(DEMO_PASSWORT)


def test_a_real_account_with_a_demo_name_is_not_taken_over() -> None:
    real = User.objects.create_user(username="demo-gu", password="echt-geheim-123")

    with pytest.raises(ValidationError):
        demo_benutzer_anlegen()

    real.refresh_from_db()
    assert not real.ist_demo
    assert real.check_password("echt-geheim-123")
    assert not User.objects.filter(ist_demo=True).exists()


def test_seed_demo_prints_the_logins() -> None:
    out = StringIO()

    # Without the demo progress (tests/onboarding/test_demo.py covers it): minutes faster.
    call_command("seed_demo", "--ohne-fortschritt", stdout=out)

    text = out.getvalue()
    for username in ERWARTET:
        assert username in text
    assert DEMO_PASSWORT in text
    assert "Landeskoordination" in text
    assert User.objects.filter(ist_demo=True).count() == len(ERWARTET)


def test_seed_demo_list_only_writes_nothing() -> None:
    out = StringIO()

    call_command("seed_demo", "--nur-anzeigen", stdout=out)

    assert "demo-admin" in out.getvalue()
    assert not User.objects.filter(ist_demo=True).exists()
