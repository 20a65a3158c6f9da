"""A seeded scenario for the steering report: two frozen Stichtage and a known week.

Stichtag 1 is Sunday 08.11.2026, Stichtag 2 Sunday 15.11.2026; the reporting week of
Stichtag 2 runs 09.11.–15.11.2026. Every change goes through the onboarding services with a
backdated ``zeitpunkt``, so the audit history is real history; the snapshots are frozen by
the engine (``snapshot_erstellen``) after the history up to each Stichtag is written.

The scenario is built once per test module inside a transaction that is rolled back at the
end (the tests of the module run in savepoints inside it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from abdeckung.services import abdeckung_aktualisieren, snapshot_erstellen
from audit.models import Quelle
from onboarding.models import Huerde, Onboarding
from onboarding.services import huerde_erfassen, huerde_loesen, onboarding_aktualisieren
from tests.onboarding.helfer import admin

STICHTAG_1 = dt.date(2026, 11, 8)
STICHTAG_2 = dt.date(2026, 11, 15)

PULLACH = "091840139139"  # Gemeinde Pullach i. Isartal (pilot): Meldebehörde 10124
LRA_MUENCHEN = "09184"  # Landratsamt München: 10169, 10255, 10151
DACHAU = "091740115115"  # Große Kreisstadt Dachau: Bauaufsicht 10519
LRA_KELHEIM = "09273"  # Landratsamt Kelheim (pilot)
STADT_KELHEIM = "092730137137"  # Stadt Kelheim: 10124
SIEGENBURG = "092735218"  # VG Siegenburg: 10124
WIESBADEN = "064140000000"  # kreisfreie Stadt Wiesbaden (pilot, HE)
KASSEL = "066110000000"  # kreisfreie Stadt Kassel (pilot, HE)

HUERDE_NEU = "Meldewesen-Modul fehlt (Szenario)"
HUERDE_ALT = "Waffenregister-Schnittstelle offen (Szenario)"
HUERDE_GELOEST = "PVOG-Eintrag fehlerhaft (Szenario)"
HUERDE_DANACH = "Nach dem Stichtag erfasst (Szenario)"


def um(tag: dt.date, stunde: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(tag, dt.time(stunde)))


def onboarding(schluessel: str, ozg_id: str) -> Onboarding:
    return Onboarding.objects.get(
        behoerde__schluessel=schluessel, leistung__ozg_id=ozg_id, geschlossen_am__isnull=True
    )


def aendern(schluessel: str, ozg_id: str, zeitpunkt: dt.datetime, user: Any, **daten: Any) -> None:
    """A change through the service; covered and phase statuses as baseline (no checklist)."""
    o = onboarding(schluessel, ozg_id)
    if daten.get("status") in ("phase_1", "phase_2", "phase_3", "live", "betriebsfaehig"):
        daten.setdefault("baseline", True)
    onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=user,
        version=o.version,
        daten=daten,
        quelle=Quelle.SYSTEM,
        zeitpunkt=zeitpunkt,
    )


def huerde(
    titel: str, onboardings: list[Onboarding], zeitpunkt: dt.datetime, user: Any, **daten: Any
) -> Huerde:
    return huerde_erfassen(
        user=user,
        daten={
            "titel": titel,
            "kategorie": "schnittstelle",
            "verantwortlich": "fachverfahren",
            "erfasst_am": zeitpunkt.date().isoformat(),
            **daten,
        },
        onboarding_ids=[o.pk for o in onboardings],
        quelle=Quelle.SYSTEM,
        zeitpunkt=zeitpunkt,
    )


def loesen(h: Huerde, tag: dt.date, user: Any) -> None:
    h.refresh_from_db()
    huerde_loesen(
        huerde_id=h.pk,
        user=user,
        version=h.version,
        loesung="Behoben (Szenario)",
        datum=tag,
        quelle=Quelle.SYSTEM,
        zeitpunkt=um(tag, 15),
    )


@dataclass
class Szenario:
    user: Any
    huerde_neu: Huerde


def szenario_bis_stichtag_2() -> Szenario:
    chef = admin("bericht-admin")
    # Before Stichtag 1.
    aendern(LRA_MUENCHEN, "10169", um(dt.date(2026, 10, 20)), chef, status="live")
    aendern(PULLACH, "10124", um(dt.date(2026, 11, 3)), chef, status="live")
    aendern(
        DACHAU,
        "10519",
        um(dt.date(2026, 11, 2)),
        chef,
        status="geplant",
        geplant_golive="2026-11-12",
    )
    aendern(
        LRA_KELHEIM,
        "10169",
        um(dt.date(2026, 11, 2)),
        chef,
        status="geplant",
        geplant_golive="2026-11-20",
    )
    alt = huerde(
        HUERDE_ALT,
        [onboarding(LRA_MUENCHEN, "10151")],
        um(dt.date(2026, 9, 1)),
        chef,
        verantwortlich="land",
    )
    geloest = huerde(
        HUERDE_GELOEST,
        [onboarding(WIESBADEN, "10124")],
        um(dt.date(2026, 10, 15)),
        chef,
        kategorie="pvog",
        verantwortlich="kommune",
    )
    abdeckung_aktualisieren()
    snapshot_erstellen(stichtag=STICHTAG_1, art="stichtag")
    # The reporting week 09.11.–15.11.2026.
    aendern(LRA_MUENCHEN, "10255", um(dt.date(2026, 11, 10)), chef, status="live")
    aendern(WIESBADEN, "10169", um(dt.date(2026, 11, 12)), chef, status="live")
    aendern(LRA_KELHEIM, "10169", um(dt.date(2026, 11, 11)), chef, geplant_golive="2026-12-10")
    neu = huerde(
        HUERDE_NEU,
        [onboarding(STADT_KELHEIM, "10124"), onboarding(SIEGENBURG, "10124")],
        um(dt.date(2026, 11, 11)),
        chef,
    )
    loesen(geloest, dt.date(2026, 11, 13), chef)
    abdeckung_aktualisieren()
    snapshot_erstellen(stichtag=STICHTAG_2, art="stichtag")
    assert alt.pk
    return Szenario(user=chef, huerde_neu=neu)


def aenderungen_nach_stichtag_2(s: Szenario) -> None:
    """What happens after Stichtag 2 (dated after it): must not change its report."""
    chef = s.user
    aendern(STADT_KELHEIM, "10124", um(dt.date(2026, 11, 18)), chef, status="live")
    aendern(DACHAU, "10519", um(dt.date(2026, 11, 18)), chef, status="live")
    aendern(KASSEL, "10124", um(dt.date(2026, 11, 18)), chef, geplant_golive="2026-11-30")
    loesen(s.huerde_neu, dt.date(2026, 11, 19), chef)
    huerde(HUERDE_DANACH, [onboarding(KASSEL, "10169")], um(dt.date(2026, 11, 19)), chef)
    abdeckung_aktualisieren()


def rueckdatierte_korrektur(s: Szenario) -> None:
    """A correction dated back into the reporting week, entered after the week was frozen."""
    aendern(LRA_MUENCHEN, "10519", um(dt.date(2026, 11, 14)), s.user, status="live")
    aendern(WIESBADEN, "10255", um(dt.date(2026, 11, 13)), s.user, geplant_golive="2026-11-14")
    abdeckung_aktualisieren()


@pytest.fixture(scope="module")
def szenario(django_db_setup: None, django_db_blocker: Any) -> Iterator[Szenario]:
    """The scenario up to Stichtag 2, for every test of the module (rolled back after)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield szenario_bis_stichtag_2()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def _kaleido_beenden() -> Iterator[None]:
    """Close the report's Chromium after each module (while the test run's output streams
    are still open; the process's exit handler would log into closed ones)."""
    yield
    from berichte.pdf import _zeichner_beenden

    _zeichner_beenden()
