"""Authority page: per service the timeline across phases, checklist progress per phase,
open hurdles and the way to the record page where roll-in teams edit; who may see it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from abdeckung.services import abdeckung_aktualisieren
from accounts.models import Rolle
from audit.models import Quelle
from onboarding.services import huerde_loesen
from tests.abdeckung.helfer import blockieren, onboarding, status_setzen
from tests.onboarding import helfer as h

pytestmark = pytest.mark.django_db

LRA_KELHEIM = "09273"
FUEHRERSCHEIN = "10169"


def _url(schluessel: str = LRA_KELHEIM) -> str:
    return reverse("leistungen:behoerde", args=[schluessel])


def _zeitpunkt(tag: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(tag, dt.time(9, 30)))


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _karte(html: str, ozg_id: str) -> str:
    start = html.index(f'id="leistung-{ozg_id}"')
    return html[start : html.index("</article>", start)]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def fuehrerschein_verlauf():  # type: ignore[no-untyped-def]
    """Führerschein at the Landratsamt Kelheim: Phase 1 on 01.09., Phase 2 on 01.10.,
    live on 02.11.2026; Phase 0 ticked; one open blocking and one solved hurdle."""
    chef = h.admin()
    o = onboarding(LRA_KELHEIM, FUEHRERSCHEIN)
    h.phasen_erledigen(o, 0, user=chef)
    status_setzen(o, "phase_1", user=chef, zeitpunkt=_zeitpunkt(dt.date(2026, 9, 1)))
    status_setzen(o, "phase_2", user=chef, zeitpunkt=_zeitpunkt(dt.date(2026, 10, 1)))
    status_setzen(o, "live", user=chef, zeitpunkt=_zeitpunkt(dt.date(2026, 11, 2)))
    offen = blockieren([o], user=chef)
    geloest = blockieren([o], user=chef)
    huerde_loesen(
        huerde_id=geloest.pk,
        user=chef,
        version=geloest.version,
        loesung="Modul geliefert",
        datum=timezone.localdate(),
        quelle=Quelle.UI,
    )
    abdeckung_aktualisieren()
    return {"onboarding": o, "offen": offen, "geloest": geloest}


def test_timeline_lists_when_each_status_was_reached(client_ministerium, fuehrerschein_verlauf):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(_url())
    assert response.status_code == 200
    karte = _karte(response.content.decode(), FUEHRERSCHEIN)
    start = karte.index("behoerde-verlauf")
    zeilen = [
        _text(z)
        for z in re.findall(
            r"<tr[^>]*>(.*?)</tr>", karte[start : karte.index("</table>", start)], re.S
        )
    ][1:]
    stati = [z.split(" 0")[0] for z in zeilen]
    assert [z for z in zeilen if z.startswith("in Phase 1")][0].startswith(
        "in Phase 1 (technische Integration) 01.09.2026 01.10.2026 30 Tage"
    ), stati
    assert any(
        z.startswith("in Phase 2 (organisatorisches Onboarding) 01.10.2026 02.11.2026 32 Tage")
        for z in zeilen
    )
    live = zeilen[-1]
    assert live.startswith("live")
    assert "02.11.2026 heute" in live
    assert "zeitweise blockiert" in live  # the open hurdle blocks it now
    assert zeilen[0].startswith("unbekannt")


def test_checklist_progress_per_phase(client_ministerium, fuehrerschein_verlauf):  # type: ignore[no-untyped-def]
    from onboarding.models import Checklistenpunkt

    o = fuehrerschein_verlauf["onboarding"]
    pflicht = {
        phase: Checklistenpunkt.objects.filter(onboarding=o, phase=phase, pflicht=True).count()
        for phase in range(4)
    }
    karte = _text(_karte(client_ministerium.get(_url()).content.decode(), FUEHRERSCHEIN))
    assert f"Phase 0 – Vorbereitung erledigt: {pflicht[0]} von {pflicht[0]}" in karte
    assert f"Phase 1 – Technische Integration 0 von {pflicht[1]} erledigt" in karte


def test_open_hurdles_and_links_to_record_and_history(client_ministerium, fuehrerschein_verlauf):  # type: ignore[no-untyped-def]
    o = fuehrerschein_verlauf["onboarding"]
    karte = _karte(client_ministerium.get(_url()).content.decode(), FUEHRERSCHEIN)
    assert "Offene Hürden (1)" in karte
    assert reverse("onboarding:huerde", args=[fuehrerschein_verlauf["offen"].pk]) in karte
    assert reverse("onboarding:huerde", args=[fuehrerschein_verlauf["geloest"].pk]) not in karte
    assert "blockierend" in karte
    assert reverse("onboarding:detail", args=[o.pk]) in karte
    assert reverse("onboarding:verlauf", args=[o.pk]) in karte


def test_service_without_history_says_so(client_ministerium):  # type: ignore[no-untyped-def]
    from abdeckung.models import Statusintervall

    Statusintervall.objects.filter(behoerde__schluessel=LRA_KELHEIM).delete()
    karte = _karte(client_ministerium.get(_url()).content.decode(), FUEHRERSCHEIN)
    assert "Noch kein Verlauf verarbeitet." in karte
    assert "Keine offenen Hürden." in karte


def test_htmx_request_returns_the_responsibility_region(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(_url(), {"stand": "2026-03-01"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Stammdaten" not in html
    assert "Zuständigkeit am 01.03.2026" in html
    assert 'id="leistung-10169"' in html
    assert "HX-Request" in response["Vary"]


def test_hessian_viewer_gets_404_for_a_bavarian_authority():  # type: ignore[no-untyped-def]
    hessen = _client(h.user("hmdi", Rolle.MINISTERIUM, land=h.land("HE")))
    assert hessen.get(_url()).status_code == 404
    assert hessen.get(_url(), HTTP_HX_REQUEST="true").status_code == 404
    assert hessen.get(_url("064140000000")).status_code == 200  # Stadt Wiesbaden


def test_query_count_is_pinned_with_history_and_hurdles(
    client_ministerium, fuehrerschein_verlauf, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    client_ministerium.get(_url())
    with django_assert_max_num_queries(12):
        client_ministerium.get(_url())
    with django_assert_max_num_queries(12):
        client_ministerium.get(_url(), HTTP_HX_REQUEST="true")
