"""The read API /api/v1/: authentication, Gemeinden, Behörden, Leistungen, Zusagen, schema."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_erstellen, api_token_widerrufen
from kommunen.models import Gemeinde
from leistungen.models import Behoerde, Leistung, Zusage

pytestmark = pytest.mark.django_db

PULLACH = "091840139139"
LANDKREIS_MUENCHEN = "09184"
FUEHRERSCHEIN = "10169"

ENDPUNKTE = [
    "/api/v1/openapi.json",
    f"/api/v1/gemeinden/{PULLACH}",
    "/api/v1/gemeinden",
    f"/api/v1/behoerden/{LANDKREIS_MUENCHEN}",
    "/api/v1/behoerden",
    "/api/v1/leistungen",
    "/api/v1/zusagen",
]


@pytest.fixture
def token_key(ministerium_user) -> str:
    _, key = api_token_erstellen(user=ministerium_user, name="Test")
    return key


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# --- Authentication -------------------------------------------------------------------


@pytest.mark.parametrize("url", ENDPUNKTE)
def test_anonymous_request_gets_401_json_in_german(client_anon: Client, url: str):
    response = client_anon.get(url)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "Nicht angemeldet" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("url", ENDPUNKTE)
def test_token_authenticates_every_endpoint(client_anon: Client, token_key: str, url: str):
    response = client_anon.get(url, headers=_bearer(token_key))

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("url", ENDPUNKTE)
def test_session_authenticates_every_endpoint(client_ministerium: Client, url: str):
    assert client_ministerium.get(url).status_code == 200


def test_token_use_is_recorded(client_anon: Client, ministerium_user, token_key: str):
    token = ApiToken.objects.get(user=ministerium_user)
    assert token.last_used_at is None

    client_anon.get("/api/v1/leistungen", headers=_bearer(token_key))

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timezone.timedelta(minutes=1)


def test_revoked_token_is_rejected(client_anon: Client, ministerium_user, token_key: str):
    api_token_widerrufen(token=ApiToken.objects.get(user=ministerium_user))

    response = client_anon.get("/api/v1/leistungen", headers=_bearer(token_key))

    assert response.status_code == 401


def test_token_of_inactive_user_is_rejected(client_anon: Client, ministerium_user, token_key):
    ministerium_user.is_active = False
    ministerium_user.save()

    response = client_anon.get("/api/v1/leistungen", headers=_bearer(token_key))

    assert response.status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rc_falsch",
        "Bearer ",
        "Token rc_falsch",
        "Bearer " + "x" * 5000,
    ],
)
def test_wrong_or_malformed_token_is_rejected(client_anon: Client, token_key: str, header: str):
    response = client_anon.get("/api/v1/leistungen", headers={"Authorization": header})

    assert response.status_code == 401


def test_token_hash_is_not_accepted_as_key(client_anon: Client, ministerium_user, token_key):
    token = ApiToken.objects.get(user=ministerium_user)

    response = client_anon.get("/api/v1/leistungen", headers=_bearer(token.key_hash))

    assert response.status_code == 401


def test_api_is_read_only(client_ministerium: Client):
    response = client_ministerium.post("/api/v1/leistungen", {})

    assert response.status_code == 405


# --- Gemeinden ------------------------------------------------------------------------


def test_gemeinde_detail_lists_fuehrerschein_at_landratsamt_muenchen(client_ministerium):
    response = client_ministerium.get(f"/api/v1/gemeinden/{PULLACH}")

    assert response.status_code == 200
    data = response.json()
    assert data["ars"] == PULLACH
    assert data["ags"] == "09184139"
    assert data["name"].startswith("Pullach")
    assert data["land"] == "BY"
    assert data["kreis"] == {"ars": LANDKREIS_MUENCHEN, "name": data["kreis"]["name"]}
    assert "München" in data["kreis"]["name"]
    assert data["einwohner"] > 0
    assert data["stand"] == timezone.localdate().isoformat()

    nach_ozg = {z["leistung"]["ozg_id"]: z for z in data["zustaendigkeiten"]}
    fuehrerschein = nach_ozg[FUEHRERSCHEIN]
    assert fuehrerschein["behoerde"]["schluessel"] == LANDKREIS_MUENCHEN
    assert fuehrerschein["behoerde"]["name"] == "Landratsamt München"
    assert fuehrerschein["behoerde"]["art"] == "kreis"
    assert fuehrerschein["regel"]["ebene"] == "kreis"
    assert fuehrerschein["ausnahme"] is None
    assert fuehrerschein["erklaerung"]


def test_gemeinde_detail_lists_every_service_committed_by_its_land(client_ministerium):
    data = client_ministerium.get(f"/api/v1/gemeinden/{PULLACH}").json()

    zugesagt = set(
        Zusage.objects.filter(land__kurz="BY").values_list("leistung__ozg_id", flat=True)
    )
    assert {z["leistung"]["ozg_id"] for z in data["zustaendigkeiten"]} == zugesagt
    # Pullach is its own Meldebehörde: a Gemeinde-level rule, not the Landratsamt.
    ummeldung = next(z for z in data["zustaendigkeiten"] if z["leistung"]["ozg_id"] == "10124")
    assert ummeldung["behoerde"]["schluessel"] == PULLACH


def test_gemeinde_detail_for_unknown_ars_is_404_json(client_ministerium):
    response = client_ministerium.get("/api/v1/gemeinden/000000000000")

    assert response.status_code == 404
    assert "000000000000" in response.json()["detail"]
    assert "Keine Gemeinde" in response.json()["detail"]


def test_gemeinde_detail_accepts_a_stand(client_ministerium):
    response = client_ministerium.get(f"/api/v1/gemeinden/{PULLACH}?stand=2026-06-30")

    assert response.status_code == 200
    assert response.json()["stand"] == "2026-06-30"
    assert response.json()["zustaendigkeiten"]


@pytest.mark.parametrize("stand", ["kaputt", "2026-13-01", "30.06.2026"])
def test_gemeinde_detail_rejects_a_malformed_stand(client_ministerium, stand: str):
    response = client_ministerium.get(f"/api/v1/gemeinden/{PULLACH}", {"stand": stand})

    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Ungültige Anfrage")
    assert body["fehler"][0]["loc"][-1] == "stand"


@pytest.mark.parametrize("mit_token", [True, False], ids=["token", "sitzung"])
def test_gemeinde_detail_query_count_is_pinned(
    client_anon, client_ministerium, token_key, django_assert_max_num_queries, mit_token
):
    # Authentication: token lookup + last-use UPDATE, or session + user. Then the Gemeinde,
    # the Land's commitments and the resolved responsibilities: one query each.
    client, headers = (client_anon, _bearer(token_key)) if mit_token else (client_ministerium, {})
    with django_assert_max_num_queries(5):
        response = client.get(f"/api/v1/gemeinden/{PULLACH}", headers=headers)
    assert response.status_code == 200
    assert len(response.json()["zustaendigkeiten"]) == 5


def test_gemeinden_list_filters_by_land_and_kreis(client_ministerium):
    response = client_ministerium.get(
        "/api/v1/gemeinden", {"land": "BY", "kreis": LANDKREIS_MUENCHEN, "limit": 1000}
    )

    assert response.status_code == 200
    data = response.json()
    erwartet = list(
        Gemeinde.objects.aktuell()
        .filter(kreis__ars=LANDKREIS_MUENCHEN)
        .order_by("ars")
        .values_list("ars", flat=True)
    )
    assert data["count"] == len(erwartet)
    assert [g["ars"] for g in data["items"]] == erwartet
    assert PULLACH in erwartet
    assert all(g["land"] == "BY" for g in data["items"])
    assert all(g["kreis"]["ars"] == LANDKREIS_MUENCHEN for g in data["items"])


def test_gemeinden_list_land_filter_excludes_other_laender(client_ministerium):
    data = client_ministerium.get("/api/v1/gemeinden", {"land": "he", "limit": 1}).json()

    assert data["count"] == Gemeinde.objects.aktuell().filter(land__kurz="HE").count()
    assert data["items"][0]["land"] == "HE"


def test_gemeinden_list_searches_names_without_umlauts_and_by_key(client_ministerium):
    nach_name = client_ministerium.get("/api/v1/gemeinden", {"q": "pullach i. isartal"}).json()
    nach_ags = client_ministerium.get("/api/v1/gemeinden", {"q": "09184139"}).json()

    assert [g["ars"] for g in nach_name["items"]] == [PULLACH]
    assert [g["ars"] for g in nach_ags["items"]] == [PULLACH]


def test_gemeinden_list_paginates(client_ministerium):
    erste = client_ministerium.get("/api/v1/gemeinden", {"land": "BY", "limit": 5}).json()
    zweite = client_ministerium.get(
        "/api/v1/gemeinden", {"land": "BY", "limit": 5, "offset": 5}
    ).json()

    erwartet = list(
        Gemeinde.objects.aktuell()
        .filter(land__kurz="BY")
        .order_by("ars")
        .values_list("ars", flat=True)[:10]
    )
    assert [g["ars"] for g in erste["items"] + zweite["items"]] == erwartet
    assert erste["count"] == zweite["count"] > 2000


def test_gemeinden_list_default_page_is_bounded(client_ministerium):
    data = client_ministerium.get("/api/v1/gemeinden").json()

    assert len(data["items"]) == 100
    assert data["count"] == Gemeinde.objects.aktuell().count()


@pytest.mark.parametrize(
    "params",
    [{"limit": 1001}, {"limit": 0}, {"offset": -1}, {"kreis": "9184"}, {"land": "XX"}],
)
def test_gemeinden_list_rejects_bad_parameters(client_ministerium, params):
    response = client_ministerium.get("/api/v1/gemeinden", params)

    assert response.status_code == 422
    assert response.json()["detail"]


# --- Behörden -------------------------------------------------------------------------


def test_behoerde_detail_lists_served_gemeinden_per_service(client_ministerium):
    response = client_ministerium.get(f"/api/v1/behoerden/{LANDKREIS_MUENCHEN}")

    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Landratsamt München"
    assert data["art"] == "kreis"
    assert data["land"] == "BY"
    fuehrerschein = next(z for z in data["leistungen"] if z["leistung"]["ozg_id"] == FUEHRERSCHEIN)
    ars = [g["ars"] for g in fuehrerschein["gemeinden"]]
    assert PULLACH in ars
    gemeindefrei = [g for g in fuehrerschein["gemeinden"] if g["typ"] in ("65", "66")]
    # Landkreis München has gemeindefreie Gebiete (forests): listed, but counted apart.
    assert gemeindefrei
    assert fuehrerschein["anzahl_gemeindefreie"] == len(gemeindefrei)
    assert fuehrerschein["anzahl_gemeinden"] == len(ars) - len(gemeindefrei)
    assert fuehrerschein["einwohner"] == sum(g["einwohner"] for g in fuehrerschein["gemeinden"])
    assert fuehrerschein["zugesagt"] is True
    kreis_gemeinden = set(
        Gemeinde.objects.aktuell()
        .filter(kreis__ars=LANDKREIS_MUENCHEN)
        .values_list("ars", flat=True)
    )
    # The Landratsamt issues driving licences for the whole Landkreis.
    assert set(ars) == kreis_gemeinden


def test_behoerde_detail_for_unknown_key_is_404_json(client_ministerium):
    response = client_ministerium.get("/api/v1/behoerden/99999")

    assert response.status_code == 404
    assert "99999" in response.json()["detail"]


def test_behoerden_list_filters_by_land_art_and_pilot(client_ministerium):
    landratsaemter = client_ministerium.get(
        "/api/v1/behoerden", {"land": "BY", "art": "kreis", "limit": 1000}
    ).json()
    piloten = client_ministerium.get(
        "/api/v1/behoerden", {"land": "BY", "pilot": "true", "limit": 1000}
    ).json()

    # Bayern has 71 Landratsämter (domain brief, gesichert).
    assert landratsaemter["count"] == 71
    assert {b["art"] for b in landratsaemter["items"]} == {"kreis"}
    assert LANDKREIS_MUENCHEN in {b["schluessel"] for b in landratsaemter["items"]}
    erwartet = set(
        Behoerde.objects.aktuell()
        .filter(land__kurz="BY", ist_pilot=True)
        .values_list("schluessel", flat=True)
    )
    assert erwartet
    assert {b["schluessel"] for b in piloten["items"]} == erwartet
    assert all(b["ist_pilot"] for b in piloten["items"])


def test_behoerden_list_rejects_unknown_art(client_ministerium):
    response = client_ministerium.get("/api/v1/behoerden", {"art": "ministerium"})

    assert response.status_code == 422


# --- Leistungen und Zusagen -----------------------------------------------------------


def test_leistungen_have_their_leika_keys(client_ministerium):
    data = client_ministerium.get("/api/v1/leistungen").json()

    nach_ozg = {leistung["ozg_id"]: leistung for leistung in data}
    assert set(nach_ozg) == set(Leistung.objects.values_list("ozg_id", flat=True))
    assert "99023002000000" in {k["schluessel"] for k in nach_ozg[FUEHRERSCHEIN]["leika"]}


def test_zusagen_filter_by_land(client_ministerium):
    alle = client_ministerium.get("/api/v1/zusagen").json()
    hessen = client_ministerium.get("/api/v1/zusagen", {"land": "HE"}).json()

    assert len(alle) == Zusage.objects.count()
    assert {z["land"] for z in hessen} == {"HE"}
    ozg = {z["leistung"]["ozg_id"] for z in hessen}
    # Hessen committed Unterhaltsvorschuss but not the Bauantrag (domain brief).
    assert "10035" in ozg
    assert "10519" not in ozg
    assert all(z["frist"] == "2026-12-31" for z in hessen)


# --- Schema ---------------------------------------------------------------------------


def test_openapi_schema_is_openapi_3_with_all_paths_and_bearer(client_ministerium):
    response = client_ministerium.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"] == {
        "title": "Rollout-Cockpit API",
        "version": "1",
        "description": schema["info"]["description"],
    }
    assert set(schema["paths"]) == {
        "/api/v1/gemeinden",
        "/api/v1/gemeinden/{ars}",
        "/api/v1/behoerden",
        "/api/v1/behoerden/{schluessel}",
        "/api/v1/leistungen",
        "/api/v1/zusagen",
        "/api/v1/onboardings",
        "/api/v1/onboardings/{onboarding_id}",
        "/api/v1/onboardings/{onboarding_id}/checkliste/{code}",
        "/api/v1/huerden",
        "/api/v1/huerden/{huerde_id}/loesen",
        "/api/v1/massenimport",
        "/api/v1/coverage",
    }
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(
        s for s in schemes.values() if s.get("scheme") == "bearer"
    ).items()
    for path in schema["paths"].values():
        for operation in path.values():
            security = operation["security"]
            assert {name for entry in security for name in entry} == set(schemes)


def test_no_docs_page_loading_assets_from_a_cdn(client_ministerium):
    assert client_ministerium.get("/api/v1/docs").status_code == 404
