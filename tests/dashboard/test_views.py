"""Start page, base layout (navigation, footer, demo banner) and accessibility statement."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _leerer_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def test_start_page_lists_participating_laender_with_commitments(client_ministerium):  # type: ignore[no-untyped-def]
    from leistungen.models import Programmteilnahme, Zusage

    response = client_ministerium.get(reverse("dashboard:start"))
    assert response.status_code == 200
    html = response.content.decode()
    laender = response.context["laender"]
    assert [s.land.kurz for s in laender] == [
        t.land.kurz for t in Programmteilnahme.objects.order_by("beigetreten_am", "land__code")
    ]
    bayern = next(s for s in laender if s.land.kurz == "BY")
    assert len(bayern.zusagen) == Zusage.objects.filter(land__kurz="BY").count()
    assert "Bayern" in html
    assert "dabei seit 21.01.2026" in html
    assert 'action="/suche/"' in html
    assert 'name="q"' in html


def test_start_page_counts_responsible_authorities_from_resolved_zustaendigkeit(client_ministerium):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from kommunen.models import Gemeinde
    from leistungen.models import Zustaendigkeit

    response = client_ministerium.get(reverse("dashboard:start"))
    bayern = next(s for s in response.context["laender"] if s.land.kurz == "BY")
    fuehrerschein = next(z for z in bayern.zusagen if z.zusage.leistung.ozg_id == "10169")
    heute = timezone.localdate()
    erwartet = (
        Zustaendigkeit.objects.gueltig_am(heute)
        .filter(gemeinde__land__kurz="BY", leistung__ozg_id="10169")
        .values("behoerde")
        .distinct()
        .count()
    )
    # 71 Landratsämter + 25 kreisfreie Städte (domain.md §3).
    assert fuehrerschein.kennzahl.behoerden_gesamt == erwartet == 96
    gemeinden_by = (
        Gemeinde.objects.gueltig_am(heute)
        .filter(land__kurz="BY")
        .exclude(typ__in=Gemeinde.GEMEINDEFREI_TYPEN)
        .count()
    )
    assert fuehrerschein.kennzahl.gemeinden_gesamt == gemeinden_by == bayern.anzahl_gemeinden_land
    assert fuehrerschein.kennzahl.einwohner_gesamt == bayern.land.einwohner
    assert fuehrerschein.tage_bis_frist == (fuehrerschein.zusage.frist - heute).days


def test_start_page_shows_german_thousand_separators(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Land

    bayern = Land.objects.get(kurz="BY")
    html = client_ministerium.get(reverse("dashboard:start")).content.decode()
    assert f"{bayern.einwohner:,}".replace(",", ".") in html


def test_start_page_lists_pilot_kommunen(client_ministerium):  # type: ignore[no-untyped-def]
    from leistungen.models import Behoerde

    html = client_ministerium.get(reverse("dashboard:start")).content.decode()
    piloten = Behoerde.objects.filter(ist_pilot=True)
    assert piloten.count() >= 12
    for pilot in piloten:
        assert reverse("leistungen:behoerde", args=[pilot.schluessel]) in html


def test_start_page_query_count_is_pinned(client_ministerium, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client_ministerium.get(reverse("dashboard:start"))
    # Forecasts cached after the first call; budget and exact counts: test_start.py.
    with django_assert_max_num_queries(10):
        client_ministerium.get(reverse("dashboard:start"))


def test_layout_has_skip_link_navigation_user_and_logout_form(client_ministerium, ministerium_user):  # type: ignore[no-untyped-def]
    html = client_ministerium.get(reverse("dashboard:start")).content.decode()
    assert '<html lang="de">' in html
    assert '<a class="skip-link" href="#inhalt">Zum Inhalt springen</a>' in html
    assert '<main id="inhalt"' in html
    assert 'aria-label="Hauptnavigation"' in html
    assert ministerium_user.get_rolle_display() in html
    assert f'<form method="post" action="{reverse("accounts:logout")}"' in html
    assert 'hx-headers=\'{"X-CSRFToken": ' in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    # Staff only: the admin link.
    assert reverse("admin:index") not in html


def test_staff_sees_the_administration_link(client, admin_user_rc):  # type: ignore[no-untyped-def]
    client.force_login(admin_user_rc)
    html = client.get(reverse("dashboard:start")).content.decode()
    assert f'href="{reverse("admin:index")}">Verwaltung</a>' in html


def test_footer_shows_attribution_and_gebietsstand(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Gebietsstand

    stand = Gebietsstand.objects.order_by("-stichtag").first()
    html = client_ministerium.get(reverse("dashboard:start")).content.decode()
    assert "Statistisches Bundesamt (Destatis)" in html
    assert "© GeoBasis-DE / BKG" in html
    assert "https://www.bkg.bund.de" in html
    assert f"Gebietsstand {stand.stichtag:%d.%m.%Y}" in html
    assert reverse("dashboard:barrierefreiheit") in html


def test_demo_banner_only_when_demo_accounts_exist(client_ministerium, django_user_model):  # type: ignore[no-untyped-def]
    banner = (
        "Demo-Umgebung:</strong> Benutzerkonten und Rollout-Fortschritt "
        "sind erfundene Beispieldaten."
    )
    assert banner not in client_ministerium.get(reverse("dashboard:start")).content.decode()
    django_user_model.objects.create_user(
        username="demo-land", password="x-pass-123", ist_demo=True
    )
    cache.clear()
    assert banner in client_ministerium.get(reverse("dashboard:start")).content.decode()


def test_logout_is_a_post_and_ends_the_session(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.get(reverse("accounts:logout")).status_code == 405
    response = client_ministerium.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client_ministerium.get(reverse("dashboard:start")).status_code == 302


def test_login_page_renders_german_form(client_anon):  # type: ignore[no-untyped-def]
    response = client_anon.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    assert "Anmelden" in html
    assert 'autocomplete="current-password"' in html
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html


def test_login_with_wrong_password_shows_error(client_anon, ministerium_user):  # type: ignore[no-untyped-def]
    response = client_anon.post(
        reverse("accounts:login"), {"username": "ministerium", "password": "falsch"}
    )
    assert response.status_code == 200
    assert "Anmeldung fehlgeschlagen" in response.content.decode()


def test_login_redirects_to_start(client_anon, ministerium_user):  # type: ignore[no-untyped-def]
    response = client_anon.post(
        reverse("accounts:login"), {"username": "ministerium", "password": "test-pass-123"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:start")


def test_anonymous_start_redirects_to_login(client_anon):  # type: ignore[no-untyped-def]
    response = client_anon.get(reverse("dashboard:start"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_post_to_start_is_not_allowed(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.post(reverse("dashboard:start")).status_code == 405


def test_accessibility_statement_is_public(client_anon, settings):  # type: ignore[no-untyped-def]
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@land.example"
    cache.clear()
    response = client_anon.get(reverse("dashboard:barrierefreiheit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "teilweise vereinbar" in html
    assert "BITV 2.0" in html
    assert "Schlichtungsstelle nach § 16 BGG" in html
    assert 'href="mailto:a11y@land.example"' in html


def test_accessibility_statement_default_contact(client_anon):  # type: ignore[no-untyped-def]
    html = client_anon.get(reverse("dashboard:barrierefreiheit")).content.decode()
    assert "barrierefreiheit@rollout-cockpit.example" in html


def test_post_to_accessibility_statement_is_not_allowed(client_anon):  # type: ignore[no-untyped-def]
    assert client_anon.post(reverse("dashboard:barrierefreiheit")).status_code == 405


def test_start_page_shows_coverage_figures_of_abdeckung_am(client_ministerium):  # type: ignore[no-untyped-def]
    from abdeckung.regeln import quote_text
    from abdeckung.selectors import abdeckung_am
    from abdeckung.services import abdeckung_aktualisieren
    from accounts.models import Rolle, User
    from audit.models import Quelle
    from kommunen.models import Land
    from leistungen.models import Leistung
    from onboarding.models import Onboarding, Status
    from onboarding.services import onboarding_aktualisieren

    bayern = Land.objects.get(kurz="BY")
    fuehrerschein = Leistung.objects.get(ozg_id="10169")
    # Landratsamt München offered the service before the programme (baseline) and is live.
    lra = Onboarding.objects.get(
        behoerde__schluessel="09184", leistung=fuehrerschein, geschlossen_am__isnull=True
    )
    admin = User.objects.create(username="admin-o", rolle=Rolle.ADMINISTRATION, is_superuser=True)
    onboarding_aktualisieren(
        onboarding_id=lra.pk,
        user=admin,
        version=lra.version,
        daten={"baseline": True, "status": Status.LIVE},
        quelle=Quelle.SYSTEM,
    )
    abdeckung_aktualisieren()
    (k,) = abdeckung_am(land=bayern, leistung=fuehrerschein)
    # By hand: the Landkreis München has 29 Gemeinden (+3 uninhabited gemeindefreie
    # Gebiete) and 354,396 inhabitants, all served by the Landratsamt for Führerschein.
    assert (k.behoerden_live, k.gemeinden_live, k.einwohner_live) == (1, 29, 354_396)
    # Independent of the engine: live/betriebsfähig BY Führerschein onboardings by the ORM.
    live = (
        Onboarding.objects.filter(
            zusage__land=bayern,
            zusage__leistung=fuehrerschein,
            status__in=[Status.LIVE, Status.BETRIEBSFAEHIG],
        )
        .values("behoerde")
        .distinct()
        .count()
    )
    assert k.behoerden_live == live

    response = client_ministerium.get(reverse("dashboard:start"))
    html = response.content.decode()
    stand = next(s for s in response.context["laender"] if s.land.kurz == "BY")
    zeile = next(z for z in stand.zusagen if z.zusage.leistung_id == fuehrerschein.pk)
    assert zeile.kennzahl.behoerden == k.behoerden

    def zahl(n: int) -> str:
        return f"{n:,}".replace(",", ".")

    for zaehler, nenner in (
        (k.behoerden_live, k.behoerden_gesamt),
        (k.gemeinden_live, k.gemeinden_gesamt),
        (k.einwohner_live, k.einwohner_gesamt),
    ):
        assert (
            f'{zahl(zaehler)}/{zahl(nenner)}<br><span class="matrix-quote">'
            f"{quote_text(zaehler, nenner)}</span>"
        ) in html
    assert f"Stand {timezone_local(stand.abdeckung_stand)}" in html


def timezone_local(zeitpunkt):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return f"{timezone.localtime(zeitpunkt):%d.%m.%Y, %H:%M}"
