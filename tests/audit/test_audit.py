"""The audit history is append-only: in the database and in the application."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from audit.models import Ereignis, Quelle
from audit.services import ereignis_schreiben
from leistungen.models import Zusage
from onboarding.models import Onboarding

pytestmark = pytest.mark.django_db


@pytest.fixture
def ereignis(admin_user_rc) -> Ereignis:
    zusage = Zusage.objects.get(land__kurz="BY", leistung__ozg_id="10124")
    return ereignis_schreiben(
        user=admin_user_rc,
        quelle=Quelle.UI,
        aktion="geaendert",
        objekt=zusage,
        aenderungen={
            "frist": [dt.date(2026, 12, 31), dt.date(2027, 3, 31)],
            "land": [None, zusage.land],
        },
        beschreibung="Test",
    )


def test_event_values_are_stored_as_json(ereignis) -> None:
    ereignis.refresh_from_db()
    assert ereignis.objekt_typ == "leistungen.zusage"
    assert ereignis.aenderungen["frist"] == ["2026-12-31", "2027-03-31"]
    assert ereignis.aenderungen["land"][1]["name"] == "Bayern"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger test on PostgreSQL")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_ereignis SET beschreibung = 'gefälscht' WHERE id = %s",
        "DELETE FROM audit_ereignis WHERE id = %s",
    ],
)
def test_database_refuses_update_and_delete(ereignis, sql) -> None:
    with (
        pytest.raises(DatabaseError, match="unveränderlich"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [ereignis.pk])
    ereignis.refresh_from_db()
    assert ereignis.beschreibung == "Test"


def test_orm_update_and_delete_are_refused_too(ereignis) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        Ereignis.objects.filter(pk=ereignis.pk).update(beschreibung="x")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Ereignis.objects.filter(pk=ereignis.pk).delete()
    assert Ereignis.objects.filter(pk=ereignis.pk, beschreibung="Test").exists()


def test_admin_is_read_only_even_for_a_superuser(ereignis, admin_user_rc) -> None:
    modeladmin = admin.site._registry[Ereignis]
    request = RequestFactory().get("/admin/audit/ereignis/")
    request.user = admin_user_rc
    assert not modeladmin.has_add_permission(request)
    assert not modeladmin.has_change_permission(request, ereignis)
    assert not modeladmin.has_delete_permission(request, ereignis)
    assert modeladmin.has_view_permission(request, ereignis)
    # The onboarding records change only through the services (which write the history).
    onboarding_admin = admin.site._registry[Onboarding]
    assert not onboarding_admin.has_change_permission(request, Onboarding.objects.first())
    assert not onboarding_admin.has_delete_permission(request, Onboarding.objects.first())


def test_admin_change_post_does_not_change_an_event(ereignis, admin_user_rc, client) -> None:
    client.force_login(admin_user_rc)
    url = f"/admin/audit/ereignis/{ereignis.pk}/change/"
    assert client.get(url).status_code == 200  # view only
    response = client.post(url, {"beschreibung": "gefälscht"})
    assert response.status_code == 403
    assert (
        client.post(f"/admin/audit/ereignis/{ereignis.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    ereignis.refresh_from_db()
    assert ereignis.beschreibung == "Test"


def test_no_update_or_delete_path_in_the_audit_services() -> None:
    import audit.services as modul

    oeffentlich = {n for n in dir(modul) if not n.startswith("_") and callable(getattr(modul, n))}
    assert not {n for n in oeffentlich if "loesch" in n or "aender" in n and "ermitteln" not in n}
