"""Report generation through a REAL Celery worker on a REAL Redis (issue #6 acceptance).

The weekly fan-out task runs on the worker and enqueues one generation task per scope
(national + every participating Land). Hessen's frozen figures of the Stichtag are missing
(a real data gap, no mock), so Hessen's report and the national one (which needs every
Land) fail with a clear message, while Bayern's still completes and is archived.
"""

from __future__ import annotations

import hashlib

from celery.contrib.testing.worker import start_worker

from abdeckung.models import Abdeckungsstand
from berichte.models import Bericht
from berichte.tasks import berichte_woechentlich_task
from leistungen.models import Programmteilnahme
from rollout.celery import app
from tests.berichte.hilfen import stichtag_einfrieren
from tests.celery_worker import MARKER, warten

pytestmark = MARKER


def test_weekly_run_on_a_worker_reports_the_failing_scope_and_completes_the_others() -> None:
    stichtag = stichtag_einfrieren()
    geloescht, _ = Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.STICHTAG, stichtag=stichtag, land__kurz="HE"
    ).delete()
    assert geloescht > 0
    scopes = ["national"] + list(
        Programmteilnahme.objects.filter(land__zusagen__isnull=False)
        .distinct()
        .order_by("land__name")
        .values_list("land__kurz", flat=True)
    )
    assert scopes == ["national", "BY", "HE"]
    app.control.purge()  # nothing left over from an earlier run in this Redis DB

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
        ergebnis = berichte_woechentlich_task.delay().get(timeout=120)
        assert ergebnis == dict.fromkeys(scopes, "angefordert")

        def fertig() -> bool:
            laufend = Bericht.objects.filter(
                stichtag=stichtag, status__in=["angefordert", "laeuft"]
            )
            return Bericht.objects.filter(stichtag=stichtag).count() == len(scopes) and not (
                laufend.exists()
            )

        warten(fertig, sekunden=420, was="alle Berichte fertig oder fehlgeschlagen")

    berichte = {b.scope: b for b in Bericht.objects.filter(stichtag=stichtag)}
    for scope in ("HE", "national"):
        fehlgeschlagen = berichte.pop(scope)
        assert fehlgeschlagen.status == Bericht.Status.FEHLER, scope
        assert f"{stichtag:%d.%m.%Y}" in fehlgeschlagen.fehler
        assert "Hessen" in fehlgeschlagen.fehler
        assert not fehlgeschlagen.hat_pdf
    assert list(berichte) == ["BY"]
    for scope, bericht in berichte.items():
        assert bericht.status == Bericht.Status.FERTIG, (scope, bericht.fehler)
        pdf = bytes(bericht.pdf)
        assert pdf.startswith(b"%PDF-")
        assert bericht.sha256 == hashlib.sha256(pdf).hexdigest()
        assert bericht.datenstand
        assert bericht.angefordert_von is None  # the weekly run
        assert bericht.task_id
        assert bericht.laeufe == 1
