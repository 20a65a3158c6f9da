"""The report archive: requesting, generating (claim, store, keep the old PDF on failure),
the weekly fan-out, who sees and requests which report, and the beat entry."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from abdeckung.models import Abdeckungsstand
from accounts.models import Rolle
from audit.models import Ereignis
from berichte import permissions, selectors, services
from berichte.models import LAUF_VERALTET, Bericht
from kommunen.models import Land
from leistungen.models import Programmteilnahme
from onboarding.models import Team
from tests.berichte.hilfen import letzter_sonntag, stichtag_einfrieren

pytestmark = pytest.mark.django_db

Status = Bericht.Status


@pytest.fixture
def stichtag() -> dt.date:
    return stichtag_einfrieren()


def _user(django_user_model, name: str, rolle: str, land: str | None = None, **extra):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_user(
        username=name,
        password="x-123-abc",
        rolle=rolle,
        land=Land.objects.get(kurz=land) if land else None,
        **extra,
    )


@pytest.fixture
def ministerium_he(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "min-he", Rolle.MINISTERIUM, "HE")


@pytest.fixture
def koordination_he(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "koord-he", Rolle.LAND_KOORDINATION, "HE")


@pytest.fixture
def gu(django_user_model):  # type: ignore[no-untyped-def]
    return _user(django_user_model, "gu", Rolle.GU_PROGRAMMBUERO)


def _ereignisse(bericht: Bericht) -> list[Ereignis]:
    return list(
        Ereignis.objects.filter(objekt_typ="berichte.bericht", objekt_id=bericht.pk).order_by("id")
    )


def _entfernen_he(tag: dt.date) -> int:
    """A real data gap: Hessen's frozen figures of ``tag`` are missing."""
    return Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.STICHTAG, stichtag=tag, land__kurz="HE"
    ).delete()[0]


# --- request --------------------------------------------------------------------------------


