"""Re-resolution task: enqueued after commit by the admin services, safe to run twice."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse

from kommunen.models import Gemeinde, Land
from leistungen.models import (
    Ebene,
    Leistung,
    Zustaendigkeit,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)
from leistungen.selectors import zustaendigkeit_am
from leistungen.services import (
    zustaendigkeitsausnahme_loeschen,
    zustaendigkeitsregel_speichern,
)
from leistungen.tasks import zustaendigkeiten_aufloesen_task

STICHTAG = dt.date(2026, 6, 30)
PULLACH = "091840139139"
DACHAU = "091740115115"


def _behoerde_name(ars: str, ozg_id: str) -> str:
    z = zustaendigkeit_am(
        gemeinde=Gemeinde.objects.get(ars=ars),
        leistung=Leistung.objects.get(ozg_id=ozg_id),
        stichtag=STICHTAG,
    )
    assert z is not None
    return z.behoerde.name


@pytest.mark.django_db
def test_gespeicherte_regel_reiht_die_aufloesung_nach_dem_commit_ein(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    regel = ZustaendigkeitsRegel.objects.get(land__kurz="BY", leistung__ozg_id="10169")
    regel.ebene = Ebene.GEMEINDE
    with mock.patch.object(zustaendigkeiten_aufloesen_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            zustaendigkeitsregel_speichern(regel=regel)
        delay.assert_not_called()  # nothing is sent before the commit
        assert len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with(land_id=regel.land_id, leistung_id=regel.leistung_id)


@pytest.mark.django_db
def test_regel_die_das_land_wechselt_loest_altes_und_neues_paar_auf(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    regel = ZustaendigkeitsRegel.objects.get(land__kurz="NI", leistung__ozg_id="10035")
    alt, neu = regel.land_id, Land.objects.get(kurz="SH").pk
    regel.land_id = neu
    with (
        mock.patch.object(zustaendigkeiten_aufloesen_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        zustaendigkeitsregel_speichern(regel=regel)
    assert {c.kwargs["land_id"] for c in delay.call_args_list} == {alt, neu}


@pytest.mark.django_db
def test_admin_speichert_regel_ueber_den_service(
    client,
    admin_user_rc,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(admin_user_rc)
    regel = ZustaendigkeitsRegel.objects.get(land__kurz="BY", leistung__ozg_id="10151")
    url = reverse("admin:leistungen_zustaendigkeitsregel_change", args=[regel.pk])
    daten = {
        "land": regel.land_id,
        "leistung": regel.leistung_id,
        "ebene": Ebene.GEMEINDE,
        "gueltig_ab": "",
        "gueltig_bis": "",
        "quelle": "geprüft",
    }
    with (
        mock.patch.object(zustaendigkeiten_aufloesen_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        antwort = client.post(url, daten)
    assert antwort.status_code == 302, antwort.content.decode()[:2000]
    assert len(callbacks) == 1
    delay.assert_called_once_with(land_id=regel.land_id, leistung_id=regel.leistung_id)
    regel.refresh_from_db()
    assert regel.ebene == Ebene.GEMEINDE


@pytest.mark.django_db
def test_admin_aktion_reiht_neuaufloesung_je_paar_ein(
    client,
    admin_user_rc,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(admin_user_rc)
    regeln = ZustaendigkeitsRegel.objects.filter(land__kurz="HE")
    with (
        mock.patch.object(zustaendigkeiten_aufloesen_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        antwort = client.post(
            reverse("admin:leistungen_zustaendigkeitsregel_changelist"),
            {"action": "neu_aufloesen", "_selected_action": [r.pk for r in regeln]},
        )
    assert antwort.status_code == 302
    assert delay.call_count == regeln.count()


@pytest.mark.django_db
def test_task_loest_geaenderte_regel_auf_und_zweiter_lauf_aendert_nichts() -> None:
    regel = ZustaendigkeitsRegel.objects.get(land__kurz="BY", leistung__ozg_id="10169")
    ZustaendigkeitsRegel.objects.filter(pk=regel.pk).update(ebene=Ebene.GEMEINDE)
    assert _behoerde_name(PULLACH, "10169") == "Landratsamt München"

    erstes = zustaendigkeiten_aufloesen_task.apply(
        kwargs={"land_id": regel.land_id, "leistung_id": regel.leistung_id}
    ).get()
    zweites = zustaendigkeiten_aufloesen_task.apply(
        kwargs={"land_id": regel.land_id, "leistung_id": regel.leistung_id}
    ).get()

    assert _behoerde_name(PULLACH, "10169") == "Gemeinde Pullach i.Isartal"
    assert erstes["geaendert"] > 0
    assert (zweites["neu"], zweites["geaendert"], zweites["geloescht"]) == (0, 0, 0)


@pytest.mark.django_db
def test_task_fuer_geloeschtes_land_ist_erledigt() -> None:
    assert zustaendigkeiten_aufloesen_task.apply(kwargs={"land_id": 0}).get() == {
        "uebersprungen": True
    }


@pytest.mark.django_db
def test_geloeschte_ausnahme_faellt_nach_der_aufloesung_auf_die_regel_zurueck(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    ausnahme = ZustaendigkeitsAusnahme.objects.get(
        behoerde__schluessel=DACHAU, leistung__ozg_id="10519"
    )
    assert _behoerde_name(DACHAU, "10519") == "Stadt Dachau"
    ausnahme_id, land_id = ausnahme.pk, ausnahme.behoerde.land_id
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        zustaendigkeitsausnahme_loeschen(ausnahme=ausnahme)
    assert len(callbacks) == 1
    assert not ZustaendigkeitsAusnahme.objects.filter(pk=ausnahme_id).exists()
    assert not Zustaendigkeit.objects.filter(ausnahme_id=ausnahme_id).exists()
    zustaendigkeiten_aufloesen_task.apply(
        kwargs={"land_id": land_id, "leistung_id": ausnahme.leistung_id}
    ).get()
    assert _behoerde_name(DACHAU, "10519") == "Landratsamt Dachau"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not settings.REDIS_URL, reason="braucht Redis (REDIS_URL)")
def test_echter_worker_fuehrt_die_aufloesung_aus() -> None:
    from celery.contrib.testing.worker import start_worker

    from rollout.celery import app

    regel = ZustaendigkeitsRegel.objects.get(land__kurz="BY", leistung__ozg_id="10151")
    ZustaendigkeitsRegel.objects.filter(pk=regel.pk).update(ebene=Ebene.GEMEINDE)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        ergebnis = zustaendigkeiten_aufloesen_task.delay(
            land_id=regel.land_id, leistung_id=regel.leistung_id
        ).get(timeout=120)
    assert ergebnis["geaendert"] > 0
    assert _behoerde_name(PULLACH, "10151") == "Gemeinde Pullach i.Isartal"


@pytest.mark.django_db
def test_admin_lehnt_ueberlappende_regel_ab_ohne_einzureihen(
    client,
    admin_user_rc,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client.force_login(admin_user_rc)
    regel = ZustaendigkeitsRegel.objects.get(land__kurz="HE", leistung__ozg_id="10124")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        antwort = client.post(
            reverse("admin:leistungen_zustaendigkeitsregel_add"),
            {
                "land": regel.land_id,
                "leistung": regel.leistung_id,
                "ebene": Ebene.KREIS,
                "gueltig_ab": "01.01.2027",
                "gueltig_bis": "",
                "quelle": "",
            },
        )
    assert antwort.status_code == 200
    assert "Überschneidet sich" in antwort.content.decode()
    assert callbacks == []
    regeln = ZustaendigkeitsRegel.objects.filter(land=regel.land, leistung=regel.leistung)
    assert regeln.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "modell",
    [
        "leistung",
        "behoerde",
        "zustaendigkeitsregel",
        "zustaendigkeitsausnahme",
        "zustaendigkeit",
        "programmteilnahme",
        "zusage",
    ],
)
def test_admin_listen_der_leistungen_oeffnen(client, admin_user_rc, modell: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin_user_rc)
    assert client.get(reverse(f"admin:leistungen_{modell}_changelist")).status_code == 200


@pytest.mark.django_db
def test_admin_zustaendigkeit_ist_nur_lesbar(client, admin_user_rc) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin_user_rc)
    z = Zustaendigkeit.objects.first()
    assert client.get(reverse("admin:leistungen_zustaendigkeit_add")).status_code == 403
    antwort = client.post(reverse("admin:leistungen_zustaendigkeit_change", args=[z.pk]), {})
    assert antwort.status_code == 403
