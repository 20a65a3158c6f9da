"""The coverage recomputation on a REAL Celery worker and a REAL Redis.

(a) a change through the onboarding service reaches the stored ``aktuell`` figures;
(b) a worker killed (SIGKILL) in the middle of a run leaves nothing half-done, the message
    is delivered again to a new worker and the result equals a clean full recomputation;
(c) with Redis stopped an edit is still saved (warning logged), and a later run catches up.

(b) and (c) start their own worker process / Redis server and stop them by PID; the shared
Redis at REDIS_URL is never stopped.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection

from abdeckung.models import Abdeckungsstand, Verarbeitungsstand
from abdeckung.services import abdeckung_aktualisieren
from abdeckung.tasks import (
    PAUSE_ENV,
    abdeckung_aktualisieren_task,
    marker_schluessel,
    vormerken_ausgesetzt,
)
from accounts.models import Rolle
from audit.models import Quelle
from onboarding.models import Onboarding
from onboarding.services import onboarding_aktualisieren
from rollout.celery import app
from tests.celery_worker import MARKER, warten

ROOT = Path(__file__).resolve().parents[2]

pytestmark = MARKER


@pytest.fixture
def user(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username="worker", password="x-123-abc", rolle=Rolle.ADMINISTRATION
    )


@pytest.fixture(autouse=True)
def _marker_frei() -> Iterator[None]:
    client = redis.Redis.from_url(str(app.conf.broker_url))
    client.delete(marker_schluessel(), marker_schluessel(voll=True))
    yield
    client.delete(marker_schluessel(), marker_schluessel(voll=True))


def _rps() -> list[Onboarding]:
    return list(
        Onboarding.objects.filter(
            zusage__land__kurz="HE", leistung__ozg_id="10462", geschlossen_am__isnull=True
        ).order_by("behoerde__schluessel")
    )


def _live(o: Onboarding, user: Any) -> None:
    o = Onboarding.objects.get(pk=o.pk)
    onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=user,
        version=o.version,
        daten={"status": "live", "baseline": True},
        quelle=Quelle.UI,
    )


def _he_live() -> int | None:
    zeile = Abdeckungsstand.objects.filter(
        art="aktuell", land__kurz="HE", leistung__ozg_id="10462", kreis__isnull=True
    ).first()
    return None if zeile is None else zeile.behoerden_live


def _gespeichert() -> list[tuple[Any, ...]]:
    return list(
        Abdeckungsstand.objects.filter(art="aktuell")
        .order_by("land_id", "leistung_id", "kreis_id")
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


# --- (a) ---------------------------------------------------------------------------------


def test_aenderung_ueber_den_service_erreicht_die_gespeicherte_abdeckung(user) -> None:  # type: ignore[no-untyped-def]
    abdeckung_aktualisieren(voll=True)
    assert _he_live() == 0
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        _live(_rps()[0], user)  # commits at once; the hook enqueues after the commit
        warten(lambda: _he_live() == 1, sekunden=60, was="1 Behörde live gespeichert")
        _live(_rps()[1], user)
        _live(_rps()[2], user)
        warten(lambda: _he_live() == 3, sekunden=60, was="3 Behörden live gespeichert")


# --- (b) ---------------------------------------------------------------------------------


_PROZESSE: dict[int, subprocess.Popen[bytes]] = {}


def _tot(pid: int) -> bool:
    prozess = _PROZESSE.get(pid)
    if prozess is not None:
        return prozess.poll() is not None
    return not Path(f"/proc/{pid}").exists()


def _worker_starten(tmp_path: Path, name: str, queue: str, **env: str) -> tuple[int, Path]:
    pidfile = tmp_path / f"{name}.pid"
    log = tmp_path / f"{name}.log"
    umgebung = dict(os.environ)
    db = connection.settings_dict
    umgebung.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        CELERY_VISIBILITY_TIMEOUT="3",
        DJANGO_DEBUG="true",
        **env,
    )
    celery = str(Path(sys.executable).with_name("celery"))
    with log.open("w") as ausgabe:
        prozess = subprocess.Popen(  # noqa: S603
            [celery, "-A", "rollout", "worker", "--pool=solo", "-Q", queue, "-n",
             f"{name}-{uuid.uuid4().hex[:6]}@%h", "--pidfile", str(pidfile), "-l", "info",
             "--without-heartbeat", "--without-mingle", "--without-gossip"],
            cwd=ROOT, env=umgebung, stdout=ausgabe, stderr=subprocess.STDOUT,
        )  # fmt: skip
    pid = warten(
        lambda: pidfile.exists() and pidfile.read_text().strip(), sekunden=30, was="pidfile"
    )
    _PROZESSE[int(pid)] = prozess  # reaped in _beenden / after the kill
    return int(pid), log


def _beenden(pid: int, sig: int = signal.SIGTERM) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    ende = time.monotonic() + 30
    while time.monotonic() < ende:
        if pid in _PROZESSE:
            if _PROZESSE[pid].poll() is not None:
                return
        else:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)


def test_mitten_im_lauf_getoeteter_worker_hinterlaesst_dasselbe_ergebnis(  # type: ignore[no-untyped-def]
    user, tmp_path
) -> None:
    with vormerken_ausgesetzt():  # only the run this test enqueues
        for o in _rps()[:2]:
            _live(o, user)
    # Derived data only: start from "never computed", so a half-done run would show.
    Abdeckungsstand.objects.all().delete()
    Verarbeitungsstand.objects.all().delete()
    queue = f"abdeckung-test-{uuid.uuid4().hex[:8]}"
    pids: list[int] = []
    try:
        pid, log = _worker_starten(tmp_path, "erster", queue, **{PAUSE_ENV: "120"})
        pids.append(pid)
        abdeckung_aktualisieren_task.apply_async(kwargs={"voll": True}, queue=queue)
        # The run has computed and written everything, uncommitted, and now waits.
        warten(lambda: "Testpause" in log.read_text(), sekunden=90, was="Lauf in der Pause")
        os.kill(pid, signal.SIGKILL)
        warten(lambda: _tot(pid), sekunden=10, was="Worker tot")
        # Nothing of the killed run was committed.
        assert not Abdeckungsstand.objects.exists()
        assert not Verarbeitungsstand.objects.filter(letzte_ereignis_id__gt=0).exists()

        time.sleep(4)  # longer than the visibility timeout of 3 s
        pid2, log2 = _worker_starten(tmp_path, "zweiter", queue)
        pids.append(pid2)
        warten(lambda: _he_live() == 2, sekunden=120, was="neu zugestellter Lauf gespeichert")
        assert "abdeckung.aktualisieren" in log2.read_text()
    finally:
        for p in pids:
            _beenden(p)
    nach_dem_absturz = _gespeichert()
    abdeckung_aktualisieren(voll=True)  # a clean full recomputation
    assert _gespeichert() == nach_dem_absturz


# --- (c) ---------------------------------------------------------------------------------


def _freier_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis_starten(port: int, pidfile: Path) -> int:
    subprocess.run(  # noqa: S603
        [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port",
         str(port), "--save", "", "--appendonly", "no", "--daemonize", "yes",
         "--pidfile", str(pidfile)],
        check=True,
    )  # fmt: skip
    client = redis.Redis(port=port)
    warten(lambda: pidfile.exists() and _ping(client), sekunden=10, was="Redis läuft")
    return int(pidfile.read_text().strip())


def _ping(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def eigener_redis(tmp_path) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    if not shutil.which("redis-server"):
        pytest.skip("redis-server fehlt")
    port = _freier_port()
    pidfile = tmp_path / "redis.pid"
    info: dict[str, Any] = {"port": port, "pidfile": pidfile}
    info["pid"] = _redis_starten(port, pidfile)
    alt = app.conf.broker_url
    _broker(f"redis://127.0.0.1:{port}/0")
    try:
        yield info
    finally:
        _broker(alt)
        _beenden(info["pid"])


def _broker(url: str) -> None:
    app.conf.broker_url = url
    app._pool = None  # connections are pooled per broker URL
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


def test_ohne_redis_wird_gespeichert_und_spaeter_nachgeholt(user, eigener_redis, caplog) -> None:  # type: ignore[no-untyped-def]
    # An earlier test's start_worker leaves the root logger at ERROR (its log level).
    caplog.set_level(logging.WARNING, logger="abdeckung.tasks")
    abdeckung_aktualisieren(voll=True)
    vorher = Abdeckungsstand.objects.get(
        art="aktuell", land__kurz="HE", leistung__ozg_id="10462", kreis__isnull=True
    ).berechnet_am
    _beenden(eigener_redis["pid"])

    _live(_rps()[0], user)  # Redis is down: the edit is saved anyway

    assert Onboarding.objects.get(pk=_rps()[0].pk).status == "live"
    assert "nicht eingereiht" in caplog.text
    assert _he_live() == 0  # stale, and its "Stand" says so
    assert (
        Abdeckungsstand.objects.get(
            art="aktuell", land__kurz="HE", leistung__ozg_id="10462", kreis__isnull=True
        ).berechnet_am
        == vorher
    )

    eigener_redis["pid"] = _redis_starten(eigener_redis["port"], eigener_redis["pidfile"])
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        _live(_rps()[1], user)  # the next change schedules a run, which reads both
        warten(lambda: _he_live() == 2, sekunden=60, was="beide Änderungen nachgeholt")
