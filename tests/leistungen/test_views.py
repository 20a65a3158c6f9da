"""Authority page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LANDRATSAMT_MUENCHEN = "09184"
PULLACH = "091840139139"
HANAU = "064350014014"


def _url(schluessel: str) -> str:
    return reverse("leistungen:behoerde", args=[schluessel])


def test_landratsamt_page_lists_services_gemeinden_and_population(client_ministerium):  # type: ignore[no-untyped-def]
    from django.contrib.humanize.templatetags.humanize import intcomma

    from kommunen.models import Gemeinde

    response = client_ministerium.get(_url(LANDRATSAMT_MUENCHEN))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Landratsamt München" in html
    zeilen = {z.leistung.kurzname: z for z in response.context["zeilen"]}
    fuehrerschein = zeilen["Führerschein"]
    assert fuehrerschein.zugesagt
    im_kreis = Gemeinde.objects.aktuell().filter(kreis__ars=LANDRATSAMT_MUENCHEN)
    assert fuehrerschein.anzahl_gemeinden + fuehrerschein.anzahl_gemeindefreie == im_kreis.count()
    assert intcomma(fuehrerschein.einwohner) in html
    assert reverse("kommunen:gemeinde", args=[PULLACH]) in html
    assert "von Bayern zugesagt" in html
    # Long lists are collapsible.
    assert '<details class="kern-accordion">' in html
    # The rule behind it.
    assert "Kreis / kreisfreie Stadt" in html


def test_exception_is_explained_on_the_authority_page(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(_url(HANAU), {"stand": "2026-01-02"})
    html = response.content.decode()
    zeilen = {z.leistung.kurzname: z for z in response.context["zeilen"]}
    assert zeilen["Führerschein"].ausnahme is not None
    assert zeilen["Führerschein"].ausnahme.grund in html


def test_authority_page_respects_the_stand_date(client_ministerium):  # type: ignore[no-untyped-def]
    vorher = client_ministerium.get(_url(HANAU), {"stand": "2025-12-31"})
    nachher = client_ministerium.get(_url(HANAU), {"stand": "2026-01-02"})
    vorher_leistungen = {z.leistung.kurzname for z in vorher.context["zeilen"]}
    nachher_leistungen = {z.leistung.kurzname for z in nachher.context["zeilen"]}
    assert "Führerschein" not in vorher_leistungen
    assert "Führerschein" in nachher_leistungen


def test_pilot_authority_shows_badge(client_ministerium):  # type: ignore[no-untyped-def]
    from leistungen.models import Behoerde

    pilot = Behoerde.objects.filter(ist_pilot=True).first()
    html = client_ministerium.get(_url(pilot.schluessel)).content.decode()
    assert "Pilotkommune</span>" in html


def test_unknown_authority_is_404(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.get(_url("00000")).status_code == 404


def test_anonymous_user_is_redirected_to_login(client_anon):  # type: ignore[no-untyped-def]
    response = client_anon.get(_url(LANDRATSAMT_MUENCHEN))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_post_is_not_allowed(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.post(_url(LANDRATSAMT_MUENCHEN)).status_code == 405


def test_authority_page_query_count_is_pinned(client_ministerium, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client_ministerium.get(_url(LANDRATSAMT_MUENCHEN))
    # + open hurdles and the status history of the records (tests/leistungen/test_behoerde_seite.py)
    with django_assert_max_num_queries(12):
        client_ministerium.get(_url(LANDRATSAMT_MUENCHEN))
