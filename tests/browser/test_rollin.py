"""A roll-in team member at work, in a real browser and with the keyboard only: work queue,
record page, Phase 1 completed (one item waived with a reason), a hurdle recorded; the
badges update without a page reload; axe finds nothing on both pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORT, assert_no_axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANDRATSAMT_MUENCHEN = "09184"
FUEHRERSCHEIN = "10169"
VERZICHT = "p1_epayment"
MAX_TABS = 150


@pytest.fixture
def fuehrerschein_muenchen(django_user_model):  # type: ignore[no-untyped-def]
    """The Bavarian record, assigned to a team, Phase 0 done and in Phase 1 (set up through
    the services, as an administrator would)."""
    from accounts.models import Rolle
    from audit.models import Quelle
    from onboarding.models import Onboarding, Team
    from onboarding.services import checklistenpunkt_setzen, onboarding_aktualisieren

    onboarding = Onboarding.objects.select_related("zusage__land").get(
        behoerde__schluessel=LANDRATSAMT_MUENCHEN,
        leistung__ozg_id=FUEHRERSCHEIN,
        geschlossen_am__isnull=True,
    )
    admin = django_user_model.objects.create_user(
        username="admin-browser", password=PASSWORT, rolle=Rolle.ADMINISTRATION
    )
    team = Team.objects.create(name="Roll-in Oberbayern", land=onboarding.zusage.land)
    onboarding_aktualisieren(
        onboarding_id=onboarding.pk,
        user=admin,
        version=onboarding.version,
        daten={"team": team},
        quelle=Quelle.UI,
    )
    for punkt in onboarding.punkte.filter(phase=0):
        checklistenpunkt_setzen(
            punkt_id=punkt.pk, user=admin, version=punkt.version, stand="erledigt", quelle=Quelle.UI
        )
    onboarding.refresh_from_db()
    onboarding_aktualisieren(
        onboarding_id=onboarding.pk,
        user=admin,
        version=onboarding.version,
        daten={"status": "phase_1"},
        quelle=Quelle.UI,
    )
    django_user_model.objects.create_user(
        username="rita",
        password=PASSWORT,
        first_name="Rita",
        last_name="Rollin",
        rolle=Rolle.ROLLIN_TEAM,
        team=team,
    )
    onboarding.refresh_from_db()
    return onboarding


def _fokus_id(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement ? document.activeElement.id : ''")


def _tab_bis(page, element_id: str) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element with this id has the focus."""
    for _ in range(MAX_TABS):
        if _fokus_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"#{element_id} not reachable with Tab (focus on #{_fokus_id(page)})")


