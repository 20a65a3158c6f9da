"""The roll-in workflow's write services: rules, messages, audit events, history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import Rolle
from audit.models import Ereignis, Quelle
from audit.selectors import ereignisse_fuer_onboarding, onboarding_stand_am
from leistungen.models import Leistung, Zusage, Zustaendigkeit, ZustaendigkeitsAusnahme
from leistungen.services import zustaendigkeiten_aufloesen
from onboarding.models import ChecklistenVorlage, Huerde, Onboarding, Status
from onboarding.selectors import arbeitsliste, onboarding_detail, phasen_fortschritt
from onboarding.services import (
    Konflikt,
    Ungueltig,
    checklisten_vorlage_import,
    checklistenpunkt_setzen,
    golive_bestaetigen,
    huerde_aktualisieren,
    huerde_erfassen,
    huerde_loesen,
    onboarding_aktualisieren,
    onboardings_abgleichen,
    team_zuweisen,
    zusage_aktualisieren,
)
from tests.onboarding import helfer as h

pytestmark = pytest.mark.django_db

HUERDE = {
    "titel": "Modul XMeld 5.2 fehlt",
    "kategorie": "schnittstelle",
    "verantwortlich": "fachverfahren",
    "schwere": "hoch",
}


def _zp(tag: str, stunde: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(tag).replace(hour=stunde))


def _events(o: Onboarding, **kw) -> list[Ereignis]:
    return list(Ereignis.objects.filter(onboarding_id=o.pk, **kw).order_by("id"))


# --- template and records --------------------------------------------------------------


def test_session_has_one_open_record_with_22_items_per_responsible_authority() -> None:
    by_ummeldung = Zusage.objects.get(land__kurz="BY", leistung__ozg_id="10124")
    zustaendig = (
        Zustaendigkeit.objects.gueltig_am(timezone.localdate())
        .filter(leistung=by_ummeldung.leistung, gemeinde__land=by_ummeldung.land)
        .values("behoerde")
        .distinct()
        .count()
    )
    assert Onboarding.objects.filter(zusage=by_ummeldung).count() == zustaendig
    o = h.onboarding(h.PULLACH, "10124")
    assert o.status == Status.UNBEKANNT
    assert [len(h.punkte(o, phase)) for phase in range(4)] == [5, 8, 6, 3]
    assert _events(o)[0].aktion == "angelegt"


def test_template_import_is_idempotent_and_a_change_makes_a_new_version(tmp_path) -> None:
    assert checklisten_vorlage_import() == {"neu": 0, "unveraendert": 1}
    o = h.onboarding(h.PULLACH, "10124")
    texte_vorher = [p.text for p in h.punkte(o)]

    from django.conf import settings

    daten = json.loads((settings.FIXTURES_DIR / "checkliste.json").read_text(encoding="utf-8"))
    daten["vorlagen"][0]["punkte"][5]["text"] = "Anschlussart gewählt (neu formuliert)"
    datei = tmp_path / "checkliste.json"
    datei.write_text(json.dumps(daten), encoding="utf-8")

    assert checklisten_vorlage_import(pfad=datei) == {"neu": 1, "unveraendert": 0}
    assert checklisten_vorlage_import(pfad=datei) == {"neu": 0, "unveraendert": 1}
    versionen = ChecklistenVorlage.objects.filter(leistung__isnull=True).order_by("version")
    assert [(v.version, v.aktiv) for v in versionen] == [(1, False), (2, True)]
    # Existing records keep the items they copied.
    assert [p.text for p in h.punkte(o)] == texte_vorher
    assert o.vorlage.version == 1


def test_template_with_duplicate_code_is_refused(tmp_path) -> None:
    datei = tmp_path / "c.json"
    punkt = {"phase": 1, "code": "x", "text": "X"}
    datei.write_text(json.dumps({"vorlagen": [{"punkte": [punkt, punkt]}]}), encoding="utf-8")
    with pytest.raises(Ungueltig, match="Code 'x' doppelt"):
        checklisten_vorlage_import(pfad=datei)


def test_abgleich_is_idempotent() -> None:
    anzahl = Onboarding.objects.count()
    ergebnis = onboardings_abgleichen()
    assert ergebnis["angelegt"] == 0
    assert ergebnis["geschlossen"] == 0
    assert ergebnis["unveraendert"] == anzahl
    assert Onboarding.objects.count() == anzahl


def test_abgleich_follows_responsibility_changes_and_never_deletes() -> None:
    heute = timezone.localdate()
    bau = Leistung.objects.get(ozg_id="10519")
    fuehrerschein = Leistung.objects.get(ozg_id="10169")
    dachau = h.behoerde(h.DACHAU)
    alt = h.onboarding(h.DACHAU, "10519")
    # Dachau hands the Bauaufsicht back to the Landratsamt (exception ends yesterday) and
    # takes over driving licences from today (new exception).
    ZustaendigkeitsAusnahme.objects.filter(behoerde=dachau, leistung=bau).update(
        gueltig_bis=heute - dt.timedelta(days=1)
    )
    ZustaendigkeitsAusnahme.objects.create(
        behoerde=dachau, leistung=fuehrerschein, grund="Test: Führerscheinstelle", gueltig_ab=heute
    )
    zustaendigkeiten_aufloesen(land=h.land("BY"), leistung=bau)
    zustaendigkeiten_aufloesen(land=h.land("BY"), leistung=fuehrerschein)

    ergebnis = onboardings_abgleichen()

    assert ergebnis["geschlossen"] == 1
    assert ergebnis["angelegt"] == 1
    alt.refresh_from_db()
    assert alt.geschlossen_am == heute
    assert alt.status == Status.NICHT_ZUSTAENDIG
    assert "nicht mehr für" in alt.geschlossen_grund
    geschlossen = _events(alt, aktion="geschlossen")
    assert geschlossen[0].aenderungen["status"] == ["unbekannt", "nicht_zustaendig"]
    neu = h.onboarding(h.DACHAU, "10169")
    assert neu.status == Status.UNBEKANNT
    assert len(h.punkte(neu)) == 22
    # The Landratsamt Dachau keeps its records (it still serves the other Gemeinden).
    assert h.onboarding("09174", "10169").geschlossen_am is None
    assert onboardings_abgleichen()["angelegt"] == 0
    # A closed record cannot be edited any more.
    admin = h.admin()
    with pytest.raises(Ungueltig, match="geschlossen"):
        onboarding_aktualisieren(
            onboarding_id=alt.pk,
            user=admin,
            version=alt.version,
            daten={"welle": "1"},
            quelle=Quelle.UI,
        )


# --- editing a record ---------------------------------------------------------------------


def test_aktualisieren_writes_one_event_with_before_and_after() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    t = h.team("Team Oberbayern", "BY")
    ergebnis = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=admin,
        version=o.version,
        daten={"welle": "Welle 2", "geplant_phase_1": "2026-12-15", "team": t.pk},
        quelle=Quelle.IMPORT,
    )
    assert ergebnis.version == o.version + 1
    assert ergebnis.welle == "Welle 2"
    assert ergebnis.geplant_phase_1 == dt.date(2026, 12, 15)
    (e,) = _events(o, aktion="geaendert")
    assert e.user == admin
    assert e.quelle == "import"
    assert e.aenderungen["welle"] == ["", "Welle 2"]
    assert e.aenderungen["geplant_phase_1"] == [None, "2026-12-15"]
    assert e.aenderungen["team"] == [None, {"id": t.pk, "name": "Team Oberbayern"}]
    assert e.aenderungen["version"] == [o.version, o.version + 1]


def test_aktualisieren_without_change_writes_nothing() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    vorher = Ereignis.objects.count()
    ergebnis = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=admin,
        version=o.version,
        daten={"welle": "", "status": "unbekannt"},
        quelle=Quelle.UI,
    )
    assert ergebnis.version == o.version
    assert Ereignis.objects.count() == vorher


def test_stale_version_gets_conflict_with_the_other_persons_change() -> None:
    anna, ben = h.admin("anna"), h.admin("ben")
    o = h.onboarding(h.PULLACH, "10124")
    onboarding_aktualisieren(
        onboarding_id=o.pk, user=anna, version=o.version, daten={"welle": "A"}, quelle=Quelle.UI
    )
    with pytest.raises(Konflikt) as info:
        onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=ben,
            version=o.version,
            daten={"welle": "B"},
            quelle=Quelle.UI,
        )
    assert info.value.aktuell.welle == "A"
    assert [e.aenderungen["welle"] for e in info.value.ereignisse] == [["", "A"]]
    assert "anna" in str(info.value)
    assert h.frisch(o).welle == "A"


@pytest.mark.parametrize(
    ("daten", "meldung"),
    [
        ({"ist_phase_1": "2999-01-01"}, "liegt in der Zukunft"),
        ({"status": "nicht_zustaendig"}, "nur vom System"),
        ({"status": "fertig"}, "Unbekannter Status"),
        ({"geplant_golive": "31.12.2026"}, "kein gültiges Datum"),
        ({"blockiert": True}, "können nicht geändert werden: blockiert"),
        (
            {"status": "phase_2"},
            "Status „in Phase 2 (organisatorisches Onboarding)“ ist noch nicht möglich: "
            "13 Pflichtpunkt(e)",
        ),
        ({"status": "betriebsfaehig"}, "„betriebsfähig“ kann nur auf „live“ folgen"),
    ],
)
def test_aktualisieren_refuses_invalid_changes_with_a_message(daten, meldung) -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    with pytest.raises(Ungueltig) as info:
        onboarding_aktualisieren(
            onboarding_id=o.pk, user=admin, version=o.version, daten=daten, quelle=Quelle.UI
        )
    assert meldung in info.value.messages[0]
    assert h.frisch(o).version == o.version


def test_forward_status_names_the_missing_items_and_backwards_is_allowed() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    with pytest.raises(Ungueltig, match="Phase 0: Ansprechpersonen benannt"):
        onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=admin,
            version=o.version,
            daten={"status": "phase_1"},
            quelle=Quelle.UI,
        )
    h.phasen_erledigen(o, 0, user=admin)
    o = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=admin,
        version=o.version,
        daten={"status": "phase_1"},
        quelle=Quelle.UI,
    )
    assert o.status == Status.PHASE_1
    o = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=admin,
        version=o.version,
        daten={"status": "in_klaerung"},
        quelle=Quelle.UI,
    )
    assert o.status == Status.IN_KLAERUNG
    assert _events(o, aktion="geaendert")[-1].aenderungen["status"] == ["phase_1", "in_klaerung"]


def test_baseline_record_may_go_live_without_checklist() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    o = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=admin,
        version=o.version,
        daten={"baseline": True, "status": "live", "ist_golive": "2025-03-01"},
        quelle=Quelle.UI,
    )
    assert o.status == Status.LIVE
    assert o.golive_bestaetigt_von == admin
    assert o.ist_golive == dt.date(2025, 3, 1)


def test_team_member_may_not_change_the_team_and_team_must_work_in_the_land() -> None:
    admin = h.admin()
    t = h.team("Team BY 1", "BY")
    o = h.onboarding(h.PULLACH, "10124")
    team_zuweisen(onboarding_ids=[o.pk], team=t, user=admin, quelle=Quelle.UI)
    o = h.frisch(o)
    mitglied = h.user("mitglied", Rolle.ROLLIN_TEAM, team=t)
    with pytest.raises(PermissionDenied):
        onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=mitglied,
            version=o.version,
            daten={"team": None},
            quelle=Quelle.UI,
        )
    with pytest.raises(Ungueltig, match="arbeitet in Hessen"):
        onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=admin,
            version=o.version,
            daten={"team": h.team("Team HE", "HE")},
            quelle=Quelle.UI,
        )


# --- checklist ----------------------------------------------------------------------------


def test_waiver_needs_a_reason_and_shows_in_the_derivation() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    epayment = next(p for p in h.punkte(o, 1) if p.code == "p1_epayment")
    with pytest.raises(Ungueltig, match="ist ein Grund nötig"):
        checklistenpunkt_setzen(
            punkt_id=epayment.pk,
            user=admin,
            version=epayment.version,
            stand="verzichtet",
            verzicht_grund="  ",
            quelle=Quelle.UI,
        )
    checklistenpunkt_setzen(
        punkt_id=epayment.pk,
        user=admin,
        version=epayment.version,
        stand="verzichtet",
        verzicht_grund="keine Gebühren",
        quelle=Quelle.UI,
    )
    stand = phasen_fortschritt(onboarding_detail(onboarding_id=o.pk))[1]
    assert stand.text == (
        "Phase 1: 1 von 8 erledigt, davon 1 verzichtet: ePayment angebunden (falls Gebühren "
        "anfallen; sonst Verzicht mit Grund) (keine Gebühren)"
    )
    (e,) = _events(o, objekt_typ="onboarding.checklistenpunkt")
    assert e.aenderungen["stand"] == ["offen", "verzichtet"]
    assert e.aenderungen["verzicht_grund"] == ["", "keine Gebühren"]


def test_item_done_date_may_not_be_in_the_future_and_stale_item_version_conflicts() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    p = h.punkte(o, 0)[0]
    with pytest.raises(Ungueltig, match="liegt in der Zukunft"):
        checklistenpunkt_setzen(
            punkt_id=p.pk,
            user=admin,
            version=p.version,
            stand="erledigt",
            erledigt_am=dt.date(2999, 1, 1),
            quelle=Quelle.UI,
        )
    checklistenpunkt_setzen(
        punkt_id=p.pk, user=admin, version=p.version, stand="erledigt", quelle=Quelle.UI
    )
    with pytest.raises(Konflikt) as info:
        checklistenpunkt_setzen(
            punkt_id=p.pk, user=admin, version=p.version, stand="offen", quelle=Quelle.UI
        )
    assert info.value.aktuell.stand == "erledigt"
    assert len(info.value.ereignisse) == 1


def test_completing_a_phase_advances_the_status_but_never_to_live() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    h.phasen_erledigen(o, 0, user=admin)
    o = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=admin,
        version=h.frisch(o).version,
        daten={"status": "phase_1"},
        quelle=Quelle.UI,
    )
    h.phasen_erledigen(o, 1, user=admin)
    o = h.frisch(o)
    assert o.status == Status.PHASE_2
    assert o.ist_phase_1 == timezone.localdate()
    auto = _events(o, objekt_typ="onboarding.onboarding")[-1]
    assert auto.aenderungen["status"] == ["phase_1", "phase_2"]
    assert auto.user == admin
    assert "Phase 1 abgeschlossen" in auto.beschreibung
    h.phasen_erledigen(o, 2, 3, user=admin)
    assert h.frisch(o).status == Status.PHASE_3
    fortschritt = phasen_fortschritt(onboarding_detail(onboarding_id=o.pk))
    assert [s.text for s in fortschritt] == [
        "Phase 0 erledigt: 5 von 5",
        "Phase 1 erledigt: 8 von 8",
        "Phase 2 erledigt: 6 von 6",
        "Phase 3 erledigt: 3 von 3",
    ]


# --- go-live ------------------------------------------------------------------------------


def test_golive_requires_earlier_phases_and_records_who_confirmed() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    with pytest.raises(Ungueltig) as info:
        golive_bestaetigen(
            onboarding_id=o.pk,
            user=admin,
            version=o.version,
            datum=dt.date(2026, 11, 2),
            quelle=Quelle.UI,
        )
    assert "19 Pflichtpunkt(e)" in info.value.messages[0]
    assert "Phase 2: Mitarbeitende geschult" in info.value.messages[0]
    h.phasen_erledigen(o, 0, 1, 2, user=admin)
    o = h.frisch(o)
    with pytest.raises(Ungueltig, match="in der Zukunft"):
        golive_bestaetigen(
            onboarding_id=o.pk,
            user=admin,
            version=o.version,
            datum=dt.date(2999, 1, 1),
            quelle=Quelle.UI,
        )
    o = golive_bestaetigen(
        onboarding_id=o.pk,
        user=admin,
        version=o.version,
        datum=dt.date(2026, 11, 2),
        quelle=Quelle.UI,
    )
    assert o.status == Status.LIVE
    assert o.ist_golive == dt.date(2026, 11, 2)
    assert o.golive_bestaetigt_von == admin
    assert o.golive_bestaetigt_am is not None
    e = _events(o, objekt_typ="onboarding.onboarding")[-1]
    assert e.aenderungen["status"] == ["unbekannt", "live"]
    assert e.aenderungen["golive_bestaetigt_von"] == [None, {"id": admin.pk, "name": "admin-g"}]
    assert "bestätigt von admin-g" in e.beschreibung
    with pytest.raises(Ungueltig, match="bereits bestätigt"):
        golive_bestaetigen(
            onboarding_id=o.pk,
            user=admin,
            version=o.version,
            datum=dt.date(2026, 11, 2),
            quelle=Quelle.UI,
        )
    with pytest.raises(Ungueltig, match="Phase 3: Go-live-Termin"):
        onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=admin,
            version=o.version,
            daten={"status": "betriebsfaehig"},
            quelle=Quelle.UI,
        )


# --- hurdles ------------------------------------------------------------------------------


def test_one_hurdle_blocks_many_and_resolving_unblocks_unless_another_holds() -> None:
    admin = h.admin()
    records = list(Onboarding.objects.filter(zusage__land__kurz="BY", leistung__ozg_id="10169")[:3])
    ids = [o.pk for o in records]
    vendor = huerde_erfassen(user=admin, daten=HUERDE, onboarding_ids=ids, quelle=Quelle.UI)
    assert Onboarding.objects.filter(pk__in=ids, blockiert=True).count() == 3
    personal = huerde_erfassen(
        user=admin,
        daten={"titel": "Zu wenig Personal", "kategorie": "personal", "verantwortlich": "kommune"},
        onboarding_ids=[ids[0]],
        quelle=Quelle.UI,
    )
    with pytest.raises(Ungueltig, match="Lösungsvermerk"):
        huerde_loesen(
            huerde_id=vendor.pk,
            user=admin,
            version=vendor.version,
            loesung=" ",
            datum=timezone.localdate(),
            quelle=Quelle.UI,
        )
    vendor = huerde_loesen(
        huerde_id=vendor.pk,
        user=admin,
        version=vendor.version,
        loesung="Release 5.2 da",
        datum=timezone.localdate(),
        quelle=Quelle.UI,
    )
    assert vendor.stand == Huerde.Stand.GELOEST
    blockiert = dict(Onboarding.objects.filter(pk__in=ids).values_list("pk", "blockiert"))
    assert blockiert == {ids[0]: True, ids[1]: False, ids[2]: False}
    assert _events(records[1], objekt_typ="onboarding.onboarding")[-1].aenderungen == {
        "blockiert": [True, False]
    }
    # The record's timeline shows the hurdle's own events too.
    timeline = ereignisse_fuer_onboarding(onboarding_id=ids[1])
    assert {e.objekt_typ for e in timeline} >= {"onboarding.huerde", "onboarding.onboarding"}
    personal = huerde_aktualisieren(
        huerde_id=personal.pk,
        user=admin,
        version=personal.version,
        daten={"blockierend": False},
        quelle=Quelle.UI,
    )
    assert not Onboarding.objects.filter(pk__in=ids, blockiert=True).exists()
    with pytest.raises(Konflikt):
        huerde_aktualisieren(
            huerde_id=personal.pk,
            user=admin,
            version=1,
            daten={"schwere": "kritisch"},
            quelle=Quelle.UI,
        )


def test_hurdle_needs_fields_and_links() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    with pytest.raises(Ungueltig, match="fehlen: Titel, Verantwortlich"):
        huerde_erfassen(
            user=admin, daten={"kategorie": "pvog"}, onboarding_ids=[o.pk], quelle=Quelle.UI
        )
    with pytest.raises(Ungueltig, match="mindestens einem Onboarding"):
        huerde_erfassen(user=admin, daten=HUERDE, onboarding_ids=[], quelle=Quelle.UI)
    with pytest.raises(Ungueltig, match="Kategorie: 'wetter' ist nicht vorgesehen"):
        huerde_erfassen(
            user=admin,
            daten={**HUERDE, "kategorie": "wetter"},
            onboarding_ids=[o.pk],
            quelle=Quelle.UI,
        )


def test_failed_resolution_leaves_every_record_blocked(monkeypatch) -> None:
    from django.db import transaction

    from onboarding.services import huerden

    admin = h.admin()
    ids = list(
        Onboarding.objects.filter(zusage__land__kurz="BY", leistung__ozg_id="10255").values_list(
            "pk", flat=True
        )[:40]
    )
    huerde = huerde_erfassen(user=admin, daten=HUERDE, onboarding_ids=ids, quelle=Quelle.UI)

    def kaputt(**kwargs):
        raise RuntimeError("Datenbank weg")

    monkeypatch.setattr(huerden, "ereignisse_anlegen", kaputt)
    with pytest.raises(RuntimeError), transaction.atomic():
        huerde_loesen(
            huerde_id=huerde.pk,
            user=admin,
            version=huerde.version,
            loesung="gelöst",
            datum=timezone.localdate(),
            quelle=Quelle.UI,
        )
    assert Onboarding.objects.filter(pk__in=ids, blockiert=True).count() == 40
    huerde.refresh_from_db()
    assert huerde.stand == Huerde.Stand.OFFEN


# --- teams and commitments ----------------------------------------------------------------


def test_team_assignment_counts_changes_and_is_all_or_nothing() -> None:
    admin = h.admin()
    t = h.team("Team Süd", "BY")
    by = list(Onboarding.objects.filter(zusage__land__kurz="BY").values_list("pk", flat=True)[:5])
    assert team_zuweisen(onboarding_ids=by, team=t, user=admin, quelle=Quelle.UI) == 5
    assert team_zuweisen(onboarding_ids=by, team=t, user=admin, quelle=Quelle.UI) == 0
    koordination = h.user("koord", Rolle.LAND_KOORDINATION, land=h.land("BY"))
    he = h.onboarding(h.WIESBADEN, "10124")
    with pytest.raises(PermissionDenied):
        team_zuweisen(onboarding_ids=[by[0], he.pk], team=None, user=koordination, quelle="ui")
    assert Onboarding.objects.filter(pk=by[0], team=t).exists()
    assert team_zuweisen(onboarding_ids=by[:2], team=None, user=koordination, quelle="ui") == 2


def test_commitment_change_is_audited() -> None:
    koordination = h.user("koord", Rolle.LAND_KOORDINATION, land=h.land("BY"))
    zusage = Zusage.objects.get(land__kurz="BY", leistung__ozg_id="10124")
    zusage_aktualisieren(
        zusage_id=zusage.pk, user=koordination, daten={"frist": "2027-03-31"}, quelle=Quelle.UI
    )
    e = Ereignis.objects.get(objekt_typ="leistungen.zusage", objekt_id=zusage.pk)
    assert e.aenderungen == {"frist": ["2026-12-31", "2027-03-31"]}
    assert e.user == koordination
    with pytest.raises(Ungueltig, match="Frist liegt vor dem Datum der Zusage"):
        zusage_aktualisieren(
            zusage_id=zusage.pk, user=koordination, daten={"frist": "2025-01-01"}, quelle="ui"
        )


# --- history ------------------------------------------------------------------------------


def test_status_on_1_july_is_replayed_from_backdated_history() -> None:
    admin = h.admin()
    o = h.onboarding(h.PULLACH, "10124")
    schritte = [
        ("2026-02-10", {"status": "in_klaerung"}),
        ("2026-05-04", {"status": "geplant", "welle": "Welle 1"}),
    ]
    for tag, daten in schritte:
        o = onboarding_aktualisieren(
            onboarding_id=o.pk,
            user=admin,
            version=o.version,
            daten=daten,
            quelle=Quelle.UI,
            zeitpunkt=_zp(tag),
        )
    for p in h.punkte(o, 0):
        checklistenpunkt_setzen(
            punkt_id=p.pk,
            user=admin,
            version=p.version,
            stand="erledigt",
            erledigt_am=dt.date(2026, 6, 20),
            quelle=Quelle.UI,
            zeitpunkt=_zp("2026-06-20"),
        )
    o = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=admin,
        version=h.frisch(o).version,
        daten={"status": "phase_1"},
        quelle=Quelle.UI,
        zeitpunkt=_zp("2026-07-02", 8),
    )

    am_1_juli = onboarding_stand_am(onboarding_id=o.pk, stichtag=dt.date(2026, 7, 1))
    assert am_1_juli["status"] == "geplant"
    assert am_1_juli["welle"] == "Welle 1"
    assert am_1_juli["punkte"]["p0_ansprechpersonen"] == "erledigt"
    assert am_1_juli["punkte"]["p1_anschlussart"] == "offen"
    assert onboarding_stand_am(onboarding_id=o.pk, stichtag=dt.date(2026, 7, 2))["status"] == (
        "phase_1"
    )
    assert onboarding_stand_am(onboarding_id=o.pk, stichtag=dt.date(2026, 3, 1))["status"] == (
        "in_klaerung"
    )
    # The commitment dates from 21 Jan 2026: the record existed from then on, not before.
    assert onboarding_stand_am(onboarding_id=o.pk, stichtag=dt.date(2026, 1, 21))["status"] == (
        "unbekannt"
    )
    assert onboarding_stand_am(onboarding_id=o.pk, stichtag=dt.date(2026, 1, 20)) is None


def test_timeline_filters_by_user_and_day() -> None:
    anna, ben = h.admin("anna"), h.admin("ben")
    o = h.onboarding(h.PULLACH, "10124")
    o = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=anna,
        version=o.version,
        daten={"welle": "1"},
        quelle=Quelle.UI,
        zeitpunkt=_zp("2026-03-01"),
    )
    o = onboarding_aktualisieren(
        onboarding_id=o.pk,
        user=ben,
        version=o.version,
        daten={"welle": "2"},
        quelle=Quelle.API,
        zeitpunkt=_zp("2026-04-01"),
    )
    alle = list(ereignisse_fuer_onboarding(onboarding_id=o.pk))
    assert [e.aktion for e in alle] == ["geaendert", "geaendert", "angelegt"]
    nur_ben = ereignisse_fuer_onboarding(onboarding_id=o.pk, user_id=ben.pk)
    assert [e.aenderungen["welle"] for e in nur_ben] == [["1", "2"]]
    maerz = ereignisse_fuer_onboarding(
        onboarding_id=o.pk, von=dt.date(2026, 3, 1), bis=dt.date(2026, 3, 1)
    )
    assert [e.user for e in maerz] == [anna]


# --- work queue ---------------------------------------------------------------------------


def test_work_queue_views_and_filters() -> None:
    admin = h.admin()
    t = h.team("Team Queue", "BY")
    a = h.onboarding(h.PULLACH, "10124")
    b = h.onboarding(h.LRA_MUENCHEN, "10169")
    c = h.onboarding(h.DACHAU, "10519")
    team_zuweisen(onboarding_ids=[a.pk, b.pk, c.pk], team=t, user=admin, quelle=Quelle.UI)
    mitglied = h.user("queue", Rolle.ROLLIN_TEAM, team=t)
    onboarding_aktualisieren(
        onboarding_id=a.pk,
        user=mitglied,
        version=h.frisch(a).version,
        daten={"geplant_phase_1": "2026-06-30"},
        quelle=Quelle.UI,
    )
    huerde_erfassen(user=mitglied, daten=HUERDE, onboarding_ids=[b.pk], quelle=Quelle.UI)

    def liste(**f):
        return list(arbeitsliste(user=mitglied, filter=f))

    assert {o.pk for o in liste()} == {a.pk, b.pk, c.pk}
    assert [o.pk for o in liste(ansicht="ueberfaellig")] == [a.pk]
    assert [o.pk for o in liste(ansicht="blockiert")] == [b.pk]
    assert liste(ansicht="zuletzt_geaendert")[0].pk in {a.pk, b.pk}
    naechste = {o.pk: o.naechster_schritt for o in liste(ansicht="naechster_schritt")}
    assert naechste[a.pk] == "Nachnutzungsvertrag des Landes abgeschlossen"
    assert [o.pk for o in liste(leistung="10169")] == [b.pk]
    assert [o.pk for o in liste(q="pullach")] == [a.pk]
    assert liste(land="HE") == []
    assert liste(status="live") == []
    # Another team's member sees none of these in their queue.
    fremd = h.user("fremd", Rolle.ROLLIN_TEAM, team=h.team("Team Nord", "BY"))
    assert list(arbeitsliste(user=fremd, filter={})) == []


def test_abgleich_task_for_one_new_commitment_creates_its_records() -> None:
    from onboarding.tasks import onboardings_abgleichen_task

    zusage = Zusage.objects.create(
        land=h.land("HE"),
        leistung=Leistung.objects.get(ozg_id="10519"),
        frist=dt.date(2027, 6, 30),
        zugesagt_am=dt.date(2026, 9, 1),
    )
    zustaendigkeiten_aufloesen(land=h.land("HE"), leistung=zusage.leistung)
    zustaendig = (
        Zustaendigkeit.objects.gueltig_am(timezone.localdate())
        .filter(leistung=zusage.leistung, gemeinde__land=zusage.land)
        .values("behoerde")
        .distinct()
        .count()
    )
    ergebnis = onboardings_abgleichen_task(zusage_id=zusage.pk)
    assert ergebnis["angelegt"] == zustaendig
    assert onboardings_abgleichen_task(zusage_id=zusage.pk)["angelegt"] == 0
    assert onboardings_abgleichen_task(zusage_id=999_999) == {"uebersprungen": 1}
