"""The coverage map in real Chromium: drawn from the local Plotly bundle and boundaries,
coloured by the engine's figures, hover and click, the service filter through htmx with
the URL and the back button, screenshots and axe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KELHEIM = "09273"
LK_MUENCHEN = "09184"
PULLACH = "091840139139"
FUEHRERSCHEIN = "10169"


def _rgb(farbe: str) -> str:
    farbe = farbe.lstrip("#")
    r, g, b = (int(farbe[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture
def karten_daten(admin_user_rc) -> None:  # type: ignore[no-untyped-def]
    """Boundaries loaded; Bayern's driving licences: Kelheim and Augsburg live, München
    in Klärung, the rest unknown."""
    from abdeckung.services import abdeckung_aktualisieren
    from dashboard.views.karte import karten_cache
    from kommunen.services import grenzen_import
    from tests.abdeckung.helfer import alle_live, onboarding, status_setzen

    cache.clear()
    karten_cache.clear()
    grenzen_import()
    alle_live(
        [onboarding(KELHEIM, FUEHRERSCHEIN), onboarding("097610000000", FUEHRERSCHEIN)],
        user=admin_user_rc,
    )
    status_setzen(onboarding(LK_MUENCHEN, FUEHRERSCHEIN), "in_klaerung", user=admin_user_rc)
    abdeckung_aktualisieren(voll=True)


def _warte_gezeichnet(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector('.karte-chart[data-gezeichnet="1"]', timeout=20_000)


def _fuellung(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """ARS → fill colour of every drawn area (Plotly binds each path to its point)."""
    return page.evaluate(
        """() => {
            const farben = {};
            document.querySelectorAll('.karte-chart path.choroplethlocation').forEach(p => {
                const d = p.__data__;
                const fill = getComputedStyle(p).fill;
                if (d && d.loc && fill && fill !== 'rgba(0, 0, 0, 0)' && !(d.loc in farben)) {
                    farben[d.loc] = fill;
                }
            });
            return farben;
        }"""
    )


def _mitte(page, ars: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    box = page.evaluate(
        """(ars) => {
            for (const p of document.querySelectorAll('.karte-chart path.choroplethlocation')) {
                const fill = getComputedStyle(p).fill;
                if (p.__data__ && p.__data__.loc === ars && fill !== 'rgba(0, 0, 0, 0)') {
                    p.scrollIntoView({block: 'center', behavior: 'instant'});
                    const r = p.getBoundingClientRect();
                    return {x: r.x + r.width / 2, y: r.y + r.height / 2};
                }
            }
            return null;
        }""",
        ars,
    )
    assert box, f"area {ars} not drawn"
    return box


def test_national_kreis_map_filter_back_hover_and_click(
    angemeldete_seite, live_server, karten_daten
):  # type: ignore[no-untyped-def]
    from abdeckung.selectors import abdeckung_am
    from dashboard.figuren import stil
    from leistungen.models import Leistung

    page = angemeldete_seite
    # When the map is drawn, measured in the page from the start of the navigation.
    page.add_init_script(
        "document.addEventListener('cockpit:chart-gezeichnet',"
        " () => { window.__gezeichnetMs = performance.now(); });"
    )
    page.goto(f"{live_server.url}/karte/?leistung={FUEHRERSCHEIN}")
    _warte_gezeichnet(page)
    gezeichnet_nach = page.evaluate("window.__gezeichnetMs") / 1000

    fs = Leistung.objects.get(ozg_id=FUEHRERSCHEIN)
    engine = {k.kreis_ars: k for k in abdeckung_am(leistung=fs, je_kreis=True)}
    farben = _fuellung(page)
    assert len(farben) == 400
    assert farben[KELHEIM] == _rgb(stil.KLASSE_VOLL.farbe)
    assert farben["09761"] == _rgb(stil.KLASSE_VOLL.farbe)
    assert farben[LK_MUENCHEN] == _rgb(stil.KLASSE_NULL.farbe)
    assert farben["09162"] == _rgb(stil.KLASSE_UNBEKANNT.farbe)
    assert farben["03241"] == _rgb(stil.KLASSE_NICHT.farbe)
    unbekannt = sum(1 for f in farben.values() if f == _rgb(stil.KLASSE_UNBEKANNT.farbe))
    assert unbekannt == len(engine) - 3

    # The page's legend beside the map, with the counts per class (Plotly's own legend is
    # left out in the browser: it covered part of the map).
    expect(page.locator(".karte-chart .legend")).to_have_count(0)
    legende = page.locator(".karte-legende")
    expect(legende).to_contain_text("100 % (flächendeckend): 2 Kreise")
    expect(legende).to_contain_text("0 % (noch keine): 1 Kreis")
    expect(legende).to_contain_text(f"unbekannt: {len(engine) - 3} Kreise")
    expect(page.locator("#karte-stand-text")).to_contain_text("Stand:")
    assert_no_axe_violations(page, name="Karte Deutschland")
    screenshot(page, "karte-deutschland-fuehrerschein")

    # Hover: name, the three numbers, who is responsible.
    kelheim = engine[KELHEIM]
    mitte = _mitte(page, KELHEIM)
    page.mouse.move(mitte["x"], mitte["y"])
    page.mouse.move(mitte["x"] + 1, mitte["y"] + 1)
    hover = page.locator(".karte-chart .hoverlayer")
    expect(hover).to_contain_text("Landkreis Kelheim")
    expect(hover).to_contain_text("Zuständig: Landratsamt Kelheim")
    einwohner = f"{kelheim.einwohner_live:,}".replace(",", ".")
    expect(hover).to_contain_text(f"Einwohner: {einwohner} von {einwohner}")
    screenshot(page, "karte-deutschland-hover-kelheim")

    # Service filter: all committed services. htmx swaps the map, pushes the URL.
    page.evaluate("window.__ohneNeuladen = true")
    page.get_by_label("Leistung").select_option("")
    expect(page).to_have_url(re.compile(r"/karte/\?(?!.*leistung=10169)"))
    page.wait_for_function(
        """(ars) => {
            const el = document.querySelector('.karte-chart');
            if (!el || el.dataset.gezeichnet !== '1') return false;
            return !!document.getElementById('karte-titel').textContent.match(/alle zugesagten/i);
        }""",
        arg=KELHEIM,
    )
    assert page.evaluate("window.__ohneNeuladen") is True
    farben_alle = _fuellung(page)
    assert farben_alle[KELHEIM] == _rgb(stil.KLASSE_TEIL.farbe)
    assert farben_alle[KELHEIM] != farben[KELHEIM]
    screenshot(page, "karte-deutschland-alle-leistungen")

    # Back restores the driving-licence view, map redrawn, filter as before.
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/karte/\?leistung={FUEHRERSCHEIN}$"))
    page.wait_for_function(
        """() => {
            const el = document.querySelector('.karte-chart');
            return el && el.dataset.gezeichnet === '1'
                && /Führerschein/.test(document.getElementById('karte-titel').textContent);
        }"""
    )
    assert _fuellung(page)[KELHEIM] == _rgb(stil.KLASSE_VOLL.farbe)
    expect(page.get_by_label("Leistung")).to_have_value(FUEHRERSCHEIN)

    # A click on a Kreis opens its page.
    mitte = _mitte(page, KELHEIM)
    page.mouse.click(mitte["x"], mitte["y"])
    expect(page).to_have_url(re.compile(rf"/kreise/{KELHEIM}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kelheim")

    # Drawn again with warm caches (boundaries in the browser and server caches).
    page.goto(f"{live_server.url}/karte/?leistung={FUEHRERSCHEIN}")
    _warte_gezeichnet(page)
    warm = page.evaluate("window.__gezeichnetMs") / 1000
    print(f"\nKreis map drawn {gezeichnet_nach:.2f} s (cold), {warm:.2f} s (warm)")  # noqa: T201
    assert warm < 5


def test_bayern_gemeinde_map_with_pilots(angemeldete_seite, live_server, karten_daten):  # type: ignore[no-untyped-def]
    from dashboard.figuren import stil
    from kommunen.models import Gemeinde

    page = angemeldete_seite
    page.goto(f"{live_server.url}/karte/?land=BY&leistung={FUEHRERSCHEIN}&piloten=1")
    _warte_gezeichnet(page)
    farben = _fuellung(page)
    by_gemeinden = Gemeinde.objects.aktuell().filter(land__kurz="BY").exclude(grenze=None)
    assert {a for a in farben if len(a) == 12} == set(by_gemeinden.values_list("ars", flat=True))
    assert farben[PULLACH] == _rgb(stil.KLASSE_NULL.farbe)
    kelheim = [a for a in farben if a.startswith(KELHEIM) and len(a) == 12]
    assert kelheim
    assert {farben[a] for a in kelheim} == {_rgb(stil.KLASSE_VOLL.farbe)}
    legende = page.locator(".karte-legende")
    expect(legende).to_contain_text(f"100 % (flächendeckend): {len(kelheim) + 1} Gemeinden")
    expect(legende).to_contain_text("Pilotkommune")

    screenshot(page, "karte-bayern-gemeinden-fuehrerschein")

    # The text alternative: a table of every Gemeinde behind a toggle.
    tabelle = page.locator("details.karte-tabelle")
    expect(tabelle.locator("table")).to_be_hidden()
    tabelle.locator("summary").click()
    zeile = tabelle.get_by_role("row").filter(has_text="Pullach i.Isartal")
    expect(zeile).to_contain_text("Landratsamt München")
    expect(zeile).to_contain_text("0 % (noch keine) – in Klärung")
    assert_no_axe_violations(page, name="Karte Bayern")


def test_hessian_viewer_sees_bavaria_only_as_not_released(
    page, live_server, karten_daten, django_user_model
):  # type: ignore[no-untyped-def]
    from django.conf import settings
    from django.test import Client

    from accounts.models import Rolle
    from dashboard.figuren import stil
    from kommunen.models import Land

    nutzer = django_user_model.objects.create_user(
        username="hessen",
        password="hessen-pass-123",
        rolle=Rolle.MINISTERIUM,
        land=Land.objects.get(kurz="HE"),
    )
    client = Client()
    client.force_login(nutzer)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/karte/?leistung={FUEHRERSCHEIN}")
    _warte_gezeichnet(page)
    farben = _fuellung(page)
    assert farben[KELHEIM] == _rgb(stil.KLASSE_NICHT_FREIGEGEBEN.farbe)
    assert farben["06411"] == _rgb(stil.KLASSE_UNBEKANNT.farbe)  # Darmstadt: Hessen's own
    # Every Kreis outside Hessen: 400 minus Hessen's 26.
    expect(page.locator(".karte-legende")).to_contain_text("nicht freigegeben: 374 Kreise")
    expect(page.get_by_label("Gebiet").locator("option")).to_have_count(2)  # Deutschland, Hessen

    hover = page.locator(".karte-chart .hoverlayer")
    darmstadt = _mitte(page, "06411")
    page.mouse.move(darmstadt["x"], darmstadt["y"])
    page.mouse.move(darmstadt["x"] + 1, darmstadt["y"] + 1)
    expect(hover).to_contain_text("Darmstadt")
    kelheim = _mitte(page, KELHEIM)
    page.mouse.move(kelheim["x"], kelheim["y"])
    page.mouse.move(kelheim["x"] + 1, kelheim["y"] + 1)
    page.wait_for_timeout(500)
    assert "Kelheim" not in (hover.text_content() or "")
    page.mouse.click(kelheim["x"], kelheim["y"])
    page.wait_for_timeout(500)
    expect(page).to_have_url(re.compile(rf"/karte/\?leistung={FUEHRERSCHEIN}$"))
    assert "Landratsamt Kelheim" not in page.content()
    assert_no_axe_violations(page, name="Karte Hessen-Sicht")
    screenshot(page, "karte-deutschland-sicht-hessen")
