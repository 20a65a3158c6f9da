"""No lost updates under real concurrency (PostgreSQL, one connection per thread).

* N threads load the same record at version v and save different values at once: exactly
  one wins per version, every other gets ``Konflikt`` naming the winner's change, the audit
  history holds exactly the winner's event. In the first round all N are held at the
  ``UPDATE`` by a row lock until all of them have passed the version read, so the
  conditional ``UPDATE … WHERE version = v`` itself decides; the second round races freely.
* A hurdle linked to 40 records is resolved while another user edits one of them: an
  observer never sees a partly unblocked set, and the edit is not lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Rolle
from audit.models import Ereignis, Quelle
from onboarding.models import Onboarding
from onboarding.services import Konflikt, huerde_erfassen, huerde_loesen, onboarding_aktualisieren
from tests.onboarding import helfer as h

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

N = 8


def _in_thread(ziel: Callable[[], Any], ergebnisse: list[Any], index: int) -> threading.Thread:
    def lauf() -> None:
        try:
            ergebnisse[index] = ziel()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            ergebnisse[index] = exc
        finally:
            connection.close()

    return threading.Thread(target=lauf, daemon=True)


def _warten_bis_wartend(anzahl: int, timeout: float = 30) -> None:
    """Until ``anzahl`` other sessions wait for a lock."""
    ende = time.monotonic() + timeout
    while time.monotonic() < ende:
        with connection.cursor() as cursor:
            # Statistics views are frozen per transaction unless the snapshot is cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= anzahl:
                return
        time.sleep(0.02)
    raise AssertionError(f"{anzahl} wartende Sitzungen erwartet")


def _runde(onboarding_id: int, users: list[Any], runde: int, mit_sperre: bool) -> None:
    o = Onboarding.objects.get(pk=onboarding_id)
    version = o.version
    ereignisse_vorher = Ereignis.objects.filter(onboarding_id=onboarding_id).count()
    barriere = threading.Barrier(N)
    ergebnisse: list[Any] = [None] * N

    def speichern(i: int) -> Callable[[], Any]:
        def ziel() -> Any:
            barriere.wait(timeout=30)
            try:
                return onboarding_aktualisieren(
                    onboarding_id=onboarding_id,
                    user=users[i],
                    version=version,
                    daten={"welle": f"R{runde}-U{i}"},
                    quelle=Quelle.UI,
                )
            except Konflikt as konflikt:
                return konflikt

        return ziel

    threads = [_in_thread(speichern(i), ergebnisse, i) for i in range(N)]
    if mit_sperre:
        with transaction.atomic():
            # Hold the row: every thread reads version v, then waits at its UPDATE.
            Onboarding.objects.select_for_update().get(pk=onboarding_id)
            for t in threads:
                t.start()
            _warten_bis_wartend(N)
    else:
        for t in threads:
            t.start()
    for t in threads:
        t.join(timeout=60)

    fehler = [e for e in ergebnisse if isinstance(e, BaseException) and not isinstance(e, Konflikt)]
    assert not fehler, fehler
    gewinner = [i for i, e in enumerate(ergebnisse) if isinstance(e, Onboarding)]
    verlierer = [e for e in ergebnisse if isinstance(e, Konflikt)]
    assert len(gewinner) == 1, ergebnisse
    assert len(verlierer) == N - 1
    wert = f"R{runde}-U{gewinner[0]}"
    for konflikt in verlierer:
        assert konflikt.aktuell.version == version + 1
        assert konflikt.aktuell.welle == wert
        assert [e.aenderungen["welle"][1] for e in konflikt.ereignisse] == [wert]
        assert konflikt.ereignisse[0].user_id == users[gewinner[0]].pk
    o.refresh_from_db()
    assert (o.welle, o.version) == (wert, version + 1)
    neu = Ereignis.objects.filter(onboarding_id=onboarding_id).order_by("-id")
    assert neu.count() == ereignisse_vorher + 1
    assert neu.first().aenderungen["welle"][1] == wert


def test_parallel_saves_of_one_record_have_exactly_one_winner_per_version() -> None:
    users = [h.user(f"parallel-{i}", Rolle.ADMINISTRATION) for i in range(N)]
    o = h.onboarding(h.PULLACH, "10124")
    _runde(o.pk, users, 1, mit_sperre=True)
    _runde(o.pk, users, 2, mit_sperre=False)
    _runde(o.pk, users, 3, mit_sperre=True)
    assert Onboarding.objects.get(pk=o.pk).version == o.version + 3


def test_resolving_a_hurdle_of_40_records_is_atomic_while_one_is_edited() -> None:
    admin = h.user("admin-parallel", Rolle.ADMINISTRATION)
    gu = h.user("gu-parallel", Rolle.GU_PROGRAMMBUERO)
    ids = list(
        Onboarding.objects.filter(zusage__land__kurz="BY", leistung__ozg_id="10255")
        .order_by("pk")
        .values_list("pk", flat=True)[:40]
    )
    huerde = huerde_erfassen(
        user=admin,
        daten={
            "titel": "XAusländer-Release fehlt",
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
        },
        onboarding_ids=ids,
        quelle=Quelle.UI,
    )
    assert Onboarding.objects.filter(pk__in=ids, blockiert=True).count() == 40
    bearbeitet = Onboarding.objects.get(pk=ids[17])
    ergebnisse: list[Any] = [None, None]
    gesperrt, fertig = threading.Event(), threading.Event()
    beobachtet: list[int] = []

    def bearbeiten() -> Any:
        with transaction.atomic():
            ergebnis = onboarding_aktualisieren(
                onboarding_id=bearbeitet.pk,
                user=gu,
                version=bearbeitet.version,
                daten={"welle": "Welle 3", "geplant_golive": "2026-12-15"},
                quelle=Quelle.UI,
            )
            gesperrt.set()
            _warten_bis_wartend(1)  # the resolution now waits for this record
            time.sleep(0.3)
        return ergebnis

    def loesen() -> Any:
        gesperrt.wait(timeout=30)
        try:
            return huerde_loesen(
                huerde_id=huerde.pk,
                user=admin,
                version=huerde.version,
                loesung="Release 4.1 ausgerollt",
                datum=timezone.localdate(),
                quelle=Quelle.UI,
            )
        finally:
            fertig.set()

    threads = [_in_thread(bearbeiten, ergebnisse, 0), _in_thread(loesen, ergebnisse, 1)]
    for t in threads:
        t.start()
    gesperrt.wait(timeout=30)
    while not fertig.is_set():
        beobachtet.append(Onboarding.objects.filter(pk__in=ids, blockiert=True).count())
        time.sleep(0.01)
    for t in threads:
        t.join(timeout=60)

    assert not any(isinstance(e, BaseException) for e in ergebnisse), ergebnisse
    assert beobachtet
    assert set(beobachtet) <= {0, 40}
    assert 40 in beobachtet  # it was observed while the resolution waited
    assert Onboarding.objects.filter(pk__in=ids, blockiert=True).count() == 0
    bearbeitet.refresh_from_db()
    assert (bearbeitet.welle, bearbeitet.version) == ("Welle 3", ergebnisse[0].version)
    assert not bearbeitet.blockiert
    freigaben = Ereignis.objects.filter(
        onboarding_id__in=ids, aenderungen__blockiert=[True, False]
    ).count()
    assert freigaben == 40
