"""Kreis page: coverage of the Kreis per committed service, usable services per Gemeinde,
responsible authorities with their status, and what a viewer of another Land sees."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from abdeckung.services import abdeckung_aktualisieren
from accounts.models import Rolle
from tests.abdeckung.helfer import onboarding, status_setzen
from tests.onboarding import helfer as h

pytestmark = pytest.mark.django_db

KELHEIM = "09273"
STADT_KELHEIM = "092730137137"
VG_SIEGENBURG = "092735218"
SIEGENBURG = "092735218172"
PAINTEN = "092730159159"
LRA_KELHEIM = "09273"
WIESBADEN = "06414"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def kelheim_teilweise_live() -> None:
    """Führerschein live at the Landratsamt (whole Kreis); Ummeldung live in the Stadt
    Kelheim and betriebsfähig in the VG Siegenburg (5 Gemeinden); Painten planned."""
    chef = h.admin()
    status_setzen(onboarding(LRA_KELHEIM, "10169"), "live", user=chef)
    status_setzen(onboarding(STADT_KELHEIM, "10124"), "live", user=chef)
    status_setzen(onboarding(VG_SIEGENBURG, "10124"), "betriebsfaehig", user=chef)
    status_setzen(onboarding(PAINTEN, "10124"), "geplant", user=chef)
    abdeckung_aktualisieren()


def _zeilen(response, tabelle: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The rows of a table (by id) as whitespace-collapsed text."""
    import re

    html = response.content.decode()
    start = html.index(f'id="{tabelle}"')
    teil = html[start : html.index("</table>", start)]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", zeile).split())
        for zeile in re.findall(r"<tr[^>]*>(.*?)</tr>", teil, flags=re.S)
    ]


def test_kreis_page_shows_the_three_numbers_of_the_kreis(
    client_ministerium, kelheim_teilweise_live
):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("kommunen:kreis", args=[KELHEIM]))
    assert response.status_code == 200
    zeilen = _zeilen(response, "abdeckung-tabelle")
    ummeldung = next(z for z in zeilen if z.startswith("Wohnsitz") or "Ummeldung" in z)
    # 13 Meldebehörden (8 Gemeinden on their own, 5 VGs), 2 live; 6 of 24 Gemeinden;
    # 17,066 + 9,874 of 126,037 inhabitants (Gemeindeverzeichnis 31.08.2025), cut not rounded.
    assert "2/13 (15,38 %)" in ummeldung
    assert "6/24 (25,00 %)" in ummeldung
    assert "26.940/126.037 (21,37 %)" in ummeldung
    fuehrerschein = next(z for z in zeilen if "Führerschein" in z)
    assert "1/1 (100,00 % (flächendeckend))" in fuehrerschein
    assert "24/24 (100,00 % (flächendeckend))" in fuehrerschein
    bau = next(z for z in zeilen if "Bau" in z)
    assert "0/" in bau
    assert "(0,00 %)" in bau
    html = response.content.decode()
    assert "Stand " in html
    assert " Uhr." in html
    assert f"{reverse('dashboard:karte')}?land=BY" in html
    assert reverse("dashboard:land", args=["BY"]) in html


def test_kreis_page_counts_usable_services_per_gemeinde(client_ministerium, kelheim_teilweise_live):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("kommunen:kreis", args=[KELHEIM]))
    zeilen = _zeilen(response, "gemeinden")
    anzahl_zusagen = len(response.context["zusagen"])
    assert anzahl_zusagen == 5

    def zeile(name: str) -> str:
        return next(z for z in zeilen if z.startswith(name + " "))

    assert f"2 von {anzahl_zusagen}" in zeile("Kelheim, St")
    assert f"2 von {anzahl_zusagen}" in zeile("Siegenburg, M")
    assert f"1 von {anzahl_zusagen}" in zeile("Painten, M")
    assert f"1 von {anzahl_zusagen}" in zeile("Abensberg, St")  # only Führerschein
    # Gemeindefreie Gebiete have no inhabitants to serve: no count.
    assert zeile("Dürnbucher Forst").split()[-2] == "–"


def test_kreis_page_lists_responsible_authorities_with_status(
    client_ministerium, kelheim_teilweise_live
):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("kommunen:kreis", args=[KELHEIM]))
    zeilen = _zeilen(response, "behoerden-tabelle")
    # The Kreis's own authority comes first and serves the 24 Gemeinden for Führerschein.
    assert zeilen[1].startswith("Landratsamt Kelheim")
    assert "live (24)" in zeilen[1]
    siegenburg = next(z for z in zeilen if "Siegenburg" in z)
    assert "betriebsfähig (5)" in siegenburg
    assert "geplant (1)" in next(z for z in zeilen if "Painten" in z)
    html = response.content.decode()
    assert reverse("leistungen:behoerde", args=[LRA_KELHEIM]) in html


def test_hessian_viewer_sees_bavarian_kreis_without_status_or_figures(kelheim_teilweise_live):  # type: ignore[no-untyped-def]
    hessen = h.user("hmdi", Rolle.MINISTERIUM, land=h.land("HE"))
    response = _client(hessen).get(reverse("kommunen:kreis", args=[KELHEIM]))
    assert response.status_code == 200
    html = response.content.decode()
    # Reference data and the names of the responsible authorities are public.
    assert "Landkreis Kelheim" in html or "Kelheim" in html
    assert "Landratsamt Kelheim" in html
    assert "126.037" in html  # inhabitants of the Kreis (reference data)
    # No status, no figures, no link to the authority pages, no map of Bayern.
    assert 'id="abdeckung-tabelle"' not in html
    assert "nicht freigegeben" in html
    assert "/behoerden/" not in html
    assert "live" not in " ".join(_zeilen(response, "behoerden-tabelle"))
    assert "betriebsfähig" not in html
    assert "Heute online nutzbar" not in html
    assert "?land=BY" not in html
    assert response.context["abdeckung_stand"] is None


def test_hessian_viewer_sees_hessian_kreis_figures(kelheim_teilweise_live):  # type: ignore[no-untyped-def]
    hessen = h.user("hmdi", Rolle.MINISTERIUM, land=h.land("HE"))
    response = _client(hessen).get(reverse("kommunen:kreis", args=[WIESBADEN]))
    assert response.status_code == 200
    assert 'id="abdeckung-tabelle"' in response.content.decode()


def test_kreis_of_land_without_commitments_lists_seated_authorities(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Kreis
    from leistungen.models import Zusage

    kreis = (
        Kreis.objects.aktuell()
        .exclude(land__in=Zusage.objects.values("land"))
        .order_by("ars")
        .first()
    )
    response = client_ministerium.get(reverse("kommunen:kreis", args=[kreis.ars]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "keine Leistungen zugesagt" in html
    assert 'id="abdeckung-tabelle"' not in html


def test_kreis_page_query_count_is_pinned(client_ministerium, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    url = reverse("kommunen:kreis", args=["09184"])  # Landkreis München: 29 Gemeinden
    client_ministerium.get(url)
    with django_assert_max_num_queries(8):
        client_ministerium.get(url)


def test_kreis_page_query_count_for_other_land_viewer_is_pinned(django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    hessen = _client(h.user("hmdi", Rolle.MINISTERIUM, land=h.land("HE")))
    url = reverse("kommunen:kreis", args=["09184"])
    hessen.get(url)
    # One more than nothing: the header shows the user's Land.
    with django_assert_max_num_queries(7):
        hessen.get(url)
