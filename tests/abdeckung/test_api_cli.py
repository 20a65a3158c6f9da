"""``GET /api/v1/coverage`` and ``manage.py coverage`` / ``abdeckung_nachtragen``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from abdeckung.models import Abdeckungsstand
from abdeckung.services import abdeckung_aktualisieren
from accounts.models import Rolle
from kommunen.models import Land
from tests.abdeckung.helfer import onboarding, status_setzen
from tests.onboarding.helfer import admin, user

pytestmark = pytest.mark.django_db

URL = "/api/v1/coverage"


@pytest.fixture
def kelheim_fuehrerschein_live() -> None:
    status_setzen(onboarding("09273", "10169"), "live", user=admin())
    abdeckung_aktualisieren()


def _client(u) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(u)
    return client


def test_anonymous_gets_401(client_anon: Client) -> None:
    antwort = client_anon.get(URL, {"land": "BY"})
    assert antwort.status_code == 401


@pytest.mark.usefixtures("kelheim_fuehrerschein_live")
def test_coverage_carries_numerator_and_denominator(client_ministerium: Client) -> None:
    antwort = client_ministerium.get(URL, {"land": "BY", "leistung": "10169"})
    assert antwort.status_code == 200
    (zeile,) = antwort.json()
    assert zeile["land"] == {"kurz": "BY", "name": "Bayern"}
    assert zeile["leistung"]["ozg_id"] == "10169"
    assert zeile["kreis"] is None
    assert zeile["behoerden"]["zaehler"] == 1
    assert zeile["behoerden"]["nenner"] == 96  # 71 Landratsämter + 25 kreisfreie Städte
    assert zeile["bevoelkerung"] == {
        "zaehler": 126_037,
        "nenner": 13_248_928,
        "quote": 0.95,  # 0.9512… % cut
        "text": "0,95 %",
        "flaechendeckend": False,
    }
    assert zeile["quelle"] == "aktuell"
    assert zeile["stand"]


@pytest.mark.usefixtures("kelheim_fuehrerschein_live")
def test_kreis_filter_gives_the_kreis_row(client_ministerium: Client) -> None:
    antwort = client_ministerium.get(URL, {"kreis": "09273", "leistung": "10169"})
    (zeile,) = antwort.json()
    assert zeile["kreis"] == {"ars": "09273", "name": "Kelheim"}
    assert zeile["gemeinden"]["zaehler"] == zeile["gemeinden"]["nenner"] == 24
    assert zeile["bevoelkerung"]["flaechendeckend"] is True
    assert zeile["bevoelkerung"]["text"] == "100,00 % (flächendeckend)"


def test_without_filters_all_committed_pairs_are_listed(client_ministerium: Client) -> None:
    zeilen = client_ministerium.get(URL).json()
    assert {(z["land"]["kurz"], z["leistung"]["ozg_id"]) for z in zeilen} == {
        ("BY", o) for o in ("10124", "10169", "10519", "10255", "10151")
    } | {("HE", o) for o in ("10124", "10169", "10255", "10035", "10462")}


def test_stand_in_the_past_is_computed_from_the_history(client_ministerium: Client) -> None:
    zeilen = client_ministerium.get(URL, {"land": "HE", "stand": "2026-01-20"}).json()
    assert zeilen == []  # before the commitment of 21 Jan 2026
    (zeile,) = client_ministerium.get(
        URL, {"land": "HE", "leistung": "10124", "stand": "2026-02-01"}
    ).json()
    assert zeile["stichtag"] == "2026-02-01"
    assert zeile["quelle"] == "berechnet"
    assert zeile["behoerden"]["nenner"] == 421


@pytest.mark.parametrize(
    ("parameter", "meldung"),
    [
        ({"stand": "2026-13-01"}, "Ungültige Anfrage"),
        ({"stand": "2099-01-01"}, "Zukunft"),
        ({"land": "XX"}, "Unbekanntes Land"),
        ({"leistung": "99999"}, "Unbekannte Leistung"),
        ({"kreis": "99999"}, "Unbekannter Kreis"),
        ({"land": "HE", "kreis": "09273"}, "liegt nicht in"),
    ],
)
def test_invalid_parameters_answer_422(
    client_ministerium: Client, parameter: dict, meldung: str
) -> None:
    antwort = client_ministerium.get(URL, parameter)
    assert antwort.status_code == 422
    assert meldung in antwort.json()["detail"]


def test_hessian_viewer_sees_only_hessen() -> None:
    hesse = _client(user("he-lesend", Rolle.MINISTERIUM, land=Land.objects.get(kurz="HE")))
    zeilen = hesse.get(URL).json()
    assert zeilen
    assert {z["land"]["kurz"] for z in zeilen} == {"HE"}
    # Bayern is outside the scope: 404 (as if it did not exist), also via a Bavarian Kreis.
    assert hesse.get(URL, {"land": "BY"}).status_code == 404
    assert hesse.get(URL, {"kreis": "09273"}).status_code == 404


def test_command_prints_a_table_and_json() -> None:
    status_setzen(onboarding("09273", "10169"), "live", user=admin())
    ausgabe = io.StringIO()
    call_command(
        "coverage",
        "--land",
        "BY",
        "--leistung",
        "10169",
        "--aktualisieren",
        stdout=ausgabe,
        stderr=io.StringIO(),
    )
    text = ausgabe.getvalue()
    assert "Behörden" in text
    assert "1/96 1,04 %" in text  # 1 / 96 = 1.0416…
    assert "126037/13248928 0,95 %" in text

    ausgabe = io.StringIO()
    call_command(
        "coverage", "--kreis", "09273", "--leistung", "10169", "--format", "json", stdout=ausgabe
    )
    (zeile,) = json.loads(ausgabe.getvalue())
    assert zeile["behoerden"] == {
        "zaehler": 1,
        "nenner": 1,
        "quote": 100.0,
        "text": "100,00 % (flächendeckend)",
        "flaechendeckend": True,
    }


def test_command_past_stand_and_errors() -> None:
    ausgabe = io.StringIO()
    call_command(
        "coverage", "--land", "HE", "--stand", "2026-02-01", "--format", "json", stdout=ausgabe
    )
    zeilen = json.loads(ausgabe.getvalue())
    assert {z["stichtag"] for z in zeilen} == {"2026-02-01"}
    with pytest.raises(CommandError, match="kein Datum"):
        call_command("coverage", "--stand", "01.02.2026")
    with pytest.raises(CommandError, match="Zukunft"):
        call_command("coverage", "--stand", "2099-01-01")
    with pytest.raises(CommandError, match="Unbekanntes Land"):
        call_command("coverage", "--land", "XX")


def test_backfill_command_stores_daily_and_sunday_snapshots() -> None:
    ausgabe = io.StringIO()
    call_command(
        "abdeckung_nachtragen", "--von", "2026-03-01", "--bis", "2026-03-03", stdout=ausgabe
    )
    assert "Tage: 3, Stichtage: 1" in ausgabe.getvalue()
    assert Abdeckungsstand.objects.filter(art="taeglich", kreis__isnull=True).count() == 3 * 10
    assert Abdeckungsstand.objects.filter(art="stichtag", kreis__isnull=True).count() == 10
    with pytest.raises(CommandError, match="kein Datum"):
        call_command("abdeckung_nachtragen", "--von", "gestern", "--bis", "2026-03-03")
    with pytest.raises(CommandError, match="vor"):
        call_command("abdeckung_nachtragen", "--von", "2026-03-03", "--bis", "2026-03-01")