def test_rollin_member_completes_phase_1_and_records_a_hurdle_by_keyboard(
    page, live_server, fuehrerschein_muenchen
):  # type: ignore[no-untyped-def]
    onboarding = fuehrerschein_muenchen
    page.goto(f"{live_server.url}/konto/anmelden/?next=/meine-behoerden/")
    page.get_by_label("Benutzername").fill("rita")
    page.get_by_label("Passwort").fill(PASSWORT)
    page.get_by_label("Passwort").press("Enter")

    # Work queue.
    expect(page.get_by_role("heading", name="Meine Behörden", level=1)).to_be_visible()
    zeile = page.get_by_role("row").filter(has_text="Landratsamt München")
    expect(zeile).to_contain_text("Führerschein")
    expect(zeile).to_contain_text("in Phase 1")
    expect(zeile).to_contain_text("Phase 1: 0 von 8")
    assert_no_axe_violations(page, name="Meine Behörden")
    screenshot(page, "rollin-arbeitsliste")

    link = zeile.get_by_role("link", name="Landratsamt München")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/onboardings/{onboarding.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Landratsamt München: Führerschein")
    expect(page.locator("#status-badge")).to_contain_text("in Phase 1")
    assert_no_axe_violations(page, name="Onboarding-Seite")
    page.evaluate("window.__ohneNeuladen = true")

    # Phase 1 with the keyboard: Tab to each item, Space ticks it; one item is waived.
    punkte = list(onboarding.punkte.filter(phase=1, pflicht=True).order_by("reihenfolge", "pk"))
    assert len(punkte) == 8
    page.locator("#checkliste-titel").scroll_into_view_if_needed()
    for punkt in punkte:
        eintrag = page.locator(f"#punkt-{punkt.pk}")
        _tab_bis(page, f"punkt-{punkt.pk}-erledigt")
        if punkt.code == VERZICHT:
            page.keyboard.press("Tab")  # the "Verzichten …" disclosure
            page.keyboard.press("Enter")
            page.keyboard.press("Tab")
            assert _fokus_id(page) == f"punkt-{punkt.pk}-grund"
            page.keyboard.type("Keine Gebühren beim Führerschein-Umtausch in diesem Amt")
            page.keyboard.press("Tab")
            assert _fokus_id(page) == f"punkt-{punkt.pk}-verzichten"
            page.keyboard.press("Enter")
            expect(eintrag).to_have_class(re.compile("punkt--verzichtet"))
            expect(eintrag).to_contain_text("Grund: Keine Gebühren")
            # Focus stays in the swapped item.
            expect(page.locator(f"#punkt-{punkt.pk}-oeffnen")).to_be_focused()
        else:
            page.keyboard.press("Space")
            expect(eintrag).to_have_class(re.compile("punkt--erledigt"))
            expect(page.locator(f"#punkt-{punkt.pk}-erledigt")).to_be_checked()
            expect(page.locator(f"#punkt-{punkt.pk}-erledigt")).to_be_focused()

    # The dependent regions refreshed themselves: no navigation happened.
    expect(page.locator("#phase-1-badge")).to_contain_text("Phase 1 erledigt")
    expect(page.locator("#phase-1-stand")).to_contain_text(
        "Phase 1 erledigt: 8 von 8, davon 1 verzichtet"
    )
    expect(page.locator("#status-badge")).to_contain_text("in Phase 2")
    expect(page.locator("#id_status")).to_have_value("phase_2")
    assert page.evaluate("window.__ohneNeuladen") is True

    # Record a hurdle with the keyboard; the "blockiert" badge appears.
    expect(page.locator("#blockiert-badge")).to_have_count(0)
    _tab_bis(page, "huerde-neu-oeffnen")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _fokus_id(page) == "huerde-neu-titel"
    page.keyboard.type("Postfach-Modul des Herstellers fehlt")
    page.keyboard.press("Tab")
    assert _fokus_id(page) == "huerde-neu-kategorie"
    page.keyboard.press("ArrowDown")  # Schnittstelle / Fachverfahren nicht bereit
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # Fachverfahrenshersteller
    page.keyboard.press("Tab")
    assert _fokus_id(page) == "huerde-neu-schwere"
    page.keyboard.press("ArrowDown")  # hoch
    _tab_bis(page, "huerde-neu-beschreibung")
    page.keyboard.type("Release 4.2 angekündigt für September.")
    page.keyboard.press("Tab")
    assert _fokus_id(page) == "huerde-neu-speichern"
    page.keyboard.press("Enter")

    expect(page.locator("#huerden")).to_contain_text(
        "Hürde „Postfach-Modul des Herstellers fehlt“ erfasst; das Onboarding ist blockiert."
    )
    expect(page.locator("#blockiert-badge")).to_be_visible()
    expect(page.locator("#kopf")).to_contain_text("Blockiert durch:")
    assert page.evaluate("window.__ohneNeuladen") is True

    from onboarding.models import Huerde, Onboarding

    gespeichert = Onboarding.objects.get(pk=onboarding.pk)
    assert (gespeichert.status, gespeichert.blockiert) == ("phase_2", True)
    huerde = Huerde.objects.get(titel="Postfach-Modul des Herstellers fehlt")
    assert (huerde.kategorie, huerde.verantwortlich, huerde.schwere) == (
        "schnittstelle",
        "fachverfahren",
        "hoch",
    )

    assert_no_axe_violations(page, name="Onboarding-Seite nach Änderungen")
    screenshot(page, "rollin-onboarding")
