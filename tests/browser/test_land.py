"""The Land page in real Chromium: charts drawn from seeded history, the right figures,
filters and sorting through htmx without reload, no axe violations, nothing leaves
127.0.0.1 (the network guard of conftest), screenshots at desktop and tablet width."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _um(tag: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(tag, dt.time(10)))


@pytest.fixture
def hessen_verlauf(django_user_model):  # type: ignore[no-untyped-def]
    """Hessen × BImSchG (3 Regierungspräsidien): two go-lives in spring, weekly snapshots;
    Wiesbaden's Ummeldung blocked by a hurdle."""
    from abdeckung.models import Abdeckungsstand
    from abdeckung.services import abdeckung_aktualisieren, snapshot_erstellen
    from accounts.models import Rolle
    from onboarding.models import Onboarding
    from tests.abdeckung.helfer import blockieren, status_setzen

    admin = django_user_model.objects.create(
        username="admin-browser-land", rolle=Rolle.ADMINISTRATION, is_superuser=True
    )
    rps = list(
        Onboarding.objects.filter(
            zusage__land__kurz="HE", leistung__ozg_id="10462", geschlossen_am__isnull=True
        ).order_by("behoerde__schluessel")
    )
    status_setzen(rps[0], "live", user=admin, zeitpunkt=_um(dt.date(2026, 3, 4)))
    status_setzen(rps[1], "live", user=admin, zeitpunkt=_um(dt.date(2026, 4, 15)))
    wiesbaden = Onboarding.objects.get(
        behoerde__schluessel="064140000000", leistung__ozg_id="10124", geschlossen_am__isnull=True
    )
    blockieren([wiesbaden], user=admin)
    abdeckung_aktualisieren()
    snapshot_erstellen(stichtag=dt.date(2026, 1, 21), art=Abdeckungsstand.Art.TAEGLICH)
    for sonntag in (dt.date(2026, 2, 22), dt.date(2026, 3, 8), dt.date(2026, 4, 19)):
        snapshot_erstellen(stichtag=sonntag, art=Abdeckungsstand.Art.STICHTAG)
    return rps


def test_land_page_draws_burnup_and_funnel_with_the_right_figures(
    angemeldete_seite, live_server, hessen_verlauf
):  # type: ignore[no-untyped-def]
    page = angemeldete_seite
    page.goto(f"{live_server.url}/laender/HE/")
    expect(page.get_by_role("heading", level=1, name="Hessen")).to_be_visible()

    # Overview row: 2 of the 3 Regierungspräsidien are live (share cut, never rounded up).
    zeile = page.locator(".land-ueberblick").get_by_role("row").filter(has_text="BImSchG")
    expect(zeile).to_contain_text("2/3 (66,66 %)")

    # Charts are drawn by charts.js from the json_script data.
    burnup = page.locator('[data-chart="burnup-10462"]')
    trichter = page.locator('[data-chart="trichter-10462"]')
    expect(burnup).to_have_attribute("data-gezeichnet", "1", timeout=15000)
    expect(trichter).to_have_attribute("data-gezeichnet", "1", timeout=15000)
    expect(burnup.locator(".main-svg").first).to_be_visible()
    # The actual line ends at 2 authorities, the scope is 3.
    ist = page.evaluate(
        """() => {
            const el = document.querySelector('[data-chart="burnup-10462"]');
            const spur = el.data.find(s => s.name.startsWith("Ist"));
            return spur.y;
        }"""
    )
    assert ist[0] == 0
    assert ist[-1] == 2
    assert (
        page.evaluate(
            """() => document.querySelector('[data-chart="burnup-10462"]')
                .layout.xaxis.tickformat"""
        )
        == "%d.%m.%Y"
    )
    expect(burnup.locator(".xtick text").first).to_have_text(re.compile(r"\d\d\.\d\d\.\d{4}"))

    # Text alternative behind a toggle: loaded by htmx when it is first opened.
    karte = page.locator("#leistung-10462").locator("xpath=ancestor::article")
    umschalter = karte.locator("details", has_text="Tabelle zur Grafik „Verlauf")
    expect(umschalter.locator("table")).to_have_count(0)
    with page.expect_response(lambda r: "/laender/HE/verlauf/?leistung=10462" in r.url) as antwort:
        umschalter.get_by_text("Tabelle zur Grafik „Verlauf").click()
    assert antwort.value.status == 200
    tabelle = umschalter.locator("#verlauf-tabelle-10462 table")
    expect(tabelle.get_by_role("row").filter(has_text="19.04.2026")).to_contain_text("2")
    expect(tabelle.get_by_role("row").filter(has_text="(Ziel)")).to_contain_text("100,00 %")
    # Closed and opened again: still there, not loaded twice.
    umschalter.get_by_text("Tabelle zur Grafik „Verlauf").click()
    umschalter.get_by_text("Tabelle zur Grafik „Verlauf").click()
    expect(umschalter.locator("table")).to_have_count(1)

    # Hurdles and pilots.
    expect(page.locator(".land-huerden")).to_contain_text("Fachverfahrenshersteller")
    expect(page.locator(".land-piloten")).to_contain_text("Wiesbaden")

    assert_no_axe_violations(page, name="Landesseite Hessen")
    screenshot(page, "land-hessen")

    # Responsive down to a tablet: no horizontal scrolling of the page itself.
    page.set_viewport_size({"width": 768, "height": 1024})
    page.reload()
    expect(burnup).to_have_attribute("data-gezeichnet", "1", timeout=15000)
    breite = page.evaluate("() => document.documentElement.scrollWidth")
    assert breite <= 768
    assert_no_axe_violations(page, name="Landesseite Hessen (Tablet)")
    screenshot(page, "land-hessen-tablet")


