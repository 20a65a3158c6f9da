"""The batch write path (``services.onboardings_stapel_anwenden``) against the per-record
services: the same changes give the same records, checklist items, audit events and
refusals; all or nothing; a few queries for many records."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import Rolle
from audit.models import Ereignis, Quelle
from leistungen.models import Programmteilnahme
from onboarding import services
from onboarding.models import Checklistenpunkt, Onboarding, Status
from onboarding.services import PunktAenderung, StapelAenderung
from tests.onboarding import helfer

pytestmark = pytest.mark.django_db

FUEHRERSCHEIN = "10169"
FEHLER = (services.Ungueltig, services.Konflikt, PermissionDenied)


def _records(anzahl: int, land: str = "BY") -> list[Onboarding]:
    return list(
        Onboarding.objects.filter(
            zusage__land__kurz=land, leistung__ozg_id=FUEHRERSCHEIN, geschlossen_am__isnull=True
        ).order_by("pk")[:anzahl]
    )


def _codes(o: Onboarding, *phasen: int) -> list[Checklistenpunkt]:
    return [p for p in helfer.punkte(o) if p.phase in phasen]


def _setzen(punkte: list[Checklistenpunkt], stand: str = "erledigt", **kw: Any) -> list:
    return [PunktAenderung(punkt_id=p.pk, stand=stand, **kw) for p in punkte]


def _zustand(ids: list[int], nach_id: int) -> dict[str, Any]:
    """Records, their items and the events after ``nach_id``, without ids and timestamps
    that differ between two runs."""
    records = list(
        Onboarding.objects.filter(pk__in=ids)
        .order_by("pk")
        .values(*[f.attname for f in Onboarding._meta.concrete_fields if f.name != "geaendert_am"])
    )
    punkte = list(
        Checklistenpunkt.objects.filter(onboarding_id__in=ids)
        .order_by("pk")
        .values(*[f.attname for f in Checklistenpunkt._meta.concrete_fields])
    )
    ereignisse = list(
        Ereignis.objects.filter(pk__gt=nach_id)
        .order_by("pk")
        .values(
            "zeitpunkt",
            "user_id",
            "quelle",
            "aktion",
            "objekt_typ",
            "objekt_id",
            "onboarding_id",
            "beschreibung",
            "aenderungen",
        )
    )
    return {"records": records, "punkte": punkte, "ereignisse": ereignisse}


def _einzeln(
    aenderungen: list[StapelAenderung], user: Any, zeitpunkt: Any, nur_fehlerfreie: bool
) -> dict[int, str]:
    """The same changes through the per-record services, as the bulk import used to run
    them: each item with ``checklistenpunkt_setzen``, then the fields with
    ``onboarding_aktualisieren`` (each change in its own savepoint)."""
    fehler: dict[int, str] = {}
    for position, a in enumerate(aenderungen):
        try:
            with transaction.atomic():
                for pa in a.punkte:
                    version = pa.version
                    if version is None:
                        version = Checklistenpunkt.objects.get(pk=pa.punkt_id).version
                    services.checklistenpunkt_setzen(
                        punkt_id=pa.punkt_id,
                        user=user,
                        version=version,
                        stand=pa.stand,
                        verzicht_grund=pa.verzicht_grund,
                        erledigt_am=pa.erledigt_am,
                        quelle=Quelle.IMPORT,
                        zeitpunkt=zeitpunkt,
                    )
                if a.daten:
                    version = a.version
                    if version is None or a.punkte:
                        version = Onboarding.objects.get(pk=a.onboarding_id).version
                    services.onboarding_aktualisieren(
                        onboarding_id=a.onboarding_id,
                        user=user,
                        version=version,
                        daten=dict(a.daten),
                        quelle=Quelle.IMPORT,
                        zeitpunkt=zeitpunkt,
                    )
        except FEHLER as exc:
            fehler[position] = str(exc)
    return fehler


def _beide_wege(
    aenderungen: list[StapelAenderung], user: Any, ids: list[int], nur_fehlerfreie: bool = True
) -> tuple[dict, dict]:
    """Run the changes per record and as a batch on the same data (each inside a savepoint
    that is rolled back afterwards); return both states and refusals."""
    zeitpunkt = timezone.now()
    nach_id = Ereignis.objects.aggregate(m=Max("id"))["m"] or 0
    ergebnisse = []
    for weg in ("einzeln", "stapel"):
        with transaction.atomic():
            if weg == "einzeln":
                fehler = _einzeln(aenderungen, user, zeitpunkt, nur_fehlerfreie)
            else:
                stapel = services.onboardings_stapel_anwenden(
                    aenderungen=aenderungen,
                    user=user,
                    quelle=Quelle.IMPORT,
                    zeitpunkt=zeitpunkt,
                    nur_fehlerfreie=nur_fehlerfreie,
                )
                fehler = {pos: str(exc) for pos, exc in stapel.fehler.items()}
            zustand = _zustand(ids, nach_id)
            zustand["fehler"] = fehler
            ergebnisse.append(zustand)
            transaction.set_rollback(True)
    return ergebnisse[0], ergebnisse[1]


@pytest.fixture
def szenario(admin_user_rc) -> tuple[list[StapelAenderung], list[int]]:  # type: ignore[no-untyped-def]
    """Changes that exercise every rule: auto-advance through two phases, go-live with the
    dates filled in, waive with a reason, team, baseline jump, an unchanged row, a waive
    without a reason, a stale version, a closed record, a status jump not allowed."""
    a, b, c, d, e, f, g, h, i = _records(9)
    # b is in phase 1 already (through the services, before the comparison starts).
    helfer.phasen_erledigen(b, 0, user=admin_user_rc)
    b = helfer.frisch(b)
    services.onboarding_aktualisieren(
        onboarding_id=b.pk,
        user=admin_user_rc,
        version=b.version,
        daten={"status": "phase_1"},
        quelle=Quelle.UI,
    )
    g_version = helfer.frisch(g).version
    services.onboarding_aktualisieren(
        onboarding_id=g.pk,
        user=admin_user_rc,
        version=g_version,
        daten={"welle": "vorher"},
        quelle=Quelle.UI,
    )
    Onboarding.objects.filter(pk=h.pk).update(
        geschlossen_am=timezone.localdate(), geschlossen_grund="Test: geschlossen"
    )
    team = helfer.team("Team Oberbayern", "BY")
    aenderungen = [
        StapelAenderung(
            onboarding_id=a.pk,
            punkte=_setzen(_codes(a, 0)),
            daten={"status": "phase_1", "welle": "Welle 1", "geplant_golive": "2026-11-02"},
        ),
        StapelAenderung(
            onboarding_id=b.pk,
            punkte=_setzen(_codes(b, 1, 2)),
            daten={"status": Status.LIVE},
        ),
        StapelAenderung(
            onboarding_id=c.pk,
            punkte=[
                PunktAenderung(
                    punkt_id=_codes(c, 0)[0].pk, stand="verzichtet", verzicht_grund="liegt vor"
                ),
                PunktAenderung(punkt_id=_codes(c, 0)[1].pk, stand="erledigt"),
            ],
            daten={"team": team.pk, "geplant_phase_1": "2026-09-30"},
        ),
        StapelAenderung(onboarding_id=d.pk, daten={"baseline": True, "status": Status.LIVE}),
        StapelAenderung(onboarding_id=e.pk, daten={"welle": "", "status": e.status}),
        StapelAenderung(
            onboarding_id=f.pk,
            punkte=[
                PunktAenderung(punkt_id=_codes(f, 0)[0].pk, stand="erledigt"),
                PunktAenderung(punkt_id=_codes(f, 0)[1].pk, stand="verzichtet"),
            ],
        ),
        StapelAenderung(onboarding_id=g.pk, version=g_version, daten={"welle": "Welle 3"}),
        StapelAenderung(onboarding_id=h.pk, daten={"welle": "Welle 3"}),
        StapelAenderung(onboarding_id=i.pk, daten={"status": Status.PHASE_3}),
    ]
    return aenderungen, [o.pk for o in (a, b, c, d, e, f, g, h, i)]


@pytest.fixture(params=["gebuendelt", "einzeln"])
def schreibweise(request, monkeypatch):  # type: ignore[no-untyped-def]
    """Both ways of writing: batched ``UPDATE … FROM (VALUES …)`` (PostgreSQL) and one
    conditional UPDATE per row (the other databases)."""
    from onboarding.services.stapel import schreiben

    if request.param == "einzeln":
        monkeypatch.setattr(schreiben, "_gebuendelt", lambda: False)
    elif connection.vendor != "postgresql":
        pytest.skip("batched UPDATE … FROM (VALUES …) is used on PostgreSQL only")
    return request.param


def test_batch_writes_the_same_records_items_and_audit_events_as_the_per_record_services(
    szenario, admin_user_rc, schreibweise
):
    aenderungen, ids = szenario

    einzeln, stapel = _beide_wege(aenderungen, admin_user_rc, ids)

    assert sorted(stapel["fehler"]) == [5, 6, 7, 8]
    assert "Grund" in stapel["fehler"][5]
    assert "inzwischen geändert" in stapel["fehler"][6]
    assert "geschlossen" in stapel["fehler"][7]
    assert "noch nicht möglich" in stapel["fehler"][8]
    assert stapel["fehler"] == einzeln["fehler"]
    assert stapel["records"] == einzeln["records"]
    assert stapel["punkte"] == einzeln["punkte"]
    assert stapel["ereignisse"] == einzeln["ereignisse"]
    # The comparison covers the interesting cases: two automatic advances, then live.
    beschreibungen = [e["beschreibung"] for e in stapel["ereignisse"]]
    assert sum("automatisch" in b for b in beschreibungen) == 2
    b = next(r for r in stapel["records"] if r["id"] == ids[1])
    assert b["status"] == Status.LIVE
    assert b["golive_bestaetigt_von_id"] == admin_user_rc.pk
    assert b["ist_phase_1"] is not None
    assert b["ist_phase_2"] is not None
    versionen = [
        e["aenderungen"]["version"]
        for e in stapel["ereignisse"]
        if e["objekt_id"] == ids[1] and e["objekt_typ"] == "onboarding.onboarding"
    ]
    start = helfer.frisch(Onboarding(pk=ids[1])).version
    assert versionen == [[start, start + 1], [start + 1, start + 2], [start + 2, start + 3]]


@pytest.mark.parametrize("rolle", ["gu_nur_by", "team"])
def test_batch_refuses_out_of_scope_changes_exactly_like_the_per_record_services(
    rolle, szenario, admin_user_rc
):
    aenderungen, ids = szenario
    he = _records(2, land="HE")
    if rolle == "gu_nur_by":
        Programmteilnahme.objects.filter(land__kurz="HE").update(gu_beauftragt=False)
        user = helfer.user("gu-by", Rolle.GU_PROGRAMMBUERO)
    else:
        team = helfer.team("Team Oberbayern", "BY")
        Onboarding.objects.filter(pk__in=ids[:2]).update(team=team)
        user = helfer.user("team-obb", Rolle.ROLLIN_TEAM, team=team)
    aenderungen = [
        *aenderungen,
        StapelAenderung(onboarding_id=he[0].pk, daten={"welle": "Welle HE"}),
        StapelAenderung(onboarding_id=he[1].pk, daten={"team": None}),
    ]

    einzeln, stapel = _beide_wege(aenderungen, user, [*ids, *(o.pk for o in he)])

    assert stapel["fehler"] == einzeln["fehler"]
    assert stapel == einzeln
    assert 9 in stapel["fehler"]
    if rolle == "team":
        # Records of other teams and the team assignment are refused.
        assert "bearbeiten" in stapel["fehler"][3]
        assert "Team" in stapel["fehler"][2] or "bearbeiten" in stapel["fehler"][2]


def test_one_refused_change_means_nothing_is_written_without_only_good_rows(
    szenario, admin_user_rc
):
    aenderungen, ids = szenario
    vorher = Ereignis.objects.count()
    versionen = dict(Onboarding.objects.filter(pk__in=ids).values_list("pk", "version"))

    ergebnis = services.onboardings_stapel_anwenden(
        aenderungen=aenderungen, user=admin_user_rc, quelle=Quelle.IMPORT
    )

    assert not ergebnis.angewendet
    assert sorted(ergebnis.fehler) == [5, 6, 7, 8]
    assert Ereignis.objects.count() == vorher
    assert dict(Onboarding.objects.filter(pk__in=ids).values_list("pk", "version")) == versionen
    assert not Checklistenpunkt.objects.filter(onboarding_id=ids[0], version__gt=1).exists()


def test_only_good_rows_writes_the_others_and_reports_positions(szenario, admin_user_rc):
    aenderungen, ids = szenario

    ergebnis = services.onboardings_stapel_anwenden(
        aenderungen=aenderungen, user=admin_user_rc, quelle=Quelle.IMPORT, nur_fehlerfreie=True
    )

    assert ergebnis.angewendet
    assert ergebnis.geaendert == [0, 1, 2, 3]
    assert ergebnis.unveraendert == [4]
    assert sorted(ergebnis.fehler) == [5, 6, 7, 8]
    assert isinstance(ergebnis.fehler[6], services.Konflikt)
    assert Onboarding.objects.get(pk=ids[0]).status == Status.PHASE_1
    # The refused waive left its sibling item untouched.
    assert not Checklistenpunkt.objects.filter(onboarding_id=ids[5], version__gt=1).exists()
    assert Ereignis.objects.filter(pk__in=[e.pk for e in ergebnis.ereignisse]).count() == len(
        ergebnis.ereignisse
    )


def test_a_record_named_twice_is_refused_the_second_time(admin_user_rc):
    (o,) = _records(1)

    ergebnis = services.onboardings_stapel_anwenden(
        aenderungen=[
            StapelAenderung(onboarding_id=o.pk, daten={"welle": "A"}),
            StapelAenderung(onboarding_id=o.pk, daten={"welle": "B"}),
        ],
        user=admin_user_rc,
        quelle=Quelle.IMPORT,
        nur_fehlerfreie=True,
    )

    assert list(ergebnis.fehler) == [1]
    assert "mehrfach" in str(ergebnis.fehler[1])
    assert Onboarding.objects.get(pk=o.pk).welle == "A"


def test_batch_needs_a_few_queries_however_many_records(
    admin_user_rc, django_assert_max_num_queries
):
    records = _records(60)
    aenderungen = [
        StapelAenderung(
            onboarding_id=o.pk,
            version=o.version,
            daten={"status": "geplant", "welle": f"Welle {o.pk % 3}"},
            punkte=_setzen(_codes(o, 0)[:1]),
        )
        for o in records
    ]
    gu = helfer.user("gu-q", Rolle.GU_PROGRAMMBUERO)

    with django_assert_max_num_queries(20):
        ergebnis = services.onboardings_stapel_anwenden(
            aenderungen=aenderungen, user=gu, quelle=Quelle.IMPORT
        )

    assert ergebnis.angewendet, ergebnis.fehler
    assert len(ergebnis.geaendert) == 60
    assert len(ergebnis.ereignisse) == 120
    assert set(
        Onboarding.objects.filter(pk__in=[o.pk for o in records]).values_list("version", flat=True)
    ) == {records[0].version + 1}


@pytest.mark.parametrize("nur_fehlerfreie", [True, False])
def test_a_version_moved_between_loading_and_writing_is_a_conflict_leaving_no_trace(
    nur_fehlerfreie, admin_user_rc, schreibweise, monkeypatch
):
    from onboarding.services.stapel import anwenden

    a, b = _records(2)
    laden = anwenden.onboardings_laden

    def laden_und_dazwischen_aendern(ids):  # type: ignore[no-untyped-def]
        geladen = laden(ids)
        # Someone writes without taking the lock: only the conditional UPDATE can see it.
        Onboarding.objects.filter(pk=b.pk).update(version=F("version") + 1)
        return geladen

    monkeypatch.setattr(anwenden, "onboardings_laden", laden_und_dazwischen_aendern)
    aenderungen = [
        StapelAenderung(onboarding_id=o.pk, daten={"welle": "W"}, punkte=_setzen(_codes(o, 0)[:1]))
        for o in (a, b)
    ]
    vorher = Ereignis.objects.count()

    ergebnis = services.onboardings_stapel_anwenden(
        aenderungen=aenderungen,
        user=admin_user_rc,
        quelle=Quelle.IMPORT,
        nur_fehlerfreie=nur_fehlerfreie,
    )

    assert list(ergebnis.fehler) == [1]
    assert isinstance(ergebnis.fehler[1], services.Konflikt)
    assert Onboarding.objects.get(pk=b.pk).welle == ""
    assert not Checklistenpunkt.objects.filter(onboarding=b, version__gt=1).exists()
    if nur_fehlerfreie:
        assert ergebnis.geaendert == [0]
        assert Onboarding.objects.get(pk=a.pk).welle == "W"
        assert Ereignis.objects.count() == vorher + 2
    else:
        assert not ergebnis.angewendet
        assert Onboarding.objects.get(pk=a.pk).welle == ""
        assert Ereignis.objects.count() == vorher
