"""Coverage tasks and their scheduling hook (without a worker; see test_worker.py)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
import redis
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from django.db import OperationalError, transaction

from abdeckung import tasks
from abdeckung.models import Abdeckungsstand
from abdeckung.tasks import (
    BUENDELN_SEKUNDEN,
    abdeckung_aktualisieren_task,
    abdeckung_stichtag_task,
    abdeckung_tagesstand_task,
    abdeckung_vormerken,
    marker_schluessel,
)
from accounts.models import Rolle
from audit.models import Quelle
from onboarding.models import Onboarding
from onboarding.services import onboarding_aktualisieren
from rollout.celery import app

braucht_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="braucht Redis (REDIS_URL)")


@pytest.fixture
def user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username="tasks", password="x-123-abc", rolle=Rolle.ADMINISTRATION
    )


def _rp(nummer: int = 0) -> Onboarding:
    return list(
        Onboarding.objects.filter(
            zusage__land__kurz="HE", leistung__ozg_id="10462", geschlossen_am__isnull=True
        ).order_by("behoerde__schluessel")
    )[nummer]


def _live(o: Onboarding, user: Any) -> Onboarding:
    o = Onboarding.objects.get(pk=o.pk)
    return onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=user,
        version=o.version,
        daten={"status": "live", "baseline": True},
        quelle=Quelle.UI,
    )


def _gespeichert(art: str = "aktuell") -> list[tuple[Any, ...]]:
    """The stored figures without their computation time."""
    return list(
        Abdeckungsstand.objects.filter(art=art)
        .order_by("stichtag", "land_id", "leistung_id", "kreis_id")
        .values_list(
            "stichtag",
            "land_id",
            "leistung_id",
            "kreis_id",
            "behoerden_live",
            "behoerden_gesamt",
            "gemeinden_live",
            "gemeinden_gesamt",
            "einwohner_live",
            "einwohner_gesamt",
            "status_zaehlung",
            "blockiert",
        )
    )


def _he_bimschg() -> Abdeckungsstand:
    return Abdeckungsstand.objects.get(
        art="aktuell", land__kurz="HE", leistung__ozg_id="10462", kreis__isnull=True
    )


@pytest.fixture
def marker_frei() -> Any:
    """No "already scheduled" marker of an earlier run in the shared Redis."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(marker_schluessel(), marker_schluessel(voll=True))
    yield client
    client.delete(marker_schluessel(), marker_schluessel(voll=True))


@contextmanager
def _eager(wert: bool) -> Iterator[None]:
    alt = app.conf.task_always_eager
    app.conf.task_always_eager = wert
    try:
        yield
    finally:
        app.conf.task_always_eager = alt


# --- the hook ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_statuswechsel_reiht_nach_dem_commit_einen_lauf_ein(
    user,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with mock.patch.object(tasks, "_einreihen") as einreihen:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _live(_rp(), user)
        einreihen.assert_not_called()  # nothing before the commit
        assert [c.__name__ for c in callbacks] == ["_nach_commit_inkrementell"]
        callbacks[0]()
    einreihen.assert_called_once_with(voll=False)


