"""The onboarding API: reading and writing records, checklist items, hurdles and bulk
updates with the same scope and validation as the browser (audit source "api")."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Rolle
from accounts.services import api_token_erstellen
from audit.models import Ereignis, Quelle
from kommunen.models import Land
from leistungen.models import Zusage
from onboarding import services
from onboarding.models import Checklistenpunkt, Huerde, Onboarding, Status, Team

pytestmark = pytest.mark.django_db

LK_MUENCHEN = "09184"
FUEHRERSCHEIN = "10169"


@pytest.fixture
def onboarding() -> Onboarding:
    services.checklisten_vorlage_import()
    services.onboardings_abgleichen(
        zusage=Zusage.objects.get(land__kurz="BY", leistung__ozg_id=FUEHRERSCHEIN)
    )
    return Onboarding.objects.get(
        behoerde__schluessel=LK_MUENCHEN,
        leistung__ozg_id=FUEHRERSCHEIN,
        geschlossen_am__isnull=True,
    )


def _benutzer(django_user_model, name: str, **felder):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(username=name, password="x", **felder)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    _, key = api_token_erstellen(user=user, name="Test")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def gu(django_user_model):  # type: ignore[no-untyped-def]
    return _benutzer(django_user_model, "gu", rolle=Rolle.GU_PROGRAMMBUERO)


@pytest.fixture
def api_gu(gu) -> Client:  # type: ignore[no-untyped-def]
    return _client(gu)


def _patch(client: Client, pk: int, daten: dict):  # type: ignore[no-untyped-def]
    return client.patch(
        f"/api/v1/onboardings/{pk}", data=json.dumps(daten), content_type="application/json"
    )


def _post(client: Client, url: str, daten: dict):  # type: ignore[no-untyped-def]
    return client.post(url, data=json.dumps(daten), content_type="application/json")


def _letzte_ereignisse(anzahl: int) -> list[Ereignis]:
    return list(Ereignis.objects.order_by("-id")[:anzahl])


# --- Authentication and scope -------------------------------------------------------------


@pytest.mark.parametrize(
    ("methode", "url"),
    [
        ("get", "/api/v1/onboardings"),
        ("get", "/api/v1/onboardings/{pk}"),
        ("patch", "/api/v1/onboardings/{pk}"),
        ("post", "/api/v1/onboardings/{pk}/checkliste/p0_ansprechpersonen"),
        ("post", "/api/v1/huerden"),
        ("post", "/api/v1/huerden/1/loesen"),
        ("post", "/api/v1/massenimport"),
    ],
)
def test_anonymous_request_gets_401(client_anon, onboarding, methode, url):
    if methode == "get":
        antwort = client_anon.get(url.format(pk=onboarding.pk))
    else:
        antwort = getattr(client_anon, methode)(
            url.format(pk=onboarding.pk), data="{}", content_type="application/json"
        )

    assert antwort.status_code == 401
    assert "Nicht angemeldet" in antwort.json()["detail"]


def test_list_is_scoped_and_filtered(onboarding, django_user_model):
    hessen = Land.objects.get(kurz="HE")
    hmdi = _benutzer(django_user_model, "hmdi", rolle=Rolle.MINISTERIUM, land=hessen)

    antwort = _client(hmdi).get("/api/v1/onboardings", {"leistung": FUEHRERSCHEIN, "limit": 1000})

    daten = antwort.json()
    assert antwort.status_code == 200
    erwartet = Onboarding.objects.filter(
        zusage__land=hessen, leistung__ozg_id=FUEHRERSCHEIN, geschlossen_am__isnull=True
    ).count()
    assert daten["count"] == erwartet > 0
    assert {z["land"] for z in daten["items"]} == {"HE"}
    assert {z["leistung"]["ozg_id"] for z in daten["items"]} == {FUEHRERSCHEIN}


def test_list_filters_by_team_and_status(onboarding, api_gu):
    team = Team.objects.create(name="Team Oberbayern", land=Land.objects.get(kurz="BY"))
    Onboarding.objects.filter(pk=onboarding.pk).update(team=team, status=Status.GEPLANT)

    daten = api_gu.get("/api/v1/onboardings", {"team": "team oberbayern"}).json()
    assert [z["id"] for z in daten["items"]] == [onboarding.pk]
    daten = api_gu.get("/api/v1/onboardings", {"status": "geplant", "land": "BY"}).json()
    assert onboarding.pk in [z["id"] for z in daten["items"]]
    assert {z["status"] for z in daten["items"]} == {"geplant"}


def test_detail_has_checklist_hurdles_and_version(onboarding, api_gu):
    antwort = api_gu.get(f"/api/v1/onboardings/{onboarding.pk}")

    daten = antwort.json()
    assert antwort.status_code == 200
    assert daten["behoerde"]["schluessel"] == LK_MUENCHEN
    assert daten["version"] == onboarding.version
    assert len(daten["checkliste"]) == onboarding.punkte.count() > 0
    assert {"code", "stand", "version", "phase"} <= set(daten["checkliste"][0])
    assert daten["huerden"] == []


def test_out_of_scope_record_is_404_and_read_only_role_gets_403(
    onboarding, django_user_model, client_ministerium
):
    team = Team.objects.create(name="Team Hessen", land=Land.objects.get(kurz="HE"))
    team_user = _benutzer(django_user_model, "he", rolle=Rolle.ROLLIN_TEAM, team=team)
    api_team = _client(team_user)

    assert api_team.get(f"/api/v1/onboardings/{onboarding.pk}").status_code == 404
    antwort = _patch(api_team, onboarding.pk, {"version": onboarding.version, "welle": "W"})
    assert antwort.status_code == 404
    antwort = _post(
        api_team,
        f"/api/v1/onboardings/{onboarding.pk}/checkliste/p0_ansprechpersonen",
        {"stand": "erledigt", "version": 1},
    )
    assert antwort.status_code == 404

    # The federal ministry sees everything but edits nothing (session auth here).
    antwort = _patch(
        client_ministerium, onboarding.pk, {"version": onboarding.version, "welle": "W"}
    )
    assert antwort.status_code == 403
    assert "nicht bearbeiten" in antwort.json()["detail"]
    onboarding.refresh_from_db()
    assert onboarding.welle == ""


# --- Writes -------------------------------------------------------------------------------


def test_patch_changes_fields_with_audit_source_api(onboarding, api_gu, gu):
    antwort = _patch(
        api_gu,
        onboarding.pk,
        {
            "version": onboarding.version,
            "status": "geplant",
            "welle": "Welle 3",
            "geplant_golive": "2026-11-15",
        },
    )

    assert antwort.status_code == 200, antwort.content
    daten = antwort.json()
    assert (daten["status"], daten["welle"], daten["geplant_golive"]) == (
        "geplant",
        "Welle 3",
        "2026-11-15",
    )
    assert daten["version"] == onboarding.version + 1
    (ereignis,) = _letzte_ereignisse(1)
    assert (ereignis.quelle, ereignis.user_id, ereignis.objekt_id) == (
        Quelle.API,
        gu.pk,
        onboarding.pk,
    )
    assert ereignis.aenderungen["welle"] == ["", "Welle 3"]


def test_patch_with_stale_version_gets_409_with_the_other_persons_changes(
    onboarding, api_gu, django_user_model
):
    kollegin = _benutzer(django_user_model, "kollegin", rolle=Rolle.GU_PROGRAMMBUERO)
    services.onboarding_aktualisieren(
        onboarding_id=onboarding.pk,
        user=kollegin,
        version=onboarding.version,
        daten={"welle": "Welle 1"},
        quelle=Quelle.UI,
    )

    antwort = _patch(api_gu, onboarding.pk, {"version": onboarding.version, "welle": "Welle 2"})

    assert antwort.status_code == 409
    daten = antwort.json()
    assert daten["aktuelle_version"] == onboarding.version + 1
    assert [a["user"] for a in daten["aenderungen"]] == ["kollegin"]
    assert daten["aenderungen"][0]["aenderungen"]["welle"] == ["", "Welle 1"]
    onboarding.refresh_from_db()
    assert onboarding.welle == "Welle 1"


@pytest.mark.parametrize(
    ("daten", "meldung"),
    [
        ({"status": "live"}, "noch nicht möglich"),
        ({"ist_phase_1": "2999-01-01"}, "in der Zukunft"),
        ({"status": "nicht_zustaendig"}, "nur vom System"),
        ({"team": "Team Atlantis"}, "Unbekanntes Roll-in-Team"),
        ({"status": "fertig"}, "Ungültige Anfrage"),
    ],
)
def test_invalid_patch_gets_422_in_german_and_changes_nothing(onboarding, api_gu, daten, meldung):
    vorher = Ereignis.objects.count()

    antwort = _patch(api_gu, onboarding.pk, {"version": onboarding.version, **daten})

    assert antwort.status_code == 422, antwort.content
    assert meldung in antwort.json()["detail"]
    assert Ereignis.objects.count() == vorher
    assert Onboarding.objects.get(pk=onboarding.pk).version == onboarding.version


def test_checklist_item_is_set_by_code(onboarding, api_gu):
    punkt = onboarding.punkte.get(code="p0_ansprechpersonen")

    antwort = _post(
        api_gu,
        f"/api/v1/onboardings/{onboarding.pk}/checkliste/p0_ansprechpersonen",
        {"stand": "verzichtet", "verzicht_grund": "Kontakte stehen fest", "version": punkt.version},
    )

    assert antwort.status_code == 200, antwort.content
    eintrag = next(p for p in antwort.json()["checkliste"] if p["code"] == "p0_ansprechpersonen")
    assert (eintrag["stand"], eintrag["verzicht_grund"]) == ("verzichtet", "Kontakte stehen fest")
    assert _letzte_ereignisse(1)[0].quelle == Quelle.API

    ohne_grund = _post(
        api_gu,
        f"/api/v1/onboardings/{onboarding.pk}/checkliste/p0_avv_sicherheitskonzept",
        {"stand": "verzichtet", "version": 1},
    )
    assert ohne_grund.status_code == 422
    assert "Grund" in ohne_grund.json()["detail"]
    veraltet = _post(
        api_gu,
        f"/api/v1/onboardings/{onboarding.pk}/checkliste/p0_ansprechpersonen",
        {"stand": "erledigt", "version": punkt.version},
    )
    assert veraltet.status_code == 409
    unbekannt = _post(
        api_gu,
        f"/api/v1/onboardings/{onboarding.pk}/checkliste/p9_nichts",
        {"stand": "erledigt", "version": 1},
    )
    assert unbekannt.status_code == 404


def test_hurdle_is_recorded_for_many_records_and_resolved_once(onboarding, api_gu):
    zweites = Onboarding.objects.filter(zusage=onboarding.zusage).exclude(pk=onboarding.pk)[0]

    antwort = _post(
        api_gu,
        "/api/v1/huerden",
        {
            "titel": "Release XFührerschein fehlt",
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
            "schwere": "hoch",
            "onboarding_ids": [onboarding.pk, zweites.pk],
        },
    )

    assert antwort.status_code == 201, antwort.content
    huerde = antwort.json()
    assert huerde["onboarding_ids"] == sorted([onboarding.pk, zweites.pk])
    assert (
        Onboarding.objects.filter(pk__in=[onboarding.pk, zweites.pk], blockiert=True).count() == 2
    )
    assert (
        Ereignis.objects.filter(objekt_typ="onboarding.huerde", objekt_id=huerde["id"]).get().quelle
        == Quelle.API
    )

    antwort = _post(
        api_gu,
        f"/api/v1/huerden/{huerde['id']}/loesen",
        {"version": huerde["version"], "loesung": "Release 4.2 installiert"},
    )

    assert antwort.status_code == 200, antwort.content
    assert antwort.json()["stand"] == "geloest"
    assert not Onboarding.objects.filter(
        pk__in=[onboarding.pk, zweites.pk], blockiert=True
    ).exists()
    assert (
        _post(
            api_gu,
            f"/api/v1/huerden/{huerde['id']}/loesen",
            {"version": huerde["version"], "loesung": "nochmal"},
        ).status_code
        == 409
    )


def test_hurdle_for_an_invisible_record_is_404_and_for_read_only_403(
    onboarding, django_user_model, client_ministerium
):
    team = Team.objects.create(name="Team Hessen", land=Land.objects.get(kurz="HE"))
    api_team = _client(_benutzer(django_user_model, "he", rolle=Rolle.ROLLIN_TEAM, team=team))
    daten = {
        "titel": "x",
        "kategorie": "personal",
        "verantwortlich": "kommune",
        "onboarding_ids": [onboarding.pk],
    }

    assert _post(api_team, "/api/v1/huerden", daten).status_code == 404
    assert _post(client_ministerium, "/api/v1/huerden", daten).status_code == 403
    assert not Huerde.objects.filter(titel="x").exists()


def _datei(text: str, name: str = "upd.csv") -> io.BytesIO:
    datei = io.BytesIO(text.encode("utf-8"))
    datei.name = name
    return datei


def test_bulk_upload_dry_run_then_apply(onboarding, api_gu):
    text = (
        "behoerde_schluessel;ozg_id;welle;status\n"
        f"{LK_MUENCHEN};{FUEHRERSCHEIN};Welle 8;geplant\n"
        "09999;10169;x;\n"
    )

    vorschau = api_gu.post("/api/v1/massenimport?dry_run=true", {"datei": _datei(text)})

    assert vorschau.status_code == 200, vorschau.content
    daten = vorschau.json()
    assert daten["anzahl"] == {"zeilen": 2, "fehlerhaft": 1, "geaendert": 1, "unveraendert": 0}
    assert daten["zeilen"][1]["zeile"] == 3
    assert "Unbekannter Behördenschlüssel" in daten["zeilen"][1]["fehler"][0]
    assert {a["feld"] for a in daten["zeilen"][0]["aenderungen"]} == {"welle", "status"}
    assert not daten["angewendet"]

    alle = api_gu.post("/api/v1/massenimport?dry_run=false", {"datei": _datei(text)})
    assert alle.status_code == 200
    assert not alle.json()["angewendet"]
    onboarding.refresh_from_db()
    assert onboarding.welle == ""

    gute = api_gu.post(
        "/api/v1/massenimport?dry_run=false&nur_fehlerfreie=true", {"datei": _datei(text)}
    )
    assert gute.json()["angewendet"]
    onboarding.refresh_from_db()
    assert (onboarding.welle, onboarding.status) == ("Welle 8", Status.GEPLANT)
    assert _letzte_ereignisse(1)[0].quelle == Quelle.API


def test_session_write_needs_csrf_token(onboarding, gu):
    client = Client(enforce_csrf_checks=True)
    client.force_login(gu)

    antwort = _patch(client, onboarding.pk, {"version": onboarding.version, "welle": "W"})

    assert antwort.status_code == 403
    onboarding.refresh_from_db()
    assert onboarding.welle == ""


def test_schema_lists_the_write_operations(api_gu):
    pfade = api_gu.get("/api/v1/openapi.json").json()["paths"]

    assert "patch" in pfade["/api/v1/onboardings/{onboarding_id}"]
    assert "post" in pfade["/api/v1/massenimport"]
    assert "post" in pfade["/api/v1/huerden/{huerde_id}/loesen"]


def test_checklist_done_by_api_counts_for_status_rules(onboarding, api_gu):
    for punkt in onboarding.punkte.filter(phase=0):
        antwort = _post(
            api_gu,
            f"/api/v1/onboardings/{onboarding.pk}/checkliste/{punkt.code}",
            {"stand": "erledigt", "version": punkt.version},
        )
        assert antwort.status_code == 200
    aktuell = Onboarding.objects.get(pk=onboarding.pk)

    antwort = _patch(api_gu, onboarding.pk, {"version": aktuell.version, "status": "phase_1"})

    assert antwort.status_code == 200, antwort.content
    assert antwort.json()["status"] == "phase_1"
    assert (
        Checklistenpunkt.objects.filter(
            onboarding=onboarding, phase=0, stand="erledigt", erledigt_am=timezone.localdate()
        ).count()
        == onboarding.punkte.filter(phase=0).count()
    )