def test_every_burnup_table_has_a_print_path(angemeldete_seite, live_server, hessen_verlauf):  # type: ignore[no-untyped-def]
    page = angemeldete_seite
    page.goto(f"{live_server.url}/laender/HE/")
    # Printed (every toggle open), a table not loaded yet says where it is.
    page.emulate_media(media="print")
    expect(
        page.get_by_role(
            "link", name="Tabelle „Verlauf BImSchG-Genehmigung“ als eigene Seite öffnen"
        )
    ).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name=re.compile("^Tabellen zu allen Verlaufsgrafiken")).click()
    expect(page).to_have_url(re.compile(r"/laender/HE/verlauf/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hessen")
    tabelle = page.locator("#verlauf-tabelle-10462 table")
    expect(tabelle.get_by_role("row").filter(has_text="19.04.2026")).to_contain_text("2")
    expect(page.locator("[id^='verlauf-tabelle-'] table")).to_have_count(5)
    assert_no_axe_violations(page, name="Tabellen zu den Verlaufsgrafiken Hessen")
    screenshot(page, "land-hessen-verlauf-tabellen")


def test_authority_table_filters_and_sorts_without_reload(
    angemeldete_seite, live_server, hessen_verlauf
):  # type: ignore[no-untyped-def]
    page = angemeldete_seite
    page.goto(f"{live_server.url}/laender/HE/")
    page.evaluate("window.__ohneNeuladen = true")
    anzahl = page.locator("#land-behoerden-anzahl")

    page.get_by_label("nur blockierte").check()
    expect(anzahl).to_contain_text("1 Onboarding (gefiltert)")
    expect(page).to_have_url(re.compile(r"blockiert=on"))
    tabelle = page.locator(".land-behoerden-tabelle")
    expect(tabelle).to_contain_text("Wiesbaden")
    expect(tabelle).to_contain_text("Fachverfahren-Modul fehlt")
    assert "blockiert=on" in page.get_by_role("link", name=re.compile("^CSV")).get_attribute("href")

    page.get_by_label("nur blockierte").uncheck()
    page.get_by_label("Leistung", exact=True).select_option(label="BImSchG-Genehmigung")
    expect(anzahl).to_contain_text("3 Onboardings (gefiltert)")

    kopf = page.get_by_role("columnheader", name=re.compile("^Status"))
    kopf.get_by_role("link").click()
    expect(kopf).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"sort=status"))
    expect(tabelle.get_by_role("row").nth(1)).to_contain_text("unbekannt")
    page.get_by_role("columnheader", name=re.compile("^Status")).get_by_role("link").click()
    expect(page.get_by_role("columnheader", name=re.compile("^Status"))).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(tabelle.get_by_role("row").nth(1)).to_contain_text("live")
    assert page.evaluate("window.__ohneNeuladen") is True
    assert_no_axe_violations(page, name="Landesseite Hessen, gefiltert")
    screenshot(page, "land-hessen-behoerden")


def test_hessian_viewer_gets_404_for_bavaria(page, live_server, django_user_model):  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.test import Client

    from accounts.models import Rolle
    from kommunen.models import Land

    hessen = django_user_model.objects.create(
        username="he-browser", rolle=Rolle.MINISTERIUM, land=Land.objects.get(kurz="HE")
    )
    client = Client()
    client.force_login(hessen)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    antwort = page.goto(f"{live_server.url}/laender/BY/")
    assert antwort is not None
    assert antwort.status == 404
    antwort = page.goto(f"{live_server.url}/laender/HE/")
    assert antwort is not None
    assert antwort.status == 200
