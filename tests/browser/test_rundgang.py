"""axe-core on the pages no other browser test opens (hurdles, commitments, history, bulk
upload and its preview with bad rows), as an administrator who sees and may edit
everything, so every form and button is on the page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import Rolle
from audit.models import Quelle
from onboarding.models import Onboarding
from onboarding.services import huerde_erfassen
from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LK_MUENCHEN = "09184"
FUEHRERSCHEIN = "10169"


@pytest.fixture
def admin_seite(page, live_server, django_user_model):  # type: ignore[no-untyped-def]
    admin = django_user_model.objects.create_user(
        username="rundgang",
        password="x-rundgang-1",
        first_name="Ada",
        last_name="Admin",
        rolle=Rolle.ADMINISTRATION,
    )
    client = Client()
    client.force_login(admin)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page, admin


def test_hurdles_commitments_history_and_bulk_pages_have_no_axe_violations(
    admin_seite, live_server, tmp_path
):  # type: ignore[no-untyped-def]
    page, admin = admin_seite
    onboarding = Onboarding.objects.get(
        behoerde__schluessel=LK_MUENCHEN,
        leistung__ozg_id=FUEHRERSCHEIN,
        geschlossen_am__isnull=True,
    )
    huerde = huerde_erfassen(
        user=admin,
        daten={
            "titel": "Fachverfahren-Schnittstelle fehlt",
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
            "blockierend": True,
        },
        onboarding_ids=[onboarding.pk],
        quelle=Quelle.UI,
    )

    seiten = [
        ("/huerden/", "Hürden", "rundgang-huerden"),
        (f"/huerden/{huerde.pk}/", "Fachverfahren-Schnittstelle fehlt", "rundgang-huerde"),
        ("/zusagen/", "Zusagen", "rundgang-zusagen"),
        (f"/onboardings/{onboarding.pk}/verlauf/", None, "rundgang-verlauf"),
        ("/onboardings/import/", None, "rundgang-import"),
    ]
    for pfad, ueberschrift, name in seiten:
        page.goto(f"{live_server.url}{pfad}")
        if ueberschrift:
            expect(page.get_by_role("heading", level=1)).to_contain_text(ueberschrift)
        assert_no_axe_violations(page, name=name)
        screenshot(page, name)

    # A file with one good and one bad row: the preview lists the bad row with its line.
    datei = tmp_path / "aenderungen.csv"
    datei.write_text(
        "behoerde_schluessel;ozg_id;status\n"
        f"{LK_MUENCHEN};{FUEHRERSCHEIN};geplant\n"
        f"{LK_MUENCHEN};{FUEHRERSCHEIN}9;fast fertig\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_datei", str(datei))
    page.get_by_role("button", name="Prüfen und Vorschau anzeigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorschau der Massenaktualisierung")
    expect(page.get_by_role("heading", name="Fehlerhafte Zeilen (1)")).to_be_visible()
    fehlerzeile = page.locator("tr", has_text="Unbekannte OZG-ID")
    expect(fehlerzeile.locator("th, td").first).to_have_text("3")  # its line in the file
    assert_no_axe_violations(page, name="rundgang-import-vorschau")
    screenshot(page, "rundgang-import-vorschau")
