"""Commitments: every change is audited, a new commitment gets its onboarding records, and
a changed responsibility keeps the records in step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import Aktion, Ereignis, Quelle
from leistungen.models import Leistung, Zusage
from leistungen.tasks import zustaendigkeiten_aufloesen_task
from onboarding.models import Onboarding
from onboarding.services import onboardings_abgleichen, zusage_anlegen
from tests.onboarding.helfer import admin, land

pytestmark = pytest.mark.django_db

WAFFEN = "10151"


def test_new_commitment_via_admin_is_audited_and_enqueues_onboarding_records(
    client, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    client.force_login(admin())
    hessen = land("HE")
    waffen = Leistung.objects.get(ozg_id=WAFFEN)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("admin:leistungen_zusage_add"),
            {
                "land": hessen.pk,
                "leistung": waffen.pk,
                "frist": "31.12.2027",
                "zugesagt_am": "01.12.2026",
                "quelle": "Kabinettsbeschluss (Test)",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    zusage = Zusage.objects.get(land=hessen, leistung=waffen)
    assert zusage.frist == dt.date(2027, 12, 31)
    ereignis = Ereignis.objects.get(objekt_typ="leistungen.zusage", objekt_id=zusage.pk)
    assert ereignis.aktion == Aktion.ANGELEGT
    assert ereignis.quelle == Quelle.UI
    assert ereignis.aenderungen["frist"] == [None, "2027-12-31"]
    assert len(callbacks) == 1  # the onboarding task for the new commitment
    # What the task does, run here directly: every responsible authority gets a record.
    onboardings_abgleichen(zusage=zusage)
    assert Onboarding.objects.filter(zusage=zusage, geschlossen_am__isnull=True).count() > 0


def test_changing_a_deadline_in_the_admin_is_audited(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin())
    zusage = Zusage.objects.filter(land__kurz="BY").first()
    assert zusage is not None
    url = reverse("admin:leistungen_zusage_change", args=[zusage.pk])
    response = client.post(url, {"frist": "30.06.2027", "zugesagt_am": "", "quelle": zusage.quelle})
    assert response.status_code == 302, response.content.decode()[:2000]
    zusage.refresh_from_db()
    assert zusage.frist == dt.date(2027, 6, 30)
    ereignis = Ereignis.objects.filter(objekt_typ="leistungen.zusage", objekt_id=zusage.pk).get()
    assert ereignis.aenderungen["frist"] == ["2026-12-31", "2027-06-30"]


def test_commitments_cannot_be_deleted_in_the_admin(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(admin())
    zusage = Zusage.objects.first()
    response = client.post(
        reverse("admin:leistungen_zusage_delete", args=[zusage.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Zusage.objects.filter(pk=zusage.pk).exists()


def test_a_second_commitment_for_the_same_pair_is_refused() -> None:
    zusage = Zusage.objects.select_related("land", "leistung").first()
    from onboarding.services import Ungueltig

    with pytest.raises(Ungueltig, match="schon eine Zusage"):
        zusage_anlegen(
            land_id=zusage.land_id,
            leistung_id=zusage.leistung_id,
            user=admin(),
            daten={"frist": "2026-12-31"},
            quelle=Quelle.UI,
        )


def test_re_resolving_responsibility_enqueues_onboarding_sync_per_commitment(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    bayern = land("BY")
    with django_capture_on_commit_callbacks() as callbacks:
        zustaendigkeiten_aufloesen_task.run(land_id=bayern.pk)
    assert len(callbacks) == Zusage.objects.filter(land=bayern).count() == 5
