"""Incremental recomputation after any sequence of changes equals a full one."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abdeckung.models import Abdeckungsstand, Statusintervall
from abdeckung.services import abdeckung_aktualisieren
from audit.models import Quelle
from onboarding.models import Onboarding
from onboarding.services import huerde_loesen, onboardings_abgleichen
from onboarding.services._basis import STATUS_REIHENFOLGE
from tests.abdeckung.helfer import blockieren, onboarding, status_setzen
from tests.onboarding.helfer import admin

pytestmark = pytest.mark.django_db

RECORDS = [
    ("092730137137", "10124"),  # Stadt Kelheim
    ("092735218", "10124"),  # VG Siegenburg
    ("09273", "10169"),  # Landratsamt Kelheim
    ("064140000000", "10169"),  # Wiesbaden
    ("066110000000", "10124"),  # Kassel
]

schritt = st.one_of(
    st.tuples(
        st.just("status"), st.integers(0, len(RECORDS) - 1), st.sampled_from(STATUS_REIHENFOLGE)
    ),
    st.tuples(
        st.just("huerde"), st.integers(0, len(RECORDS) - 1), st.integers(0, len(RECORDS) - 1)
    ),
    st.tuples(st.just("loesen"), st.just(0), st.just(0)),
    st.tuples(st.just("schliessen"), st.integers(0, len(RECORDS) - 1), st.just(0)),
    st.tuples(st.just("aktualisieren"), st.just(0), st.just(0)),
)


def _schliessen(o: Onboarding) -> None:
    """Close a record as the responsibility sync does when an authority stops being
    responsible, and let the sync open a new record for it again."""
    from django.db.models import F
    from django.utils import timezone

    from audit.models import Aktion
    from audit.services import ereignis_schreiben

    o = Onboarding.objects.get(pk=o.pk)
    heute = timezone.localdate()
    Onboarding.objects.filter(pk=o.pk).update(
        geschlossen_am=heute,
        geschlossen_grund="Test",
        status="nicht_zustaendig",
        version=F("version") + 1,
    )
    ereignis_schreiben(
        user=None,
        quelle=Quelle.SYSTEM,
        aktion=Aktion.GESCHLOSSEN,
        objekt=o,
        aenderungen={
            "status": [o.status, "nicht_zustaendig"],
            "geschlossen_am": [None, heute],
            "version": [o.version, o.version + 1],
        },
        onboarding_id=o.pk,
    )
    onboardings_abgleichen(zusage=o.zusage)


def _stand() -> tuple[dict, list]:
    zeilen = {
        (z.land_id, z.leistung_id, z.kreis_id): (
            z.behoerden_live,
            z.gemeinden_live,
            z.einwohner_live,
            z.behoerden_gesamt,
            z.blockiert,
            sorted(z.status_zaehlung.items()),
        )
        for z in Abdeckungsstand.objects.filter(art=Abdeckungsstand.Art.AKTUELL)
    }
    intervalle = sorted(
        Statusintervall.objects.values_list("onboarding_id", "status", "blockiert", "von", "bis")
    )
    return zeilen, intervalle


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(schritte=st.lists(schritt, min_size=1, max_size=8))
def test_incremental_equals_full_recomputation(schritte: list) -> None:
    from django.db import transaction

    with transaction.atomic():
        chef = admin(name="admin-hyp")
        huerden = []
        for art, a, b in schritte:
            o = onboarding(*RECORDS[a])
            if art == "status":
                status_setzen(o, b, user=chef)
            elif art == "huerde":
                huerden.append(blockieren([o, onboarding(*RECORDS[b])], user=chef))
            elif art == "loesen" and huerden:
                h = huerden.pop()
                h.refresh_from_db()
                huerde_loesen(
                    huerde_id=h.pk,
                    user=chef,
                    version=h.version,
                    loesung="gelöst",
                    datum=h.erfasst_am,
                    quelle=Quelle.SYSTEM,
                )
            elif art == "schliessen":
                _schliessen(o)
            elif art == "aktualisieren":
                abdeckung_aktualisieren()
        abdeckung_aktualisieren()
        inkrementell = _stand()
        assert abdeckung_aktualisieren()["ereignisse"] == 0  # twice: nothing new
        assert _stand() == inkrementell
        abdeckung_aktualisieren(voll=True)
        assert _stand() == inkrementell
        transaction.set_rollback(True)