def test_request_creates_the_row_and_enqueues_generation_after_commit(
    ministerium_user, stichtag, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks:
        bericht = services.bericht_anfordern(scope="BY", stichtag=stichtag, user=ministerium_user)
    assert len(callbacks) == 1
    assert callbacks[0].args[0] == bericht.pk  # type: ignore[attr-defined]
    bericht.refresh_from_db()
    assert bericht.status == Status.ANGEFORDERT
    assert bericht.land == Land.objects.get(kurz="BY")
    assert bericht.angefordert_von == ministerium_user
    assert bericht.task_id == callbacks[0].args[1]  # type: ignore[attr-defined]
    assert not bericht.hat_pdf
    [ereignis] = _ereignisse(bericht)
    assert ereignis.user == ministerium_user
    assert ereignis.quelle == "ui"
    assert ereignis.aenderungen == {"status": [None, "angefordert"]}


def test_second_request_while_generation_is_under_way_changes_nothing(
    ministerium_user, stichtag, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    erster = services.bericht_anfordern(scope="HE", stichtag=stichtag, user=ministerium_user)
    with django_capture_on_commit_callbacks() as callbacks:
        zweiter = services.bericht_anfordern(scope="HE", stichtag=stichtag, user=ministerium_user)
    assert zweiter.pk == erster.pk
    assert callbacks == []
    assert Bericht.objects.count() == 1
    assert len(_ereignisse(erster)) == 1
    # A run that lost its worker may be requested again.
    Bericht.objects.filter(pk=erster.pk).update(
        status=Status.LAEUFT, begonnen_am=timezone.now() - dt.timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        dritter = services.bericht_anfordern(scope="HE", stichtag=stichtag, user=ministerium_user)
    assert len(callbacks) == 1
    assert dritter.status == Status.ANGEFORDERT


def test_unknown_scope_and_unfrozen_stichtag_are_refused_with_a_clear_message(
    ministerium_user, stichtag
):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="Unbekannter Geltungsbereich „XX“"):
        services.bericht_anfordern(scope="XX", stichtag=stichtag, user=ministerium_user)
    ohne = stichtag - dt.timedelta(days=7)
    with pytest.raises(ValidationError, match=f"Für den {ohne:%d.%m.%Y} gibt es keinen einge"):
        services.bericht_anfordern(scope="BY", stichtag=ohne, user=ministerium_user)
    assert not Bericht.objects.exists()


def test_who_may_request_which_scope(
    ministerium_user,
    ministerium_he,
    koordination_he,
    gu,
    admin_user_rc,
    django_user_model,
    stichtag,
):  # type: ignore[no-untyped-def]
    team = Team.objects.create(name="Team Hessen", land=Land.objects.get(kurz="HE"))
    rollin = _user(django_user_model, "rollin", Rolle.ROLLIN_TEAM, team=team)
    by, he = Land.objects.get(kurz="BY").pk, Land.objects.get(kurz="HE").pk
    tabelle = {
        "national": [ministerium_user, admin_user_rc],
        "BY": [ministerium_user, admin_user_rc],
        "HE": [ministerium_user, ministerium_he, koordination_he, admin_user_rc],
    }
    alle = [ministerium_user, ministerium_he, koordination_he, gu, admin_user_rc, rollin]
    for scope, land_id in (("national", None), ("BY", by), ("HE", he)):
        erlaubt = [u for u in alle if permissions.darf_anfordern(u, scope=scope, land_id=land_id)]
        assert erlaubt == tabelle[scope], scope
    with pytest.raises(PermissionDenied):
        services.bericht_anfordern(scope="BY", stichtag=stichtag, user=koordination_he)
    with pytest.raises(PermissionDenied):
        services.bericht_anfordern(scope="HE", stichtag=stichtag, user=gu)
    assert services.bericht_anfordern(scope="HE", stichtag=stichtag, user=koordination_he)


def test_national_report_is_visible_only_to_users_who_see_every_participating_land(
    ministerium_user, ministerium_he, gu
):  # type: ignore[no-untyped-def]
    assert permissions.sieht_national(ministerium_user)
    assert not permissions.sieht_national(ministerium_he)
    Programmteilnahme.objects.update(gu_beauftragt=True)
    assert permissions.sieht_national(gu)
    assert [s.code for s in selectors.sichtbare_scopes(gu)] == ["national", "BY", "HE"]
    Programmteilnahme.objects.filter(land__kurz="HE").update(gu_beauftragt=False)
    assert not permissions.sieht_national(gu)
    assert [s.code for s in selectors.sichtbare_scopes(gu)] == ["BY"]


def _archiviert(scope: str, stichtag: dt.date, inhalt: bytes = b"%PDF-1.7\n") -> Bericht:
    land = None if scope == "national" else Land.objects.get(kurz=scope)
    return Bericht.objects.create(
        scope=scope,
        land=land,
        stichtag=stichtag,
        status=Status.FERTIG,
        pdf=inhalt,
        groesse=len(inhalt),
        sha256=hashlib.sha256(inhalt).hexdigest(),
        angefordert_am=timezone.now(),
        erzeugt_am=timezone.now(),
    )


def test_land_user_sees_only_its_lands_reports(ministerium_user, ministerium_he):  # type: ignore[no-untyped-def]
    tag = letzter_sonntag()
    berichte = {s: _archiviert(s, tag) for s in ("national", "BY", "HE")}
    assert {b.scope for b in selectors.berichte_sichtbar(ministerium_he)} == {"HE"}
    assert {b.scope for b in selectors.berichte_sichtbar(ministerium_user)} == {
        "national",
        "BY",
        "HE",
    }
    from django.http import Http404

    for scope in ("national", "BY"):
        with pytest.raises(Http404):
            selectors.bericht_holen(user=ministerium_he, pk=berichte[scope].pk)
    assert selectors.bericht_holen(user=ministerium_he, pk=berichte["HE"].pk).scope == "HE"
    archiv = selectors.berichte_archiv(ministerium_he)
    assert [(e.scope.code, [b.pk for b in e.berichte]) for e in archiv] == [
        ("HE", [berichte["HE"].pk])
    ]


def test_archive_listing_reads_in_a_fixed_number_of_queries(
    ministerium_user, django_assert_num_queries
):  # type: ignore[no-untyped-def]
    tag = letzter_sonntag()
    for woche in range(4):
        for scope in ("national", "BY", "HE"):
            _archiviert(scope, tag - dt.timedelta(weeks=woche))
    # participating Länder, their names, the reports (without the PDF bytes)
    with django_assert_num_queries(3):
        archiv = selectors.berichte_archiv(ministerium_user)
    assert [e.scope.code for e in archiv] == ["national", "BY", "HE"]
    assert [len(e.berichte) for e in archiv] == [4, 4, 4]
    assert archiv[1].berichte[0].stichtag == tag  # newest first


def test_frozen_stichtage_are_the_stored_weekly_snapshots(stichtag):  # type: ignore[no-untyped-def]
    frueher = stichtag_einfrieren(stichtag - dt.timedelta(weeks=2))
    assert selectors.eingefrorene_stichtage() == [stichtag, frueher]
    assert selectors.letzter_stichtag() == stichtag


# --- generation -------------------------------------------------------------------------------


def test_generation_archives_pdf_checksum_and_data_version(ministerium_user, stichtag):  # type: ignore[no-untyped-def]
    bericht = services.bericht_anfordern(scope="BY", stichtag=stichtag, user=ministerium_user)
    ergebnis = services.bericht_erzeugen(bericht_id=bericht.pk)
    assert ergebnis is not None
    bericht = Bericht.objects.get(pk=bericht.pk)
    assert bericht.status == Status.FERTIG, bericht.fehler
    pdf = bytes(bericht.pdf)
    assert pdf.startswith(b"%PDF-")
    assert bericht.groesse == len(pdf)
    assert bericht.sha256 == hashlib.sha256(pdf).hexdigest()
    assert bericht.datenstand
    assert bericht.titel
    assert bericht.fehler == ""
    assert bericht.laeufe == 1
    assert bericht.begonnen_am <= bericht.fertig_am
    assert bericht.erzeugt_am == bericht.begonnen_am  # the time printed on the cover
    letztes = _ereignisse(bericht)[-1]
    assert letztes.quelle == "system"
    assert letztes.aenderungen["status"] == ["laeuft", "fertig"]
    assert letztes.aenderungen["sha256"] == [None, bericht.sha256]
    # Running the task again (a duplicate delivery) does nothing.
    assert services.bericht_erzeugen(bericht_id=bericht.pk) is None
    assert Bericht.objects.get(pk=bericht.pk).laeufe == 1


def test_rerun_with_unchanged_content_keeps_the_archived_version(ministerium_user, stichtag):  # type: ignore[no-untyped-def]
    bericht = services.bericht_anfordern(scope="HE", stichtag=stichtag, user=ministerium_user)
    services.bericht_erzeugen(bericht_id=bericht.pk)
    erst = Bericht.objects.get(pk=bericht.pk)
    services.bericht_anfordern(scope="HE", stichtag=stichtag, user=ministerium_user)
    services.bericht_erzeugen(bericht_id=bericht.pk)
    zweit = Bericht.objects.get(pk=bericht.pk)
    assert zweit.status == Status.FERTIG
    assert zweit.laeufe == 2
    assert zweit.sha256 == erst.sha256  # reproducible: the same Stichtag gives the same bytes
    assert zweit.erzeugt_am == erst.erzeugt_am
    assert zweit.fertig_am > erst.fertig_am
    assert "unverändert" in _ereignisse(bericht)[-1].beschreibung


def test_failed_rerun_reports_the_error_and_keeps_the_previous_pdf(ministerium_user, stichtag):  # type: ignore[no-untyped-def]
    bericht = services.bericht_anfordern(scope="HE", stichtag=stichtag, user=ministerium_user)
    services.bericht_erzeugen(bericht_id=bericht.pk)
    vorher = Bericht.objects.get(pk=bericht.pk)
    assert vorher.status == Status.FERTIG, vorher.fehler
    assert _entfernen_he(stichtag) > 0

    services.bericht_anfordern(scope="HE", stichtag=stichtag, user=ministerium_user)
    services.bericht_erzeugen(bericht_id=bericht.pk)

    nachher = Bericht.objects.get(pk=bericht.pk)
    assert nachher.status == Status.FEHLER
    assert nachher.fehler.strip()
    assert bytes(nachher.pdf) == bytes(vorher.pdf)
    assert nachher.sha256 == vorher.sha256
    assert nachher.erzeugt_am == vorher.erzeugt_am
    letztes = _ereignisse(bericht)[-1]
    assert letztes.aenderungen["status"] == ["laeuft", "fehler"]


def test_a_run_of_another_worker_is_not_taken_over_until_it_is_stale(ministerium_user, stichtag):  # type: ignore[no-untyped-def]
    bericht = services.bericht_anfordern(scope="BY", stichtag=stichtag, user=ministerium_user)
    Bericht.objects.filter(pk=bericht.pk).update(status=Status.LAEUFT, begonnen_am=timezone.now())
    assert services.bericht_erzeugen(bericht_id=bericht.pk) is None
    assert Bericht.objects.get(pk=bericht.pk).status == Status.LAEUFT
    Bericht.objects.filter(pk=bericht.pk).update(
        begonnen_am=timezone.now() - LAUF_VERALTET - dt.timedelta(seconds=1)
    )
    assert services.bericht_erzeugen(bericht_id=bericht.pk) is not None
    assert Bericht.objects.get(pk=bericht.pk).status == Status.FERTIG


def test_generation_of_a_missing_row_is_done():  # type: ignore[no-untyped-def]
    assert services.bericht_erzeugen(bericht_id=987654) is None


# --- weekly fan-out --------------------------------------------------------------------------


def test_weekly_run_requests_national_and_every_participating_land(
    stichtag, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks:
        ergebnis = services.berichte_woechentlich_anfordern()
    teilnehmende = list(
        Programmteilnahme.objects.filter(land__zusagen__isnull=False)
        .distinct()
        .order_by("land__name")
        .values_list("land__kurz", flat=True)
    )
    assert teilnehmende == ["BY", "HE"]  # Niedersachsen has no commitment yet
    assert list(ergebnis) == ["national", *teilnehmende]
    assert set(ergebnis.values()) == {"angefordert"}
    assert len(callbacks) == len(ergebnis)
    zeilen = Bericht.objects.filter(stichtag=stichtag)
    assert sorted(zeilen.values_list("scope", flat=True)) == sorted(ergebnis)
    assert not zeilen.filter(angefordert_von__isnull=False).exists()
    assert set(
        Ereignis.objects.filter(objekt_typ="berichte.bericht").values_list("quelle", flat=True)
    ) == {"system"}
    # Archived reports are left alone; running reports are not requested twice.
    Bericht.objects.filter(scope="BY").update(
        status=Status.FERTIG, pdf=b"%PDF-1.7\n", sha256="a" * 64
    )
    with django_capture_on_commit_callbacks() as callbacks:
        zweites = services.berichte_woechentlich_anfordern()
    assert zweites["BY"] == "vorhanden"
    assert callbacks == []


def test_weekly_run_without_frozen_stichtag_requests_nothing():  # type: ignore[no-untyped-def]
    assert services.berichte_woechentlich_anfordern() == {}
    assert not Bericht.objects.exists()


def test_beat_runs_the_weekly_reports_monday_0600_berlin():  # type: ignore[no-untyped-def]
    from rollout.celery import app

    eintrag = app.conf.beat_schedule["berichte-woechentlich"]
    assert eintrag["task"] == "berichte.woechentlich"
    plan = eintrag["schedule"]
    assert plan.hour == {6}
    assert plan.minute == {0}
    assert plan.day_of_week == {1}
    assert app.conf.timezone == "Europe/Berlin"
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    assert "berichte.woechentlich" in app.tasks
    assert "berichte.erzeugen" in app.tasks
