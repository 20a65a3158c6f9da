"""The benchmark's bulk history writer produces exactly what the onboarding services write.

``bench.nationaldaten.verlauf_erzeugen`` replays the per-record plans in memory and writes
them in bulk; ``verlauf_ueber_dienste`` sends the same plans through the real services one
call at a time. For a sample of records (covering every stage of the plan) both must leave
the same records, checklist items and audit events.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from audit.models import Aktion, Ereignis
from bench import nationaldaten
from onboarding.models import Checklistenpunkt, Onboarding


def _stichprobe() -> list[int]:
    """Open records of Bayern and Hessen whose plans end at different stages (up to
    betriebsfähig)."""
    nach_laenge: dict[int, int] = {}
    for o in (
        Onboarding.objects.filter(zusage__land__kurz__in=["BY", "HE"], geschlossen_am__isnull=True)
        .select_related("behoerde", "leistung", "zusage__land")
        .order_by("pk")
    ):
        beginn = Ereignis.objects.get(
            onboarding_id=o.pk, aktion=Aktion.ANGELEGT, objekt_typ="onboarding.onboarding"
        ).zeitpunkt
        schritte = nationaldaten.plan(
            schluessel=o.behoerde.schluessel,
            ozg_id=o.leistung.ozg_id,
            land=o.zusage.land.kurz,
            beginn=beginn,
        )
        nach_laenge.setdefault(len(schritte), o.pk)
    return sorted(nach_laenge.values())


def _ergebnis(ids: list[int]) -> dict[str, Any]:
    onboardings = list(
        Onboarding.objects.filter(pk__in=ids)
        .order_by("pk")
        .values(
            "pk",
            "status",
            "version",
            "geplant_golive",
            "ist_phase_1",
            "ist_phase_2",
            "ist_golive",
            "golive_bestaetigt_von",
            "golive_bestaetigt_am",
        )
    )
    punkte = list(
        Checklistenpunkt.objects.filter(onboarding_id__in=ids)
        .order_by("pk")
        .values("pk", "stand", "erledigt_am", "verzicht_grund", "geaendert_von", "version")
    )
    ereignisse = list(
        Ereignis.objects.filter(onboarding_id__in=ids)
        .exclude(aktion=Aktion.ANGELEGT)
        .order_by("zeitpunkt", "objekt_typ", "objekt_id", "id")
        .values(
            "zeitpunkt",
            "user",
            "quelle",
            "aktion",
            "objekt_typ",
            "objekt_id",
            "onboarding_id",
            "beschreibung",
            "aenderungen",
        )
    )
    return {"onboardings": onboardings, "punkte": punkte, "ereignisse": ereignisse}


@pytest.mark.django_db
def test_massenverlauf_schreibt_genau_was_die_dienste_schreiben() -> None:
    ids = _stichprobe()
    assert len(ids) >= 5  # several stages, including "nothing yet" and the full path
    nationaldaten._user()  # outside the rolled-back block: both paths confirm as the same user

    with transaction.atomic():
        ergebnis = nationaldaten.verlauf_erzeugen(onboarding_ids=ids)
        masse = _ergebnis(ids)
        transaction.set_rollback(True)
    assert ergebnis["ereignisse"] == len(masse["ereignisse"]) > 50

    nationaldaten.verlauf_ueber_dienste(onboarding_ids=ids)
    dienste = _ergebnis(ids)

    assert masse["onboardings"] == dienste["onboardings"]
    assert masse["punkte"] == dienste["punkte"]
    assert masse["ereignisse"] == dienste["ereignisse"]
    stati = {o["status"] for o in dienste["onboardings"]}
    assert {"unbekannt", "betriebsfaehig"} <= stati
