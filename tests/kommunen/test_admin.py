"""Territory admin: the "Grenze geladen" column comes from an EXISTS, never the JSON."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kommunen.models import Grenze, Kreis


@pytest.mark.django_db
def test_kreis_changelist_shows_which_kreise_have_a_boundary_without_reading_it(
    admin_user_rc,  # type: ignore[no-untyped-def]
) -> None:
    client = Client()
    client.force_login(admin_user_rc)
    muenchen = Kreis.objects.get(ars="09184")
    Grenze.objects.create(kreis=muenchen, geometrie={"type": "Polygon", "coordinates": []})
    url = reverse("admin:kommunen_kreis_changelist")

    with CaptureQueriesContext(connection) as queries:
        antwort = client.get(url, {"q": "09184"})
    ohne = client.get(url, {"q": "09183"})

    assert antwort.status_code == 200
    assert "icon-yes.svg" in antwort.content.decode()
    assert "icon-no.svg" not in antwort.content.decode()
    assert "icon-no.svg" in ohne.content.decode()
    assert not any('"geometrie"' in q["sql"] for q in queries)
