"""Gemeinde page: which committed services the people can use online, who provides them,
since when; the "Stand am" date; what a viewer of another Land sees."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from abdeckung.services import abdeckung_aktualisieren
from accounts.models import Rolle
from tests.abdeckung.helfer import onboarding, status_setzen
from tests.onboarding import helfer as h

pytestmark = pytest.mark.django_db

STADT_KELHEIM = "092730137137"
LRA_KELHEIM = "09273"
WIESBADEN = "064140000000"


def _zeitpunkt(tag: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(tag, dt.time(10, 0)))


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _zeilen(html: str, tabelle: str) -> list[str]:
    start = html.index(f'id="{tabelle}"')
    teil = html[start : html.index("</table>", start)]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", zeile).split())
        for zeile in re.findall(r"<tr[^>]*>(.*?)</tr>", teil, flags=re.S)
    ]


@pytest.fixture
def kelheim_live() -> None:
    """Ummeldung live in the Stadt Kelheim since 01.09.2026 (betriebsfähig since
    01.10.2026); Führerschein at the Landratsamt in Phase 2."""
    chef = h.admin()
    o = onboarding(STADT_KELHEIM, "10124")
    status_setzen(o, "live", user=chef, zeitpunkt=_zeitpunkt(dt.date(2026, 9, 1)))
    status_setzen(o, "betriebsfaehig", user=chef, zeitpunkt=_zeitpunkt(dt.date(2026, 10, 1)))
    status_setzen(
        onboarding(LRA_KELHEIM, "10169"),
        "phase_2",
        user=chef,
        zeitpunkt=_zeitpunkt(dt.date(2026, 9, 15)),
    )
    abdeckung_aktualisieren()


def test_gemeinde_page_says_what_people_can_use_today(client_ministerium, kelheim_live):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("kommunen:gemeinde", args=[STADT_KELHEIM]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Was die Menschen hier heute online nutzen können" in html
    assert "1 von 5" in html
    zeilen = _zeilen(html, "angebot-tabelle")
    ummeldung = next(z for z in zeilen if "Ummeldung" in z)
    # Usable since it went live (the stretch live → betriebsfähig is uninterrupted).
    assert ummeldung.split("Ummeldung", 1)[1].split()[0] == "ja"
    assert "betriebsfähig" in ummeldung
    assert "Stadt Kelheim" in ummeldung
    assert "01.09.2026" in ummeldung
    fuehrerschein = next(z for z in zeilen if "Führerschein" in z)
    assert "nein" in fuehrerschein
    assert "Phase 2" in fuehrerschein
    assert "Landratsamt Kelheim" in fuehrerschein
    assert "31.12.2026" in fuehrerschein  # the deadline
    assert reverse("leistungen:behoerde", args=[LRA_KELHEIM]) in html


def test_gemeinde_page_on_a_past_day_shows_the_state_then(client_ministerium, kelheim_live):  # type: ignore[no-untyped-def]
    url = reverse("kommunen:gemeinde", args=[STADT_KELHEIM])
    vorher = client_ministerium.get(url, {"stand": "2026-08-31"}).content.decode()
    assert "am 31.08.2026 online nutzen können" in vorher
    assert "0 von 5" in vorher
    danach = client_ministerium.get(url, {"stand": "2026-09-20"}).content.decode()
    ummeldung = next(z for z in _zeilen(danach, "angebot-tabelle") if "Ummeldung" in z)
    assert "ja" in ummeldung
    assert "live" in ummeldung
    assert "01.09.2026" in ummeldung
    fuehrerschein = next(z for z in _zeilen(danach, "angebot-tabelle") if "Führerschein" in z)
    assert "Phase 2" in fuehrerschein


def test_gemeinde_page_htmx_returns_the_stand_region_only(client_ministerium, kelheim_live):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(
        reverse("kommunen:gemeinde", args=[STADT_KELHEIM]),
        {"stand": "2026-08-31"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="stand-bereich"' not in html
    assert "Stammdaten" not in html
    assert 'id="angebot-tabelle"' in html
    assert "am 31.08.2026" in html
    assert "HX-Request" in response["Vary"]
    voll = client_ministerium.get(reverse("kommunen:gemeinde", args=[STADT_KELHEIM]))
    assert 'hx-target="#stand-bereich"' in voll.content.decode()
    assert "HX-Request" in voll["Vary"]


def test_hessian_viewer_sees_bavarian_gemeinde_without_status(kelheim_live):  # type: ignore[no-untyped-def]
    hessen = h.user("hmdi", Rolle.MINISTERIUM, land=h.land("HE"))
    response = _client(hessen).get(reverse("kommunen:gemeinde", args=[STADT_KELHEIM]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "09273137" in html  # AGS: reference data
    assert "Landratsamt Kelheim" in html  # who is responsible is public
    assert "Stadt Kelheim" in html
    assert 'id="angebot-tabelle"' not in html
    assert "nicht freigegeben" in html
    assert "/behoerden/" not in html
    assert "betriebsfähig" not in html
    assert "Phase 2" not in html
    assert "01.09.2026" not in html
    assert response.context["angebote"] == [(z, None, "") for z in response.context["zeilen"]]


def test_hessian_viewer_sees_hessian_gemeinde_with_status(kelheim_live):  # type: ignore[no-untyped-def]
    hessen = h.user("hmdi", Rolle.MINISTERIUM, land=h.land("HE"))
    response = _client(hessen).get(reverse("kommunen:gemeinde", args=[WIESBADEN]))
    assert response.status_code == 200
    assert 'id="angebot-tabelle"' in response.content.decode()


def test_live_record_without_processed_history_uses_its_golive_date(client_ministerium):  # type: ignore[no-untyped-def]
    """Right after a status change the history is not processed yet (that runs after the
    commit): the record's own "live seit" date is shown."""
    from onboarding.models import Onboarding

    o = onboarding(STADT_KELHEIM, "10124")
    Onboarding.objects.filter(pk=o.pk).update(status="live", ist_golive=dt.date(2026, 7, 1))
    html = client_ministerium.get(
        reverse("kommunen:gemeinde", args=[STADT_KELHEIM])
    ).content.decode()
    ummeldung = next(z for z in _zeilen(html, "angebot-tabelle") if "Ummeldung" in z)
    assert "ja" in ummeldung
    assert "01.07.2026" in ummeldung


def test_gemeinde_page_query_count_is_pinned_for_both_viewers(
    client_ministerium, kelheim_live, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    url = reverse("kommunen:gemeinde", args=[STADT_KELHEIM])
    client_ministerium.get(url)
    with django_assert_max_num_queries(9):
        client_ministerium.get(url)
    with django_assert_max_num_queries(9):
        client_ministerium.get(url, {"stand": "2026-09-20"}, HTTP_HX_REQUEST="true")
    hessen = _client(h.user("hmdi", Rolle.MINISTERIUM, land=h.land("HE")))
    hessen.get(url)
    with django_assert_max_num_queries(7):
        hessen.get(url)


def test_post_to_gemeinde_page_is_not_allowed(client_ministerium):  # type: ignore[no-untyped-def]
    assert (
        client_ministerium.post(reverse("kommunen:gemeinde", args=[STADT_KELHEIM])).status_code
        == 405
    )
