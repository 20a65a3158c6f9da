"""The first pages in a real browser: search as you type, Gemeinde page, accessibility."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORT, assert_no_axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PULLACH = "091840139139"


def test_login_form_logs_the_user_in_and_page_has_no_axe_violations(
    page, live_server, browser_user
):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/konto/anmelden/"))
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    assert_no_axe_violations(page, name="Anmeldung")
    screenshot(page, "anmeldung")

    page.get_by_label("Benutzername").fill("browser")
    page.get_by_label("Passwort").fill(PASSWORT)
    page.get_by_role("button", name="Anmelden").click()

    expect(page.get_by_role("heading", name="Programmübersicht")).to_be_visible()
    expect(page.get_by_text("Bea Browser")).to_be_visible()


def test_typing_pullach_shows_results_without_reload_and_leads_to_landratsamt(
    angemeldete_seite, live_server
):  # type: ignore[no-untyped-def]
    page = angemeldete_seite
    page.goto(f"{live_server.url}/suche/")
    # A marker on window survives only if the page is not reloaded.
    page.evaluate("window.__ohneNeuladen = true")

    eingabe = page.get_by_role("searchbox", name="Gemeinde, Kreis oder Behörde")
    eingabe.click()
    page.keyboard.type("Pullach", delay=40)

    treffer = page.locator("#suchergebnisse").get_by_role("link", name="Pullach i.Isartal")
    expect(treffer.first).to_be_visible()
    expect(page.locator("#suche-status")).to_contain_text("Treffer für „Pullach“")
    expect(page).to_have_url(re.compile(r"/suche/\?q=Pullach$"))
    assert page.evaluate("window.__ohneNeuladen") is True
    assert_no_axe_violations(page, name="Suche")
    screenshot(page, "suche-pullach")

    page.locator("#suchergebnisse").get_by_role("link", name="Pullach i.Isartal").first.click()
    expect(page).to_have_url(re.compile(rf"/gemeinden/{PULLACH}/$"))
    zeile = page.get_by_role("row").filter(has_text="Führerschein").first
    expect(zeile).to_contain_text("Landratsamt München")
    assert_no_axe_violations(page, name="Gemeinde Pullach")
    screenshot(page, "gemeinde-pullach")


def test_start_kreis_and_behoerde_pages_have_no_axe_violations(angemeldete_seite, live_server):  # type: ignore[no-untyped-def]
    from leistungen.models import Behoerde

    page = angemeldete_seite
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Programmübersicht")).to_be_visible()
    expect(
        page.locator("#laender").locator("xpath=..").get_by_role("heading", name="Bayern")
    ).to_be_visible()
    assert_no_axe_violations(page, name="Übersicht")
    screenshot(page, "start")

    page.goto(f"{live_server.url}/kreise/09184/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("München")
    assert_no_axe_violations(page, name="Kreis München")
    screenshot(page, "kreis-muenchen")

    landratsamt = Behoerde.objects.get(schluessel="09184")
    page.goto(f"{live_server.url}/behoerden/{landratsamt.schluessel}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(landratsamt.name)
    page.get_by_text(re.compile(r"Liste der versorgten Gemeinden")).first.click()
    expect(page.get_by_role("link", name="Pullach i.Isartal").first).to_be_visible()
    assert_no_axe_violations(page, name="Behörde Landratsamt München")
    screenshot(page, "behoerde-landratsamt-muenchen")


def test_accessibility_statement_is_public_and_has_no_axe_violations(page, live_server):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/barrierefreiheit/")
    expect(page.get_by_role("heading", name="Erklärung zur Barrierefreiheit")).to_be_visible()
    expect(page.get_by_text("teilweise vereinbar").first).to_be_visible()
    assert_no_axe_violations(page, name="Barrierefreiheit")
    screenshot(page, "barrierefreiheit")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(angemeldete_seite, live_server):  # type: ignore[no-untyped-def]
    page = angemeldete_seite
    page.goto(f"{live_server.url}/suche/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#inhalt$"))
