"""Shared test setup.

The test database is filled once per session with the full official territory (from the
shipped GV100AD file, without geometries), the programme data and the resolved
responsibilities. Tests run inside transactions, so they see and may change that data
freely. Transactional tests (live server, real Celery worker) truncate every table when they
end; on PostgreSQL the reference tables are restored before the next one from an in-memory
``COPY`` snapshot, which takes well under a second.

In CI (``CI=true``) the suite refuses to run on anything but PostgreSQL and Redis, so a
missing service fails the run instead of silently skipping tests.
"""

from __future__ import annotations

import os

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

# Apps whose tables hold reference data that every test may rely on.
REFERENCE_APPS = ("kommunen", "leistungen", "onboarding", "audit", "abdeckung")


def _reference_tables() -> list[str]:
    tables: list[str] = []
    for label in REFERENCE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if not model._meta.managed or model._meta.proxy:
                continue
            tables.append(model._meta.db_table)
    return tables


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI", "").lower() == "true":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(
                f"CI must run on PostgreSQL (DATABASE_URL), but the engine is {engine}."
            )
        if not settings.REDIS_URL:
            raise pytest.UsageError("CI must run with a real Redis (REDIS_URL is not set).")


def _fill_reference_data() -> None:
    from abdeckung.services import abdeckung_aktualisieren
    from kommunen.services import gemeindeverzeichnis_import
    from leistungen.services import programm_import, zustaendigkeiten_aufloesen
    from onboarding.services import checklisten_vorlage_import, onboardings_abgleichen

    gemeindeverzeichnis_import()
    programm_import()
    zustaendigkeiten_aufloesen()
    checklisten_vorlage_import()
    onboardings_abgleichen()
    abdeckung_aktualisieren(voll=True)


_SNAPSHOT: dict[str, bytes] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        _fill_reference_data()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in _reference_tables():
                    with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                        _SNAPSHOT[table] = b"".join(bytes(chunk) for chunk in copy)


def _restore_reference_data() -> None:
    from kommunen.models import Land

    if Land.objects.exists():
        return
    if connection.vendor != "postgresql":
        _fill_reference_data()
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in _SNAPSHOT.items():
            if not data:
                continue
            with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(data)


@pytest.fixture(autouse=True)
def _reference_data_present(request: pytest.FixtureRequest) -> None:
    """Transactional tests find the reference data again after an earlier one flushed it."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and bool(marker.kwargs.get("transaction")))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        _restore_reference_data()


# --- Role cast ------------------------------------------------------------------------


@pytest.fixture
def ministerium_user(django_user_model):  # type: ignore[no-untyped-def]
    from accounts.models import Rolle

    return django_user_model.objects.create_user(
        username="ministerium", password="test-pass-123", rolle=Rolle.MINISTERIUM
    )


@pytest.fixture
def admin_user_rc(django_user_model):  # type: ignore[no-untyped-def]
    from accounts.models import Rolle

    return django_user_model.objects.create_user(
        username="admin-rc",
        password="test-pass-123",
        rolle=Rolle.ADMINISTRATION,
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def client_anon() -> Client:
    return Client()


@pytest.fixture
def client_ministerium(ministerium_user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(ministerium_user)
    return client
