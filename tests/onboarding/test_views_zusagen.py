"""Commitments page and hurdle editing.

Commitments: a Land coordinator sees the commitments of their Land only and changes them
inline (audited, source "ui"); a commitment of another Land is 404 for them; a read-only
user sees no forms and gets 403; an invalid date is refused with the reason and writes
nothing. Hurdles: the GU office changes a hurdle on its page (audited); a read-only user
gets 403; a stale version is a conflict that shows the other person's change and writes
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.onboarding import helfer as h

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FUEHRERSCHEIN = "10169"


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _zusage(land_kurz: str):  # type: ignore[no-untyped-def]
    from leistungen.models import Zusage

    return Zusage.objects.filter(land__kurz=land_kurz).order_by("pk").first()


def _ereignisse(objekt):  # type: ignore[no-untyped-def]
    from audit.models import Ereignis

    return Ereignis.objects.filter(objekt_typ=objekt._meta.label_lower, objekt_id=objekt.pk)


@pytest.fixture
def koordination_by():  # type: ignore[no-untyped-def]
    from accounts.models import Rolle

    return h.user("kora", Rolle.LAND_KOORDINATION, land=h.land("BY"))


@pytest.fixture
def client_koordination_by(koordination_by) -> Client:  # type: ignore[no-untyped-def]
    return _client(koordination_by)


# --- commitments ------------------------------------------------------------------------------


def test_coordinator_sees_only_the_commitments_of_their_land_with_forms(client_koordination_by):  # type: ignore[no-untyped-def]
    from leistungen.models import Zusage

    by, he = _zusage("BY"), _zusage("HE")
    assert by is not None
    assert he is not None
    response = client_koordination_by.get(reverse("onboarding:zusagen"))
    assert response.status_code == 200
    zeilen = response.context["zusagen"]
    assert {z.pk for z in zeilen} == set(
        Zusage.objects.filter(land__kurz="BY").values_list("pk", flat=True)
    )
    html = response.content.decode()
    assert reverse("onboarding:zusage_aendern", args=[by.pk]) in html
    assert reverse("onboarding:zusage_aendern", args=[he.pk]) not in html
    assert f'href="{reverse("onboarding:zusagen")}"' in html  # navigation entry


def test_coordinator_changes_a_commitment_of_their_land_audited_as_ui(
    client_koordination_by, koordination_by
):  # type: ignore[no-untyped-def]
    zusage = _zusage("BY")
    neue_frist = zusage.frist + dt.timedelta(days=30)
    response = client_koordination_by.post(
        reverse("onboarding:zusage_aendern", args=[zusage.pk]),
        {
            "frist": neue_frist.isoformat(),
            "zugesagt_am": zusage.zugesagt_am.isoformat() if zusage.zugesagt_am else "",
            "quelle": "Kabinettsbeschluss vom 3. März",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("onboarding:zusagen"))
    zusage.refresh_from_db()
    assert zusage.frist == neue_frist
    assert zusage.quelle == "Kabinettsbeschluss vom 3. März"
    ereignis = _ereignisse(zusage).get()
    assert ereignis.quelle == "ui"
    assert ereignis.user_id == koordination_by.pk
    assert ereignis.aenderungen["frist"][1] == neue_frist.isoformat()


def test_coordinator_change_with_htmx_returns_the_row(client_koordination_by):  # type: ignore[no-untyped-def]
    zusage = _zusage("BY")
    response = client_koordination_by.post(
        reverse("onboarding:zusage_aendern", args=[zusage.pk]),
        {"frist": zusage.frist.isoformat(), "zugesagt_am": "", "quelle": "neu"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="zusage-{zusage.pk}"' in html
    assert "Gespeichert." in html


def test_coordinator_cannot_reach_a_commitment_of_another_land(client_koordination_by):  # type: ignore[no-untyped-def]
    zusage = _zusage("HE")
    vorher = (zusage.frist, zusage.quelle)
    response = client_koordination_by.post(
        reverse("onboarding:zusage_aendern", args=[zusage.pk]),
        {"frist": "2030-01-01", "zugesagt_am": "", "quelle": "x"},
    )
    # Outside the coordinator's visibility (their Land only): not found, not just forbidden.
    assert response.status_code == 404
    zusage.refresh_from_db()
    assert (zusage.frist, zusage.quelle) == vorher
    assert not _ereignisse(zusage).exists()


def test_ministry_viewer_sees_all_commitments_without_forms_and_cannot_post(client_ministerium):  # type: ignore[no-untyped-def]
    zusage = _zusage("BY")
    response = client_ministerium.get(reverse("onboarding:zusagen"))
    html = response.content.decode()
    assert response.status_code == 200
    assert zusage.pk in {z.pk for z in response.context["zusagen"]}
    assert _zusage("HE").pk in {z.pk for z in response.context["zusagen"]}
    assert "Zusage ändern" not in html
    assert "/zusagen/" + str(zusage.pk) not in html
    antwort = client_ministerium.post(
        reverse("onboarding:zusage_aendern", args=[zusage.pk]),
        {"frist": "2030-01-01", "zugesagt_am": "", "quelle": "x"},
    )
    assert antwort.status_code == 403
    assert not _ereignisse(zusage).exists()


def test_commitment_pages_need_login_and_the_right_method(client_anon, client_koordination_by):  # type: ignore[no-untyped-def]
    zusage = _zusage("BY")
    seite = client_anon.get(reverse("onboarding:zusagen"))
    assert seite.status_code == 302
    assert reverse("accounts:login") in seite["Location"]
    post = client_anon.post(reverse("onboarding:zusage_aendern", args=[zusage.pk]), {})
    assert post.status_code == 302
    assert client_koordination_by.post(reverse("onboarding:zusagen")).status_code == 405
    assert (
        client_koordination_by.get(
            reverse("onboarding:zusage_aendern", args=[zusage.pk])
        ).status_code
        == 405
    )


def test_invalid_deadline_is_refused_next_to_the_form_and_writes_nothing(client_koordination_by):  # type: ignore[no-untyped-def]
    zusage = _zusage("BY")
    vorher = (zusage.frist, zusage.zugesagt_am, zusage.quelle)
    response = client_koordination_by.post(
        reverse("onboarding:zusage_aendern", args=[zusage.pk]),
        {"frist": "31.02.2027", "zugesagt_am": "", "quelle": "geändert"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "kein gültiges Datum" in html
    assert f'id="zusage-{zusage.pk}-meldung"' in html
    assert 'value="31.02.2027"' in html  # the typed value stays in the form
    zusage.refresh_from_db()
    assert (zusage.frist, zusage.zugesagt_am, zusage.quelle) == vorher
    assert not _ereignisse(zusage).exists()
    # Deadline before the commitment date: refused with the reason, also with htmx.
    antwort = client_koordination_by.post(
        reverse("onboarding:zusage_aendern", args=[zusage.pk]),
        {"frist": "2020-01-01", "zugesagt_am": "2021-01-01", "quelle": ""},
        **HTMX,
    )
    assert antwort.status_code == 422
    assert "Die Frist liegt vor dem Datum der Zusage." in antwort.content.decode()
    assert 'role="alert"' in antwort.content.decode()
    assert not _ereignisse(zusage).exists()


# --- hurdle editing ---------------------------------------------------------------------------


@pytest.fixture
def gu_buero():  # type: ignore[no-untyped-def]
    from accounts.models import Rolle
    from leistungen.models import Programmteilnahme

    Programmteilnahme.objects.filter(land__kurz="BY").update(gu_beauftragt=True)
    return h.user("gustav", Rolle.GU_PROGRAMMBUERO)


@pytest.fixture
def huerde_by(gu_buero):  # type: ignore[no-untyped-def]
    from audit.models import Quelle
    from onboarding.services import huerde_erfassen

    return huerde_erfassen(
        user=gu_buero,
        daten={
            "titel": "Hersteller-Release fehlt",
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
            "schwere": "hoch",
            "blockierend": True,
        },
        onboarding_ids=[h.onboarding(h.LRA_MUENCHEN, FUEHRERSCHEIN).pk],
        quelle=Quelle.UI,
    )


def _formular(huerde, **aenderungen):  # type: ignore[no-untyped-def]
    daten = {
        "version": huerde.version,
        "titel": huerde.titel,
        "beschreibung": huerde.beschreibung,
        "kategorie": huerde.kategorie,
        "verantwortlich": huerde.verantwortlich,
        "schwere": huerde.schwere,
        "stand": huerde.stand,
        "faellig_am": huerde.faellig_am.isoformat() if huerde.faellig_am else "",
    }
    if huerde.blockierend:
        daten["blockierend"] = "on"
    daten.update(aenderungen)
    return {k: v for k, v in daten.items() if v is not None}


def test_gu_office_changes_the_severity_of_a_hurdle_audited(gu_buero, huerde_by):  # type: ignore[no-untyped-def]
    client = _client(gu_buero)
    seite = client.get(reverse("onboarding:huerde", args=[huerde_by.pk]))
    assert reverse("onboarding:huerde_bearbeiten", args=[huerde_by.pk]) in seite.content.decode()
    response = client.post(
        reverse("onboarding:huerde_bearbeiten", args=[huerde_by.pk]),
        _formular(huerde_by, schwere="mittel", stand="in_bearbeitung"),
    )
    assert response.status_code == 302
    vorher = huerde_by.version
    huerde_by.refresh_from_db()
    assert (huerde_by.schwere, huerde_by.stand) == ("mittel", "in_bearbeitung")
    assert huerde_by.blockierend  # unchanged fields stay as they were
    ereignis = _ereignisse(huerde_by).filter(aktion="geaendert").get()
    assert ereignis.quelle == "ui"
    assert ereignis.user_id == gu_buero.pk
    assert ereignis.aenderungen["schwere"] == ["hoch", "mittel"]
    assert ereignis.aenderungen["version"] == [vorher, vorher + 1]
    assert "titel" not in ereignis.aenderungen


def test_hurdle_edit_with_htmx_returns_the_content_region(gu_buero, huerde_by):  # type: ignore[no-untyped-def]
    response = _client(gu_buero).post(
        reverse("onboarding:huerde_bearbeiten", args=[huerde_by.pk]),
        _formular(huerde_by, titel="Release 4.2 fehlt"),
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="huerde-inhalt"' in html
    assert "Release 4.2 fehlt" in html
    # The resolve form carries the new version.
    huerde_by.refresh_from_db()
    assert f'name="version" value="{huerde_by.version}"' in html


def test_read_only_user_sees_no_edit_form_and_gets_403(client_ministerium, huerde_by):  # type: ignore[no-untyped-def]
    seite = client_ministerium.get(reverse("onboarding:huerde", args=[huerde_by.pk]))
    assert seite.status_code == 200
    assert "Hürde bearbeiten" not in seite.content.decode()
    response = client_ministerium.post(
        reverse("onboarding:huerde_bearbeiten", args=[huerde_by.pk]),
        _formular(huerde_by, schwere="niedrig"),
    )
    assert response.status_code == 403
    huerde_by.refresh_from_db()
    assert huerde_by.schwere == "hoch"


def test_stale_hurdle_version_is_a_conflict_showing_the_other_change(gu_buero, huerde_by):  # type: ignore[no-untyped-def]
    from accounts.models import Rolle
    from audit.models import Quelle
    from onboarding.services import huerde_aktualisieren

    gesehen = _formular(huerde_by, titel="Hersteller-Release 4.2 fehlt")
    andere = h.user("gerda", Rolle.GU_PROGRAMMBUERO, first_name="Gerda")
    huerde_aktualisieren(
        huerde_id=huerde_by.pk,
        user=andere,
        version=huerde_by.version,
        daten={"schwere": "niedrig"},
        quelle=Quelle.UI,
    )
    huerde_by.refresh_from_db()
    stand_vorher = (huerde_by.titel, huerde_by.schwere, huerde_by.version)
    anzahl = _ereignisse(huerde_by).count()
    response = _client(gu_buero).post(
        reverse("onboarding:huerde_bearbeiten", args=[huerde_by.pk]), gesehen
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "die Hürde wurde inzwischen geändert" in html
    assert "Gerda" in html
    assert "Schwere" in html
    huerde_by.refresh_from_db()
    assert (huerde_by.titel, huerde_by.schwere, huerde_by.version) == stand_vorher
    assert _ereignisse(huerde_by).count() == anzahl
    # The reapply form: current version, the other person's severity, the user's title.
    form = response.context["bearbeiten_form"]
    assert form["version"].value() == huerde_by.version
    assert form["schwere"].value() == "niedrig"
    assert form["titel"].value() == "Hersteller-Release 4.2 fehlt"
