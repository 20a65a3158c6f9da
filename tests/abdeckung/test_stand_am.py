""" "Stand am D": the figures replayed from the history equal the snapshot stored at D."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from abdeckung.models import Abdeckungsstand, Statusintervall
from abdeckung.selectors import abdeckung_am
from abdeckung.services import (
    abdeckung_aktualisieren,
    abdeckung_berechnen,
    snapshot_erstellen,
    snapshots_nachtragen,
    statusintervalle_neu_aufbauen,
)
from onboarding.services import huerde_loesen
from tests.abdeckung.helfer import blockieren, onboarding, status_setzen
from tests.onboarding.helfer import admin

pytestmark = pytest.mark.django_db

# A Sunday in the commitment period (the records exist from 21 Jan 2026).
BEGINN = dt.date(2026, 3, 1)


def um(tag: dt.date, stunde: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(tag, dt.time(stunde)))


def gespeichert(art: str, tag: dt.date) -> dict:
    return {
        (z.land_id, z.leistung_id, z.kreis_id): (
            z.behoerden_live,
            z.behoerden_gesamt,
            z.gemeinden_live,
            z.gemeinden_gesamt,
            z.einwohner_live,
            z.einwohner_gesamt,
            z.blockiert,
            *sorted(z.status_zaehlung.items()),
        )
        for z in Abdeckungsstand.objects.filter(art=art, stichtag=tag)
    }


def berechnet(tag: dt.date) -> dict:
    kennzahlen = abdeckung_berechnen(stichtag=tag) + abdeckung_berechnen(
        stichtag=tag, je_kreis=True
    )
    return {k.schluessel: k.zahlen() for k in kennzahlen}


def test_stand_am_equals_the_snapshot_stored_that_day_for_every_day() -> None:
    chef = admin()
    kelheim = onboarding("092730137137", "10124")
    siegenburg = onboarding("092735218", "10124")
    lra = onboarding("09273", "10169")
    wiesbaden = onboarding("064140000000", "10169")
    tage = [BEGINN + dt.timedelta(days=i) for i in range(8)]
    huerde = None
    # Day by day as the nightly job would see it: the day's changes (with their real,
    # backdated time), then the snapshot of that day.
    for i, tag in enumerate(tage):
        if i == 1:
            status_setzen(kelheim, "in_klaerung", user=chef, zeitpunkt=um(tag, 9))
            status_setzen(lra, "geplant", user=chef, zeitpunkt=um(tag, 23))
        if i == 2:
            status_setzen(kelheim, "live", user=chef, zeitpunkt=um(tag, 10))
            huerde = blockieren([siegenburg, wiesbaden], user=chef, zeitpunkt=um(tag, 11))
        if i == 3:
            status_setzen(siegenburg, "betriebsfaehig", user=chef, zeitpunkt=um(tag, 8))
            status_setzen(kelheim, "phase_3", user=chef, zeitpunkt=um(tag, 12))  # back again
        if i == 5:
            huerde_loesen(
                huerde_id=huerde.pk,
                user=chef,
                version=huerde.version,
                loesung="Modul ausgeliefert",
                datum=tag,
                quelle="system",
                zeitpunkt=um(tag, 14),
            )
            status_setzen(wiesbaden, "live", user=chef, zeitpunkt=um(tag, 15))
        if i == 6:
            # Just before midnight belongs to this day, just after to the next.
            status_setzen(lra, "live", user=chef, zeitpunkt=um(tag, 23) + dt.timedelta(minutes=59))
        if i == 7:
            status_setzen(lra, "phase_1", user=chef, zeitpunkt=um(tag, 0))
        snapshot_erstellen(stichtag=tag, art=Abdeckungsstand.Art.TAEGLICH)
        if tag.weekday() == 6:
            snapshot_erstellen(stichtag=tag, art=Abdeckungsstand.Art.STICHTAG)

    for tag in tage:
        assert gespeichert(Abdeckungsstand.Art.TAEGLICH, tag) == berechnet(tag), tag
    assert gespeichert(Abdeckungsstand.Art.STICHTAG, tage[0]) == berechnet(tage[0])
    assert gespeichert(Abdeckungsstand.Art.STICHTAG, tage[7]) == berechnet(tage[7])

    # The figures really moved over the days (the comparison above is not trivial).
    def kelheim_ummeldung(tag: dt.date) -> tuple[int, int]:
        (k,) = abdeckung_am(
            stichtag=tag, kreis=kelheim.behoerde.gemeinde.kreis_id, leistung=kelheim.leistung_id
        )
        return k.behoerden_live, k.blockiert

    # Siegenburg (in Kreis Kelheim) is blocked from day 2 until the hurdle is solved on day
    # 5; Stadt Kelheim is live on day 2 and back in phase 3 on day 3, when Siegenburg
    # becomes betriebsfähig.
    assert [kelheim_ummeldung(t) for t in tage] == [
        (0, 0),
        (0, 0),
        (1, 1),
        (1, 1),
        (1, 1),
        (1, 0),
        (1, 0),
        (1, 0),
    ]
    (lra_tag6,) = abdeckung_am(
        stichtag=tage[6], kreis=lra.behoerde.kreis_id, leistung=lra.leistung_id
    )
    (lra_tag7,) = abdeckung_am(
        stichtag=tage[7], kreis=lra.behoerde.kreis_id, leistung=lra.leistung_id
    )
    assert lra_tag6.behoerden_live == 1
    assert lra_tag7.behoerden_live == 0
    assert lra_tag6.quelle == "taeglich"


def test_intervals_rebuilt_from_scratch_reproduce_the_stored_snapshots() -> None:
    chef = admin()
    kelheim = onboarding("092730137137", "10124")
    status_setzen(kelheim, "live", user=chef, zeitpunkt=um(BEGINN, 10))
    status_setzen(kelheim, "geplant", user=chef, zeitpunkt=um(BEGINN + dt.timedelta(days=2), 10))
    ergebnis = snapshots_nachtragen(von=BEGINN, bis=BEGINN + dt.timedelta(days=7))
    assert ergebnis["tage"] == 8
    assert ergebnis["stichtage"] == 2  # 1 and 8 March 2026 are Sundays
    Statusintervall.objects.all().delete()
    statusintervalle_neu_aufbauen()
    for i in range(8):
        tag = BEGINN + dt.timedelta(days=i)
        assert gespeichert(Abdeckungsstand.Art.TAEGLICH, tag) == berechnet(tag)
    # Backfilling again leaves the frozen snapshots alone.
    assert snapshots_nachtragen(von=BEGINN, bis=BEGINN + dt.timedelta(days=7))["zeilen"] == 0


def test_snapshot_refuses_a_day_that_has_not_ended_and_a_weekday_stichtag() -> None:
    with pytest.raises(ValueError, match="noch nicht zu Ende"):
        snapshot_erstellen(stichtag=timezone.localdate(), art=Abdeckungsstand.Art.TAEGLICH)
    with pytest.raises(ValueError, match="Sonntag"):
        snapshot_erstellen(stichtag=dt.date(2026, 3, 2), art=Abdeckungsstand.Art.STICHTAG)


def test_before_the_commitment_there_are_no_figures() -> None:
    abdeckung_aktualisieren()
    assert abdeckung_berechnen(stichtag=dt.date(2026, 1, 20)) == []
    januar = abdeckung_berechnen(stichtag=dt.date(2026, 1, 21))
    assert {k.land_kurz for k in januar} == {"BY", "HE"}
    assert all(k.behoerden_live == 0 for k in januar)
