"""The map benchmark's browser harness (``bench/browser_karte.py``) on the test data: gunicorn
serves the app on the test database, Chromium logs in through the form and the time to the
drawn map is taken from the chart's ``cockpit:chart-gezeichnet`` event."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from bench.browser_karte import server, zeichenzeiten
from bench.probe_dashboard import BENUTZER, PASSWORT, benutzer_anlegen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_time_to_the_drawn_map_is_measured_cold_and_warm(tmp_path: Path) -> None:
    from kommunen.services import grenzen_import

    grenzen_import()
    benutzer_anlegen()
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("gunicorn needs a database it can share with the test: PostgreSQL")
    kennwort = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    name = connection.settings_dict["NAME"]  # the test database
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}{kennwort}@{db['HOST']}{port}/{name}",
        DJANGO_SETTINGS_MODULE="bench.einstellungen",
        DJANGO_DEBUG="true",
        DJANGO_LOG_LEVEL="WARNING",
        BENCH_CACHE_PREFIX=f"test-{secrets.token_hex(4)}",
    )

    with server(env, cwd=settings.BASE_DIR, log=tmp_path / "gunicorn.log", workers=1) as basis:
        zeiten = zeichenzeiten(
            basis, benutzer=BENUTZER, passwort=PASSWORT, pfade={"de": "/karte/"}, laeufe=1
        )

    (kalt,) = zeiten["de"]["kalt_s"]
    (warm,) = zeiten["de"]["warm_s"]
    assert 0 < kalt < 60
    assert 0 < warm < 60
    assert zeiten["de"]["kalt_median_s"] == kalt
