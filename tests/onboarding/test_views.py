"""Roll-in pages: work queue, record page with its inline forms, history, hurdles.

Each view: the full page renders; an htmx request gets only its fragment; the wrong method
is 405; a record of another Land is 404; a read-only user's POST is 403; the side effects
(item done, audit event, status advanced, record blocked) happen; a repeated POST with the
version the user had is refused as a conflict (409) and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LANDRATSAMT_MUENCHEN = "09184"
FUEHRERSCHEIN = "10169"
HTMX = {"HTTP_HX_REQUEST": "true"}


# --- cast -------------------------------------------------------------------------------


@pytest.fixture
def onboarding_by():  # type: ignore[no-untyped-def]
    from onboarding.models import Onboarding

    return Onboarding.objects.select_related("zusage__land", "behoerde").get(
        behoerde__schluessel=LANDRATSAMT_MUENCHEN,
        leistung__ozg_id=FUEHRERSCHEIN,
        geschlossen_am__isnull=True,
    )


@pytest.fixture
def onboarding_he():  # type: ignore[no-untyped-def]
    from onboarding.models import Onboarding

    return (
        Onboarding.objects.filter(zusage__land__kurz="HE", geschlossen_am__isnull=True)
        .order_by("pk")
        .first()
    )


@pytest.fixture
def team_by(onboarding_by):  # type: ignore[no-untyped-def]
    from onboarding.models import Onboarding, Team

    team = Team.objects.create(name="Roll-in Oberbayern", land=onboarding_by.zusage.land)
    Onboarding.objects.filter(pk=onboarding_by.pk).update(team=team)
    onboarding_by.refresh_from_db()
    return team


def _user(django_user_model, name, **kwargs):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username=name, password="test-pass-123", first_name=name.capitalize(), **kwargs
    )


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rollin_by(django_user_model, team_by):  # type: ignore[no-untyped-def]
    from accounts.models import Rolle

    return _user(django_user_model, "rita", rolle=Rolle.ROLLIN_TEAM, team=team_by)


@pytest.fixture
def client_rollin_by(rollin_by) -> Client:  # type: ignore[no-untyped-def]
    return _client(rollin_by)


@pytest.fixture
def client_rollin_by_2(django_user_model, team_by) -> Client:  # type: ignore[no-untyped-def]
    """A colleague in the same team: the 'other person' of the conflict tests."""
    from accounts.models import Rolle

    return _client(_user(django_user_model, "otto", rolle=Rolle.ROLLIN_TEAM, team=team_by))


@pytest.fixture
def client_rollin_he(django_user_model, onboarding_he) -> Client:  # type: ignore[no-untyped-def]
    from accounts.models import Rolle
    from onboarding.models import Onboarding, Team

    team = Team.objects.create(name="Roll-in Hessen", land=onboarding_he.zusage.land)
    Onboarding.objects.filter(pk=onboarding_he.pk).update(team=team)
    return _client(_user(django_user_model, "hanna", rolle=Rolle.ROLLIN_TEAM, team=team))


def _punkte(onboarding, phase):  # type: ignore[no-untyped-def]
    return list(onboarding.punkte.filter(phase=phase, pflicht=True).order_by("reihenfolge", "pk"))


def _punkt_url(punkt) -> str:  # type: ignore[no-untyped-def]
    return reverse("onboarding:punkt_setzen", args=[punkt.onboarding_id, punkt.pk])


def _abhaken(client, punkt, **extra):  # type: ignore[no-untyped-def]
    punkt.refresh_from_db()
    return client.post(
        _punkt_url(punkt), {"version": punkt.version, "erledigt": "on"}, **{**HTMX, **extra}
    )


# --- work queue --------------------------------------------------------------------------


def test_work_queue_shows_the_teams_records_with_status_and_progress(
    client_rollin_by, onboarding_by, onboarding_he
):  # type: ignore[no-untyped-def]
    response = client_rollin_by.get(reverse("onboarding:arbeitsliste"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert "Meine Behörden" in html
    assert reverse("onboarding:detail", args=[onboarding_by.pk]) in html
    # Only the team's records: the Hessian one is not listed.
    assert reverse("onboarding:detail", args=[onboarding_he.pk]) + '"' not in html
    assert response.context["seite"].paginator.count == 1
    gesamt = len(_punkte(onboarding_by, 0))
    assert f"Phase 0: 0 von {gesamt}" in html
    assert "Roll-in Oberbayern" in html


def test_work_queue_htmx_request_returns_only_the_table(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    response = client_rollin_by.get(
        reverse("onboarding:arbeitsliste"), {"ansicht": "blockiert"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="arbeitsliste-tabelle"')
    assert "Keine Onboardings in dieser Ansicht." in html
    assert response["Vary"].find("HX-Request") >= 0


def test_work_queue_filters_by_land_and_authority_name(client_ministerium):  # type: ignore[no-untyped-def]
    url = reverse("onboarding:arbeitsliste")
    bayern = client_ministerium.get(url, {"land": "BY", "q": "Landratsamt München"})
    zeilen = bayern.context["zeilen"]
    assert zeilen
    assert {z["onboarding"].zusage.land.kurz for z in zeilen} == {"BY"}
    assert all("München" in z["onboarding"].behoerde.name for z in zeilen)
    # Read-only: the read view, not "Meine Behörden".
    assert "Onboardings" in bayern.content.decode()
    assert bayern.context["bearbeitbar"] is False


def test_work_queue_refuses_post(client_rollin_by):  # type: ignore[no-untyped-def]
    assert client_rollin_by.post(reverse("onboarding:arbeitsliste")).status_code == 405


def test_work_queue_paginates_and_pins_its_queries(
    client_ministerium, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    url = reverse("onboarding:arbeitsliste")
    client_ministerium.get(url)  # fills the footer cache of the context processor
    with django_assert_max_num_queries(8):
        response = client_ministerium.get(url, {"ansicht": "alle"})
    assert response.status_code == 200
    seite = response.context["seite"]
    assert len(seite.object_list) == 50
    assert seite.paginator.count > 50
    zweite = client_ministerium.get(url, {"ansicht": "alle", "seite": 2})
    assert zweite.context["seite"].number == 2


# --- record page ------------------------------------------------------------------------


def test_record_page_renders_header_checklist_and_forms_for_the_team(
    client_rollin_by, onboarding_by
):  # type: ignore[no-untyped-def]
    response = client_rollin_by.get(reverse("onboarding:detail", args=[onboarding_by.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Landratsamt München: Führerschein" in html
    assert "Phase 1 – Technische Integration" in html
    punkt = _punkte(onboarding_by, 1)[0]
    assert f'id="punkt-{punkt.pk}-erledigt"' in html
    assert f'name="version" value="{onboarding_by.version}"' in html
    assert 'action="' + reverse("onboarding:huerde_erfassen", args=[onboarding_by.pk]) in html
    # A roll-in team member may not assign teams.
    assert 'name="team"' not in html


def test_record_page_htmx_region_returns_only_that_region(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    url = reverse("onboarding:detail", args=[onboarding_by.pk])
    response = client_rollin_by.get(url, {"teil": "phasen"}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="phasen"')
    # The per-phase derivation texts ride along out of band.
    assert 'id="phase-1-stand" class="kern-body checkliste-phase__stand" hx-swap-oob="true"' in html


def test_read_only_user_sees_the_record_without_forms_and_cannot_post(
    client_ministerium, onboarding_by
):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("onboarding:detail", args=[onboarding_by.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="erledigt"' not in html
    assert "Status und Termine speichern" not in html
    punkt = _punkte(onboarding_by, 0)[0]
    assert _abhaken(client_ministerium, punkt).status_code == 403
    punkt.refresh_from_db()
    assert punkt.stand == "offen"
    status = client_ministerium.post(
        reverse("onboarding:aktualisieren", args=[onboarding_by.pk]),
        {"version": onboarding_by.version, "status": "in_klaerung"},
    )
    assert status.status_code == 403


def test_hessian_team_gets_404_for_a_bavarian_record(client_rollin_he, onboarding_by):  # type: ignore[no-untyped-def]
    detail = reverse("onboarding:detail", args=[onboarding_by.pk])
    assert client_rollin_he.get(detail).status_code == 404
    assert client_rollin_he.get(detail + "verlauf/").status_code == 404
    punkt = _punkte(onboarding_by, 0)[0]
    assert _abhaken(client_rollin_he, punkt).status_code == 404
    punkt.refresh_from_db()
    assert punkt.stand == "offen"
    behoerde = reverse("leistungen:behoerde", args=[LANDRATSAMT_MUENCHEN])
    assert client_rollin_he.get(behoerde).status_code == 404


def test_record_views_refuse_wrong_methods(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    pk = onboarding_by.pk
    punkt = _punkte(onboarding_by, 0)[0]
    assert client_rollin_by.post(reverse("onboarding:detail", args=[pk])).status_code == 405
    assert client_rollin_by.get(_punkt_url(punkt)).status_code == 405
    assert client_rollin_by.get(reverse("onboarding:aktualisieren", args=[pk])).status_code == 405
    assert client_rollin_by.get(reverse("onboarding:huerde_erfassen", args=[pk])).status_code == 405
    assert client_rollin_by.get(reverse("onboarding:golive", args=[pk])).status_code == 405
    assert client_rollin_by.post(reverse("onboarding:verlauf", args=[pk])).status_code == 405


def test_ticking_an_item_with_htmx_swaps_the_item_audits_and_signals_the_regions(
    client_rollin_by, rollin_by, onboarding_by
):  # type: ignore[no-untyped-def]
    from audit.models import Ereignis

    punkt = _punkte(onboarding_by, 0)[0]
    vorher = Ereignis.objects.count()
    response = _abhaken(client_rollin_by, punkt)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="punkt-{punkt.pk}"')
    assert "<html" not in html
    assert f'id="punkt-{punkt.pk}-erledigt"' in html
    assert " checked" in html
    assert "onboarding-geaendert" in response["HX-Trigger"]
    punkt.refresh_from_db()
    assert punkt.stand == "erledigt"
    assert punkt.erledigt_am == timezone.localdate()
    ereignis = Ereignis.objects.order_by("-id").first()
    assert Ereignis.objects.count() == vorher + 1
    assert ereignis.user == rollin_by
    assert ereignis.objekt_id == punkt.pk
    assert ereignis.aenderungen["stand"] == ["offen", "erledigt"]


def test_ticking_without_javascript_redirects_back_with_a_message(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    punkt = _punkte(onboarding_by, 0)[0]
    response = client_rollin_by.post(
        _punkt_url(punkt), {"version": punkt.version, "erledigt": "on"}, follow=True
    )
    assert response.redirect_chain[0][0].endswith(
        reverse("onboarding:detail", args=[onboarding_by.pk]) + f"#punkt-{punkt.pk}"
    )
    assert f"„{punkt.text}“: erledigt." in response.content.decode()


def test_repeated_item_post_with_the_old_version_is_a_conflict_and_changes_nothing(
    client_rollin_by, client_rollin_by_2, onboarding_by
):  # type: ignore[no-untyped-def]
    from audit.models import Ereignis

    punkt = _punkte(onboarding_by, 0)[0]
    alte_version = punkt.version
    assert _abhaken(client_rollin_by_2, punkt).status_code == 200
    punkt.refresh_from_db()
    stand_danach, version_danach = punkt.stand, punkt.version
    anzahl = Ereignis.objects.count()

    response = client_rollin_by.post(
        _punkt_url(punkt),
        {"version": alte_version, "aktion": "verzichten", "verzicht_grund": "keine Gebühren"},
        **HTMX,
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nicht gespeichert: jemand anderes hat diesen Punkt inzwischen geändert" in html
    assert "Otto" in html
    assert "Stand: offen → erledigt" in html
    # Reapply offers the user's values with the NEW version.
    assert "Meine Änderung erneut anwenden" in html
    assert f'name="version" value="{version_danach}"' in html
    assert 'name="verzicht_grund" value="keine Gebühren"' in html
    punkt.refresh_from_db()
    assert (punkt.stand, punkt.version) == (stand_danach, version_danach)
    assert Ereignis.objects.count() == anzahl

    erneut = client_rollin_by.post(
        _punkt_url(punkt),
        {"version": version_danach, "aktion": "verzichten", "verzicht_grund": "keine Gebühren"},
        **HTMX,
    )
    assert erneut.status_code == 200
    punkt.refresh_from_db()
    assert (punkt.stand, punkt.verzicht_grund) == ("verzichtet", "keine Gebühren")


def test_waiving_without_a_reason_is_refused_next_to_the_item(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    punkt = _punkte(onboarding_by, 0)[0]
    response = client_rollin_by.post(
        _punkt_url(punkt), {"version": punkt.version, "aktion": "verzichten"}, **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="punkt-{punkt.pk}-meldung" class="kern-error punkt__meldung" role="alert"' in html
    assert f'aria-describedby="punkt-{punkt.pk}-meldung"' in html
    assert "ist ein Grund nötig" in html
    punkt.refresh_from_db()
    assert punkt.stand == "offen"


def test_completing_phases_advances_the_status_and_the_phase_badge(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    from onboarding.models import Onboarding

    for punkt in _punkte(onboarding_by, 0):
        assert _abhaken(client_rollin_by, punkt).status_code == 200
    onboarding_by.refresh_from_db()
    response = client_rollin_by.post(
        reverse("onboarding:aktualisieren", args=[onboarding_by.pk]),
        {"version": onboarding_by.version, "status": "phase_1"},
        **HTMX,
    )
    assert response.status_code == 200, response.content.decode()
    assert Onboarding.objects.get(pk=onboarding_by.pk).status == "phase_1"
    phase_1 = _punkte(onboarding_by, 1)
    for punkt in phase_1[:-1]:
        _abhaken(client_rollin_by, punkt)
    punkt = phase_1[-1]
    punkt.refresh_from_db()
    letzter = client_rollin_by.post(
        _punkt_url(punkt),
        {"version": punkt.version, "aktion": "verzichten", "verzicht_grund": "nicht nötig"},
        **HTMX,
    )
    assert letzter.status_code == 200
    assert Onboarding.objects.get(pk=onboarding_by.pk).status == "phase_2"
    phasen = client_rollin_by.get(
        reverse("onboarding:detail", args=[onboarding_by.pk]), {"teil": "phasen"}, **HTMX
    ).content.decode()
    assert "Phase 1 erledigt" in phasen
    assert f"davon 1 verzichtet: {punkt.text} (nicht nötig)" in phasen
    kopf = client_rollin_by.get(
        reverse("onboarding:detail", args=[onboarding_by.pk]), {"teil": "kopf"}, **HTMX
    ).content.decode()
    assert "Status: in Phase 2" in kopf


def test_status_form_without_javascript_saves_and_redirects(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    from audit.models import Ereignis

    url = reverse("onboarding:aktualisieren", args=[onboarding_by.pk])
    response = client_rollin_by.post(
        url,
        {
            "version": onboarding_by.version,
            "status": onboarding_by.status,
            "welle": "Welle 2",
            "geplant_golive": "2026-10-01",
        },
    )
    assert response.status_code == 302
    onboarding_by.refresh_from_db()
    assert onboarding_by.welle == "Welle 2"
    assert onboarding_by.geplant_golive == dt.date(2026, 10, 1)
    ereignis = Ereignis.objects.filter(objekt_typ="onboarding.onboarding").order_by("-id")[0]
    # Only the changed fields are written.
    assert set(ereignis.aenderungen) == {"welle", "geplant_golive", "version"}


def test_actual_date_in_the_future_is_refused_with_the_reason(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    morgen = timezone.localdate() + dt.timedelta(days=1)
    response = client_rollin_by.post(
        reverse("onboarding:aktualisieren", args=[onboarding_by.pk]),
        {"version": onboarding_by.version, "status": onboarding_by.status, "ist_golive": morgen},
        **HTMX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="status-meldung" class="kern-alert kern-alert--danger" role="alert"' in html
    assert "liegt in der Zukunft" in html
    onboarding_by.refresh_from_db()
    assert onboarding_by.ist_golive is None


def test_status_conflict_shows_what_the_other_person_changed_and_reapplies(
    client_rollin_by, client_rollin_by_2, onboarding_by
):  # type: ignore[no-untyped-def]
    url = reverse("onboarding:aktualisieren", args=[onboarding_by.pk])
    gesehen = onboarding_by.version
    andere = client_rollin_by_2.post(
        url, {"version": gesehen, "status": onboarding_by.status, "welle": "Welle 1"}, **HTMX
    )
    assert andere.status_code == 200
    onboarding_by.refresh_from_db()
    neue_version = onboarding_by.version

    response = client_rollin_by.post(
        url,
        {"version": gesehen, "status": onboarding_by.status, "geplant_golive": "2026-11-30"},
        **HTMX,
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "jemand anderes hat dieses Onboarding inzwischen geändert" in html
    assert "Otto" in html
    assert "Welle: – → Welle 1" in html
    assert f'name="version" value="{neue_version}"' in html
    assert 'name="geplant_golive" value="2026-11-30"' in html
    # The reapply form keeps the other person's change.
    assert 'name="welle" value="Welle 1"' in html
    onboarding_by.refresh_from_db()
    assert onboarding_by.geplant_golive is None
    assert onboarding_by.version == neue_version

    erneut = client_rollin_by.post(
        url,
        {
            "version": neue_version,
            "status": onboarding_by.status,
            "welle": "Welle 1",
            "geplant_golive": "2026-11-30",
        },
        **HTMX,
    )
    assert erneut.status_code == 200
    onboarding_by.refresh_from_db()
    assert (onboarding_by.welle, onboarding_by.geplant_golive) == ("Welle 1", dt.date(2026, 11, 30))


def test_conflict_without_javascript_renders_the_page_with_status_409(
    client_rollin_by, client_rollin_by_2, onboarding_by
):  # type: ignore[no-untyped-def]
    url = reverse("onboarding:aktualisieren", args=[onboarding_by.pk])
    daten = {"version": onboarding_by.version, "status": onboarding_by.status, "welle": "A"}
    assert client_rollin_by_2.post(url, daten).status_code == 302
    response = client_rollin_by.post(url, {**daten, "welle": "B"})
    assert response.status_code == 409
    assert "<html" in response.content.decode()
    onboarding_by.refresh_from_db()
    assert onboarding_by.welle == "A"


def test_recording_a_blocking_hurdle_marks_the_record_blocked(
    client_rollin_by, rollin_by, onboarding_by
):  # type: ignore[no-untyped-def]
    from onboarding.models import Huerde

    response = client_rollin_by.post(
        reverse("onboarding:huerde_erfassen", args=[onboarding_by.pk]),
        {
            "titel": "XMeld-Modul fehlt",
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
            "schwere": "hoch",
            "blockierend": "on",
            "faellig_am": "2026-09-30",
            "beschreibung": "Release 4.2 des Herstellers",
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="huerden"')
    assert "Hürde „XMeld-Modul fehlt“ erfasst; das Onboarding ist blockiert." in html
    assert "onboarding-geaendert" in response["HX-Trigger"]
    huerde = Huerde.objects.get(titel="XMeld-Modul fehlt")
    assert huerde.erfasst_von == rollin_by
    assert list(huerde.onboardings.all()) == [onboarding_by]
    onboarding_by.refresh_from_db()
    assert onboarding_by.blockiert is True
    kopf = client_rollin_by.get(
        reverse("onboarding:detail", args=[onboarding_by.pk]), {"teil": "kopf"}, **HTMX
    ).content.decode()
    assert 'id="blockiert-badge"' in kopf
    assert "XMeld-Modul fehlt" in kopf


def test_hurdle_without_title_is_refused(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    from onboarding.models import Huerde

    anzahl = Huerde.objects.count()
    response = client_rollin_by.post(
        reverse("onboarding:huerde_erfassen", args=[onboarding_by.pk]),
        {"kategorie": "personal", "verantwortlich": "kommune", "schwere": "mittel"},
        **HTMX,
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.content.decode()
    assert Huerde.objects.count() == anzahl


def _huerde(user, onboardings, titel="Hersteller-Release fehlt"):  # type: ignore[no-untyped-def]
    from audit.models import Quelle
    from onboarding.services import huerde_erfassen

    return huerde_erfassen(
        user=user,
        daten={
            "titel": titel,
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
            "schwere": "hoch",
            "blockierend": True,
        },
        onboarding_ids=[o.pk for o in onboardings],
        quelle=Quelle.UI,
    )


def test_resolving_a_hurdle_from_the_record_page_unblocks_it(
    client_rollin_by, rollin_by, onboarding_by
):  # type: ignore[no-untyped-def]
    huerde = _huerde(rollin_by, [onboarding_by])
    onboarding_by.refresh_from_db()
    assert onboarding_by.blockiert
    heute = timezone.localdate().isoformat()
    response = client_rollin_by.post(
        reverse("onboarding:huerde_loesen", args=[huerde.pk]),
        {
            "version": huerde.version,
            "loesung": "Release da",
            "datum": heute,
            "onboarding": onboarding_by.pk,
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert "1 Onboarding nicht mehr blockiert" in response.content.decode()
    onboarding_by.refresh_from_db()
    assert onboarding_by.blockiert is False
    # The same POST again: the hurdle's version moved on → conflict, nothing changes.
    nochmal = client_rollin_by.post(
        reverse("onboarding:huerde_loesen", args=[huerde.pk]),
        {
            "version": huerde.version,
            "loesung": "anders",
            "datum": heute,
            "onboarding": onboarding_by.pk,
        },
        **HTMX,
    )
    assert nochmal.status_code == 409
    huerde.refresh_from_db()
    assert huerde.loesung == "Release da"


# --- hurdles -------------------------------------------------------------------------------


def test_hurdle_list_and_detail_show_linked_records_and_unblock_count(
    client_ministerium, admin_user_rc, onboarding_by
):  # type: ignore[no-untyped-def]
    from onboarding.models import Onboarding

    weitere = list(
        Onboarding.objects.filter(zusage__land__kurz="BY", leistung__ozg_id=FUEHRERSCHEIN)
        .exclude(pk=onboarding_by.pk)
        .order_by("pk")[:2]
    )
    huerde = _huerde(admin_user_rc, [onboarding_by, *weitere])
    liste = client_ministerium.get(reverse("onboarding:huerden"))
    assert liste.status_code == 200
    assert "Hersteller-Release fehlt" in liste.content.decode()
    fragment = client_ministerium.get(
        reverse("onboarding:huerden"), {"kategorie": "personal"}, **HTMX
    )
    assert "<html" not in fragment.content.decode()
    assert "Hersteller-Release fehlt" not in fragment.content.decode()
    detail = client_ministerium.get(reverse("onboarding:huerde", args=[huerde.pk]))
    html = detail.content.decode()
    assert detail.context["entsperrt"] == 3
    assert reverse("onboarding:detail", args=[onboarding_by.pk]) in html
    # Read-only: no resolve form, and a POST is refused.
    assert "Hürde lösen" not in html
    antwort = client_ministerium.post(
        reverse("onboarding:huerde_loesen", args=[huerde.pk]),
        {"version": huerde.version, "loesung": "x", "datum": timezone.localdate().isoformat()},
    )
    assert antwort.status_code == 403


def test_resolving_a_hurdle_on_its_page_unblocks_all_linked_records(admin_user_rc, onboarding_by):  # type: ignore[no-untyped-def]
    from onboarding.models import Onboarding

    andere = list(
        Onboarding.objects.filter(zusage__land__kurz="BY").exclude(pk=onboarding_by.pk)[:3]
    )
    huerde = _huerde(admin_user_rc, [onboarding_by, *andere])
    client = _client(admin_user_rc)
    response = client.post(
        reverse("onboarding:huerde_loesen", args=[huerde.pk]),
        {
            "version": huerde.version,
            "loesung": "erledigt",
            "datum": timezone.localdate().isoformat(),
        },
        follow=True,
    )
    assert "4 Onboardings nicht mehr blockiert" in response.content.decode()
    ids = [onboarding_by.pk, *(o.pk for o in andere)]
    assert not Onboarding.objects.filter(pk__in=ids, blockiert=True).exists()


def test_hessian_team_cannot_see_a_bavarian_hurdle(client_rollin_he, admin_user_rc, onboarding_by):  # type: ignore[no-untyped-def]
    huerde = _huerde(admin_user_rc, [onboarding_by])
    assert client_rollin_he.get(reverse("onboarding:huerde", args=[huerde.pk])).status_code == 404
    assert (
        "Hersteller-Release"
        not in client_rollin_he.get(reverse("onboarding:huerden")).content.decode()
    )


# --- history ---------------------------------------------------------------------------------


def test_history_lists_changes_in_german_and_filters_by_user(
    client_rollin_by, client_rollin_by_2, rollin_by, onboarding_by, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    punkt = _punkte(onboarding_by, 0)[0]
    _abhaken(client_rollin_by_2, punkt)
    onboarding_by.refresh_from_db()
    client_rollin_by.post(
        reverse("onboarding:aktualisieren", args=[onboarding_by.pk]),
        {"version": onboarding_by.version, "status": "in_klaerung"},
    )
    url = reverse("onboarding:verlauf", args=[onboarding_by.pk])
    with django_assert_max_num_queries(10):
        response = client_rollin_by.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Status: unbekannt → in Klärung" in html or "Status</span>: unbekannt → in Klärung" in html
    )
    assert "Stand" in html
    assert "offen → erledigt" in html
    assert timezone.localdate().strftime("%d.%m.%Y") in html

    nur_rita = client_rollin_by.get(url, {"user": rollin_by.pk}, **HTMX)
    fragment = nur_rita.content.decode()
    assert "<html" not in fragment
    assert "in Klärung" in fragment
    assert "offen → erledigt" not in fragment


def test_history_of_500_events_is_paginated_with_few_queries(
    admin_user_rc, onboarding_by, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    from audit.models import Aktion, Ereignis, Quelle

    start = timezone.now() - dt.timedelta(days=30)
    Ereignis.objects.bulk_create(
        Ereignis(
            zeitpunkt=start + dt.timedelta(minutes=i),
            user=admin_user_rc,
            quelle=Quelle.IMPORT,
            aktion=Aktion.GEAENDERT,
            objekt_typ="onboarding.onboarding",
            objekt_id=onboarding_by.pk,
            onboarding_id=onboarding_by.pk,
            beschreibung=f"Welle geändert ({i})",
            aenderungen={"welle": [f"W{i}", f"W{i + 1}"]},
        )
        for i in range(500)
    )
    client = _client(admin_user_rc)
    url = reverse("onboarding:verlauf", args=[onboarding_by.pk])
    with django_assert_max_num_queries(10):
        response = client.get(url)
    seite = response.context["seite"]
    assert seite.paginator.count >= 500
    assert len(response.context["eintraege"]) == 100
    assert "Welle: W499 → W500" in response.content.decode()
    nur_admin = client.get(url, {"user": admin_user_rc.pk})
    assert nur_admin.context["seite"].paginator.num_pages == 5
    letzte = client.get(url, {"user": admin_user_rc.pk, "seite": 5})
    assert "Welle: W0 → W1" in letzte.content.decode()
    eng = client.get(url, {"von": start.date().isoformat(), "bis": start.date().isoformat()})
    assert eng.context["seite"].paginator.count < seite.paginator.count


def test_record_page_pins_its_queries(
    client_rollin_by, rollin_by, onboarding_by, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    _huerde(rollin_by, [onboarding_by])
    with django_assert_max_num_queries(14):
        response = client_rollin_by.get(reverse("onboarding:detail", args=[onboarding_by.pk]))
    assert response.status_code == 200


# --- authority page ---------------------------------------------------------------------------


def test_authority_page_shows_onboarding_badge_and_link(client_rollin_by, onboarding_by):  # type: ignore[no-untyped-def]
    response = client_rollin_by.get(reverse("leistungen:behoerde", args=[LANDRATSAMT_MUENCHEN]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("onboarding:detail", args=[onboarding_by.pk]) in html
    assert "Onboarding Führerschein öffnen" in html
    assert f"Phase 0: 0 von {len(_punkte(onboarding_by, 0))}" in html


def test_go_live_button_appears_when_phases_0_to_2_are_done_and_confirms(
    client_rollin_by, rollin_by, onboarding_by
):  # type: ignore[no-untyped-def]
    detail = reverse("onboarding:detail", args=[onboarding_by.pk])
    assert "Go-live bestätigen" not in client_rollin_by.get(detail).content.decode()
    for phase in (0, 1, 2):
        for punkt in _punkte(onboarding_by, phase):
            assert _abhaken(client_rollin_by, punkt).status_code == 200
        onboarding_by.refresh_from_db()
        if phase == 0:
            client_rollin_by.post(
                reverse("onboarding:aktualisieren", args=[onboarding_by.pk]),
                {"version": onboarding_by.version, "status": "phase_1"},
            )
    onboarding_by.refresh_from_db()
    assert onboarding_by.status == "phase_3"
    assert "Go-live bestätigen" in client_rollin_by.get(detail).content.decode()
    heute = timezone.localdate()
    response = client_rollin_by.post(
        reverse("onboarding:golive", args=[onboarding_by.pk]),
        {"version": onboarding_by.version, "datum": heute.isoformat()},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Go-live bestätigt von Rita" in response.content.decode()
    onboarding_by.refresh_from_db()
    assert (onboarding_by.status, onboarding_by.ist_golive) == ("live", heute)
    assert onboarding_by.golive_bestaetigt_von == rollin_by
