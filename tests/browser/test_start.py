"""The overview in a real browser: seeded figures, forecast badges, htmx refresh without
reload, tablet width, axe clean, screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FUEHRERSCHEIN = "10169"


def _zahl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def test_overview_shows_the_seeded_figures_and_refreshes_in_place(angemeldete_seite, live_server):  # type: ignore[no-untyped-def]
    from abdeckung.regeln import quote_text
    from abdeckung.selectors import abdeckung_am
    from abdeckung.services import abdeckung_aktualisieren
    from accounts.models import Rolle, User
    from tests.abdeckung.helfer import alle_live, onboarding

    admin = User.objects.create(username="admin-b", rolle=Rolle.ADMINISTRATION, password="!")
    alle_live([onboarding("09184", FUEHRERSCHEIN)], user=admin)
    abdeckung_aktualisieren()
    kennzahlen = abdeckung_am()
    live = sum(k.behoerden_live for k in kennzahlen)
    gesamt = sum(k.behoerden_gesamt for k in kennzahlen)
    (fs,) = [k for k in kennzahlen if k.land_kurz == "BY" and k.ozg_id == FUEHRERSCHEIN]

    page = angemeldete_seite
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Programmübersicht")).to_be_visible()

    karte = page.locator(".kpi").filter(has=page.get_by_role("heading", name="Behörden angebunden"))
    expect(karte).to_contain_text(f"{_zahl(live)} von {_zahl(gesamt)}")
    expect(karte).to_contain_text(quote_text(live, gesamt))
    expect(page.locator(".kpi").filter(has_text="Offene blockierende Hürden")).to_contain_text(
        "Stand"
    )

    bayern = page.get_by_role("table", name=re.compile("Zusagen von Bayern"))
    zeile = bayern.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=fs.leistung_name)
    )
    expect(zeile).to_contain_text(f"{_zahl(fs.behoerden_live)}/{_zahl(fs.behoerden_gesamt)}")
    expect(zeile).to_contain_text(quote_text(fs.einwohner_live, fs.einwohner_gesamt))
    # The forecast is in words, not colour alone.
    expect(zeile.locator(".kern-badge")).to_have_text(
        re.compile("im Plan|gefährdet|nicht erreichbar")
    )
    expect(page.get_by_role("link", name="Bayern", exact=True)).to_have_attribute(
        "href", "/laender/BY/"
    )
    assert_no_axe_violations(page, name="Übersicht")
    screenshot(page, "start-uebersicht")

    # "Zahlen aktualisieren" swaps the figures in place (no reload).
    page.evaluate("window.__ohneNeuladen = true")
    with page.expect_response(re.compile(r"/$")) as antwort:
        page.get_by_role("link", name="Zahlen aktualisieren").click()
    assert antwort.value.request.headers.get("hx-request") == "true"
    expect(karte).to_contain_text(f"{_zahl(live)} von {_zahl(gesamt)}")
    assert page.evaluate("window.__ohneNeuladen") is True
    # Keyboard users keep their place: the swapped-in button has the focus again.
    expect(page.get_by_role("link", name="Zahlen aktualisieren")).to_be_focused()
    expect(page.get_by_role("heading", name="Pilotkommunen")).to_be_visible()


def test_overview_on_a_tablet_is_readable_and_axe_clean(angemeldete_seite, live_server):  # type: ignore[no-untyped-def]
    page = angemeldete_seite
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Auf einen Blick", exact=False)).to_be_visible()
    # The page itself does not scroll sideways; wide tables scroll in their own region.
    breite = page.evaluate("document.documentElement.scrollWidth")
    assert breite <= 768
    region = page.get_by_role("region", name=re.compile("Zusagen von Hessen"))
    expect(region).to_be_visible()
    region.focus()
    expect(region).to_be_focused()
    assert_no_axe_violations(page, name="Übersicht (Tablet)")
    screenshot(page, "start-uebersicht-tablet")
