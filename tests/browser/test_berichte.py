"""The report archive in a real browser: request a report, watch the polled progress until
it stops, download the PDF; a failing report shows its error. Generation runs on a real
Celery worker on Redis, next to the live server."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from playwright.sync_api import expect

from abdeckung.models import Abdeckungsstand
from rollout.celery import app
from tests.berichte.hilfen import stichtag_einfrieren
from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="braucht Redis (REDIS_URL)"),
]


@pytest.fixture
def worker() -> Iterator[None]:
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
        yield


def test_request_shows_progress_then_download_and_a_failure_shows_its_error(
    angemeldete_seite, live_server, worker
):  # type: ignore[no-untyped-def]
    stichtag = stichtag_einfrieren()
    Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.STICHTAG, stichtag=stichtag, land__kurz="HE"
    ).delete()
    page = angemeldete_seite
    statusabfragen: list[str] = []
    page.on("request", lambda r: statusabfragen.append(r.url) if "/status/" in r.url else None)
    page.goto(f"{live_server.url}/berichte/")
    expect(page.get_by_role("heading", name="Steuerungsberichte", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Bayern")).to_be_visible()
    assert_no_axe_violations(page, name="Berichte leer")
    page.evaluate("window.__ohneNeuladen = true")

    page.get_by_label("Bericht für").select_option("BY")
    page.get_by_label("Stichtag").select_option(stichtag.isoformat())
    page.get_by_role("button", name="Bericht erzeugen").click()

    zeile = (
        page.locator("#archiv-BY")
        .locator("xpath=..")
        .get_by_role("row")
        .filter(has_text=f"{stichtag:%d.%m.%Y}")
    )
    expect(page.get_by_role("status").filter(has_text="Steuerungsbericht Bayern")).to_be_visible()
    expect(zeile.get_by_role("link", name=re.compile("PDF herunterladen"))).to_be_visible(
        timeout=120_000
    )
    expect(zeile).to_contain_text("fertig")
    assert statusabfragen, "der Fortschritt wurde nicht abgefragt"
    assert page.evaluate("window.__ohneNeuladen") is True
    # Polling has stopped.
    anzahl = len(statusabfragen)
    page.wait_for_timeout(4500)
    assert len(statusabfragen) == anzahl

    with page.expect_download() as download_info:
        zeile.get_by_role("link", name=re.compile("PDF herunterladen")).click()
    download = download_info.value
    assert download.suggested_filename == f"steuerungsbericht-BY-{stichtag:%Y-%m-%d}.pdf"
    with open(download.path(), "rb") as datei:
        assert datei.read(5) == b"%PDF-"

    # Hessen's frozen figures are missing: the run fails and says why.
    page.get_by_label("Bericht für").select_option("HE")
    page.get_by_label("Stichtag").select_option(stichtag.isoformat())
    page.get_by_role("button", name="Bericht erzeugen").click()
    hessen = (
        page.locator("#archiv-HE")
        .locator("xpath=..")
        .get_by_role("row")
        .filter(has_text=f"{stichtag:%d.%m.%Y}")
    )
    expect(hessen).to_contain_text("Fehler", timeout=120_000)
    expect(hessen).to_contain_text("keinen eingefrorenen Wochenstand")
    assert page.evaluate("window.__ohneNeuladen") is True
    assert_no_axe_violations(page, name="Berichte mit Fehler")
    screenshot(page, "berichte-archiv")