@pytest.mark.django_db
def test_viele_aenderungen_in_einer_transaktion_planen_einen_lauf(
    user,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for n in range(3):
            _live(_rp(n), user)
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_aenderung_ohne_statuswechsel_plant_nichts(
    user,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    o = _rp()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        onboarding_aktualisieren(
            onboarding_id=o.pk, user=user, version=o.version, daten={"welle": "1"}, quelle="ui"
        )
    assert callbacks == []


@braucht_redis
@pytest.mark.django_db
def test_buendelt_eine_welle_von_aenderungen_zu_einem_verzoegerten_lauf(marker_frei) -> None:  # type: ignore[no-untyped-def]
    with mock.patch.object(abdeckung_aktualisieren_task, "apply_async") as apply_async:
        ergebnisse = [tasks._einreihen(voll=False) for _ in range(5)]
    assert ergebnisse == [True, False, False, False, False]
    apply_async.assert_called_once_with(
        kwargs={"voll": False}, countdown=BUENDELN_SEKUNDEN, retry=False
    )
    assert 0 < marker_frei.ttl(marker_schluessel()) <= tasks.MARKER_SEKUNDEN


@braucht_redis
@pytest.mark.django_db
def test_lauf_loescht_die_marke_damit_spaetere_aenderungen_neu_planen(marker_frei) -> None:  # type: ignore[no-untyped-def]
    with mock.patch.object(abdeckung_aktualisieren_task, "apply_async"):
        assert tasks._einreihen(voll=False)
        abdeckung_aktualisieren_task.apply().get()
        assert tasks._einreihen(voll=False)


@pytest.mark.django_db
def test_redis_weg_aenderung_gespeichert_und_warnung(
    user, caplog, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    alt = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        with (
            caplog.at_level(logging.WARNING, logger="abdeckung.tasks"),
            _eager(False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            o = _live(_rp(), user)
    finally:
        app.conf.broker_url = alt
    assert Onboarding.objects.get(pk=o.pk).status == "live"
    assert "nicht eingereiht" in caplog.text


@pytest.mark.django_db
def test_eingebettet_laeuft_die_neuberechnung_im_prozess(
    user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    abdeckung_aktualisieren_task.apply(kwargs={"voll": True}).get()
    assert _he_bimschg().behoerden_live == 0
    with (
        _eager(True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _live(_rp(), user)
    assert _he_bimschg().behoerden_live == 1


@pytest.mark.django_db
def test_ausgesetzt_plant_nichts(user, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with tasks.vormerken_ausgesetzt(), django_capture_on_commit_callbacks() as callbacks:
        _live(_rp(), user)
        abdeckung_vormerken()
    assert callbacks == []


# --- the tasks ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_zweimal_ausgefuehrt_gleiches_gespeichertes_ergebnis(user) -> None:  # type: ignore[no-untyped-def]
    abdeckung_aktualisieren_task.apply(kwargs={"voll": True}).get()
    _live(_rp(), user)
    abdeckung_aktualisieren_task.apply().get()
    erstes = _gespeichert()
    abdeckung_aktualisieren_task.apply().get()
    abdeckung_aktualisieren_task.apply(kwargs={"voll": True}).get()
    assert _gespeichert() == erstes
    assert _he_bimschg().behoerden_live == 1


def test_tasks_spaet_quittiert_mit_zeitlimits_und_nur_transienten_wiederholungen() -> None:
    for task in (
        abdeckung_aktualisieren_task,
        tasks.abdeckung_voll_task,
        abdeckung_tagesstand_task,
        abdeckung_stichtag_task,
    ):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
        assert 0 < task.soft_time_limit < task.time_limit
        assert OperationalError in task.autoretry_for
        assert Exception not in task.autoretry_for
        assert ValueError not in task.autoretry_for
        assert task.max_retries == 5


@pytest.mark.django_db
def test_transienter_fehler_wird_wiederholt_anderer_nicht() -> None:
    with (
        mock.patch(
            "abdeckung.services.abdeckung_aktualisieren", side_effect=OperationalError("weg")
        ),
        mock.patch.object(abdeckung_aktualisieren_task, "retry", side_effect=Retry()) as retry,
    ):
        abdeckung_aktualisieren_task.apply(throw=False)
    assert retry.call_count == 1
    assert isinstance(retry.call_args.kwargs["exc"], OperationalError)
    with (
        mock.patch("abdeckung.services.abdeckung_aktualisieren", side_effect=ValueError("x")),
        mock.patch.object(abdeckung_aktualisieren_task, "retry", side_effect=Retry()) as retry,
    ):
        ergebnis = abdeckung_aktualisieren_task.apply(throw=False)
    assert ergebnis.state == "FAILURE"
    retry.assert_not_called()


@pytest.mark.django_db
def test_stichtag_friert_den_sonntag_ein_und_ist_wiederholbar() -> None:
    montag = dt.date(2026, 6, 29)
    with mock.patch("django.utils.timezone.localdate", return_value=montag):
        ergebnis = abdeckung_stichtag_task.apply().get()
    assert ergebnis["stichtag"] == "2026-06-28"
    erstes = _gespeichert("stichtag")
    assert erstes
    assert {z[0] for z in erstes} == {dt.date(2026, 6, 28)}
    abdeckung_stichtag_task.apply(kwargs={"stichtag": "2026-06-28"}).get()
    assert _gespeichert("stichtag") == erstes


@pytest.mark.django_db
def test_tagesstand_speichert_gestern_und_holt_fehlende_tage_nach() -> None:
    heute = dt.date(2026, 7, 3)
    with mock.patch("django.utils.timezone.localdate", return_value=heute):
        ergebnis = abdeckung_tagesstand_task.apply(kwargs={"nachholen_tage": 2}).get()
    assert ergebnis["tage"] == ["2026-06-30", "2026-07-01", "2026-07-02"]
    tage = {z[0] for z in _gespeichert("taeglich")}
    assert tage == {dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2026, 7, 2)}
    with mock.patch("django.utils.timezone.localdate", return_value=heute):
        ergebnis = abdeckung_tagesstand_task.apply(kwargs={"nachholen_tage": 2}).get()
    assert ergebnis["tage"] == ["2026-07-02"]  # the days before exist now


def test_zeitplaene_mit_stabilen_namen_in_berliner_zeit() -> None:
    plan = app.conf.beat_schedule
    assert app.conf.timezone == "Europe/Berlin"
    erwartet = {
        "abdeckung-voll-naechtlich": ("abdeckung.voll_neu_berechnen", crontab(hour=2, minute=30)),
        "abdeckung-tagesstand": ("abdeckung.tagesstand", crontab(hour=2, minute=45)),
        "abdeckung-stichtag-woechentlich": (
            "abdeckung.stichtag",
            crontab(hour=0, minute=0, day_of_week="mon"),
        ),
    }
    for name, (task, zeitplan) in erwartet.items():
        assert plan[name]["task"] == task
        assert plan[name]["schedule"] == zeitplan
        assert task in app.tasks
