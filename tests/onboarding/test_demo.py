"""Demo progress (``onboarding.demo``, step "Demo-Fortschritt" of ``seed_demo``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from accounts.models import User
from accounts.services import demo_benutzer_anlegen
from audit.models import Ereignis, Quelle
from leistungen.models import Zusage
from onboarding.demo import (
    DEMO_BEGINN,
    DEMO_ENDE,
    DEMO_MARKER,
    demo_datensaetze,
    demo_fortschritt_anlegen,
    demo_plan,
    demo_stichtag,
)
from onboarding.models import Huerde, Onboarding, Status
from onboarding.services._basis import STATUS_RANG

pytestmark = pytest.mark.django_db

HEUTE = dt.date(2026, 11, 21)
# A small, fast subset: Hessen, Führerschein (27 Kreise/Städte, 4 pilots) and BImSchG (3 RP).
LEISTUNGEN = ["10169", "10462"]
KLEIN = ["10462"]  # BImSchG in Hessen: the three Regierungspräsidien
LIVE = {Status.LIVE, Status.BETRIEBSFAEHIG}


@pytest.fixture(autouse=True)
def _demo_konten(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_benutzer_anlegen()


def _letztes_ereignis() -> int:
    return Ereignis.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _schritte(plan):  # type: ignore[no-untyped-def]
    return [(s.zeitpunkt, s.art, s.onboarding_id, repr(s.daten)) for s in plan.schritte]


def _status(land: str = "HE") -> dict[int, str]:
    return dict(
        Onboarding.objects.filter(zusage__land__kurz=land, leistung__ozg_id__in=LEISTUNGEN)
        .order_by("pk")
        .values_list("pk", "status")
    )


@pytest.fixture(scope="module")
def voller_plan(django_db_blocker):  # type: ignore[no-untyped-def]
    """The plan for all of Bayern and Hessen (planning only reads)."""
    with django_db_blocker.unblock():
        datensaetze = demo_datensaetze(zusagen=Zusage.objects.filter(land__kurz__in=["BY", "HE"]))
        return datensaetze, demo_plan(datensaetze=datensaetze, stichtag=demo_stichtag(HEUTE))


def test_data_date_is_fixed_so_reruns_on_later_days_agree() -> None:
    assert demo_stichtag(dt.date(2027, 3, 1)) == DEMO_ENDE == dt.date(2026, 11, 20)
    assert demo_stichtag(dt.date(2026, 8, 1)) == dt.date(2026, 8, 1)


def test_progress_is_written_through_the_services_with_backdated_history() -> None:
    letztes = _letztes_ereignis()
    zusagen = Zusage.objects.filter(land__kurz="HE", leistung__ozg_id__in=LEISTUNGEN)
    erster = demo_plan(datensaetze=demo_datensaetze(zusagen=zusagen), stichtag=demo_stichtag(HEUTE))
    zweiter = demo_plan(
        datensaetze=demo_datensaetze(zusagen=zusagen), stichtag=demo_stichtag(HEUTE)
    )

    ergebnis = demo_fortschritt_anlegen(laender=["HE"], leistungen=LEISTUNGEN, heute=HEUTE)

    status = _status()
    # Deterministic: the same plan twice, and the database ends exactly as planned.
    assert _schritte(erster) == _schritte(zweiter)
    assert status == erster.endstatus
    assert ergebnis.zusagen == 2
    assert Counter(status.values()) == Counter(ergebnis.endstatus)
    neu = list(Ereignis.objects.filter(pk__gt=letztes))
    assert {e.quelle for e in neu} == {Quelle.SYSTEM}
    zeitpunkte = [e.zeitpunkt.date() for e in neu]
    assert min(zeitpunkte) >= DEMO_BEGINN
    assert max(zeitpunkte) <= DEMO_ENDE
    assert len({tag.month for tag in zeitpunkte}) >= 8  # spread over the year
    # Every record that moved has its own history of status changes by a demo account.
    bewegt = [pk for pk, s in status.items() if s != Status.UNBEKANNT]
    assert bewegt
    mit_status = {
        e.onboarding_id
        for e in neu
        if e.objekt_typ == "onboarding.onboarding" and "status" in e.aenderungen
    }
    assert set(bewegt) <= mit_status
    demo_user_ids = set(User.objects.filter(ist_demo=True).values_list("pk", flat=True))
    assert {e.user_id for e in neu if e.user_id} <= demo_user_ids
    team_he = User.objects.get(username="demo-team-he")
    assert any(e.user_id == team_he.pk for e in neu)  # the team member ticked their items
    # Live records went live through the checklist: phases 0-2 complete, go-live confirmed.
    live = Onboarding.objects.filter(pk__in=status, status__in=LIVE, baseline=False)
    assert live.exists()
    for o in live:
        offen = o.punkte.filter(phase__lte=2, pflicht=True, stand="offen")
        assert not offen.exists(), o
        assert o.ist_golive is not None
        assert o.golive_bestaetigt_von is not None
    # Teams and waves were assigned; the demo team member edited their own records.
    assert Onboarding.objects.filter(pk__in=status, team__name__startswith="Demo-Team").exists()
    assert Onboarding.objects.filter(pk__in=status, welle__startswith="Welle ").exists()
    # Hurdles: marked as demo, linked to several records, blocking exactly while open.
    huerden = list(Huerde.objects.prefetch_related("onboardings"))

    assert huerden
    assert all("(Demo)" in h.titel and "(Demo)" in h.beschreibung for h in huerden)
    assert max(len(h.onboardings.all()) for h in huerden) >= 3
    for h in huerden:
        if h.stand == Huerde.Stand.GELOEST:
            assert h.geloest_am is not None
            assert h.loesung
        for o in h.onboardings.all():
            noch_blockiert = o.huerden.filter(blockierend=True).exclude(stand=Huerde.Stand.GELOEST)
            assert o.blockiert == noch_blockiert.exists(), o


def test_second_run_adds_nothing() -> None:
    demo_fortschritt_anlegen(laender=["HE"], leistungen=KLEIN, heute=HEUTE)
    status = _status()
    assert Ereignis.objects.filter(beschreibung=DEMO_MARKER).count() == 1
    ereignisse = Ereignis.objects.count()
    huerden = Huerde.objects.count()

    zweiter = demo_fortschritt_anlegen(laender=["HE"], leistungen=KLEIN, heute=HEUTE)

    assert zweiter.zusagen == 0
    assert zweiter.uebersprungen == 1
    assert Ereignis.objects.count() == ereignisse
    assert Huerde.objects.count() == huerden
    assert _status() == status
    assert Ereignis.objects.filter(beschreibung=DEMO_MARKER).count() == 1


def test_a_records_plan_does_not_depend_on_the_other_records_in_the_run(voller_plan) -> None:  # type: ignore[no-untyped-def]
    datensaetze, voll = voller_plan
    teil = [d for d in datensaetze if d.land_kurz == "HE" and d.ozg_id in LEISTUNGEN]

    allein = demo_plan(datensaetze=teil, stichtag=demo_stichtag(HEUTE))

    assert allein.endstatus == {d.id: voll.endstatus[d.id] for d in teil}


def test_coverage_is_realistic_and_pilots_are_ahead(voller_plan) -> None:  # type: ignore[no-untyped-def]
    datensaetze, plan = voller_plan
    live_anteil: dict[str, float] = {}
    for ozg_id in {d.ozg_id for d in datensaetze}:
        eigene = [d for d in datensaetze if d.ozg_id == ozg_id and not d.ist_pilot]
        live_anteil[ozg_id] = sum(plan.endstatus[d.id] in LIVE for d in eigene) / len(eigene)
    gesamt = sum(plan.endstatus[d.id] in LIVE for d in datensaetze) / len(datensaetze)
    piloten = [d for d in datensaetze if d.ist_pilot]

    assert 0.2 <= gesamt <= 0.6
    assert max(live_anteil, key=live_anteil.__getitem__) == "10124"  # Ummeldung leads
    assert all(anteil < 0.65 for anteil in live_anteil.values())
    assert sum(plan.endstatus[d.id] in LIVE for d in piloten) / len(piloten) > 0.7
    rang = [STATUS_RANG[s] for s in plan.endstatus.values()]
    pilot_rang = [STATUS_RANG[plan.endstatus[d.id]] for d in piloten]
    assert sum(pilot_rang) / len(pilot_rang) > sum(rang) / len(rang)
    # Some records are still unclear or only planned; some were live before the programme.
    assert Counter(plan.endstatus.values())[Status.IN_KLAERUNG] > 0
    assert any(s.art == "aktualisieren" and s.daten.get("baseline") for s in plan.schritte)


def test_hurdles_block_many_records_at_once(voller_plan) -> None:  # type: ignore[no-untyped-def]
    datensaetze, plan = voller_plan
    nach_id = {d.id: d for d in datensaetze}

    vertrag, vertrag_ids = plan.huerden["by-vertrag"]
    release, release_ids = plan.huerden["by-auslaender-release"]

    assert len(vertrag_ids) > 100
    assert 30 <= len(release_ids) <= 70
    assert {nach_id[i].ozg_id for i in release_ids} == {"10255"}
    assert {nach_id[i].land_kurz for i in vertrag_ids} == {"BY"}
    assert vertrag.geloest == dt.date(2026, 5, 4)
    assert all(h.titel.endswith("(Demo)") for h, _ids in plan.huerden.values())
    assert any(h.geloest is None for h, _ids in plan.huerden.values())  # some still open


def test_nothing_is_written_for_other_laender() -> None:
    vorher = Ereignis.objects.count()

    ergebnis = demo_fortschritt_anlegen(laender=["NI", "NW"], heute=HEUTE)

    assert ergebnis.zusagen == 0
    assert Ereignis.objects.count() == vorher

    letztes = _letztes_ereignis()
    demo_fortschritt_anlegen(laender=["HE", "NI"], leistungen=KLEIN, heute=HEUTE)

    betroffen = set(
        Ereignis.objects.filter(pk__gt=letztes, onboarding_id__isnull=False).values_list(
            "onboarding_id", flat=True
        )
    )
    assert betroffen
    laender = set(
        Onboarding.objects.filter(pk__in=betroffen).values_list("zusage__land__kurz", flat=True)
    )
    assert laender <= {"HE"}


def test_nothing_before_the_programme_started() -> None:
    ergebnis = demo_fortschritt_anlegen(laender=["HE"], heute=dt.date(2026, 1, 10))

    assert ergebnis.zusagen == 0
    assert not Ereignis.objects.filter(beschreibung=DEMO_MARKER).exists()
