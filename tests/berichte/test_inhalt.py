"""The steering report's content: frozen figures, the week's changes, hurdles, at-risk list
and pilots for the seeded scenario (``tests/berichte/conftest.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from abdeckung.models import Abdeckungsstand
from abdeckung.prognose import prognosen
from abdeckung.selectors import abdeckung_am
from abdeckung.services import snapshot_erstellen
from audit.models import Aktion, Quelle
from audit.services import ereignis_schreiben
from berichte.inhalt import NATIONAL, Bericht, BerichtFehler, bericht_inhalt
from berichte.listen import Anzahl
from berichte.pdf import bericht_html
from kommunen.models import Land
from leistungen.models import Zusage
from onboarding.demo import DEMO_MARKER
from tests.berichte.conftest import (
    HUERDE_ALT,
    HUERDE_DANACH,
    HUERDE_GELOEST,
    HUERDE_NEU,
    STICHTAG_1,
    STICHTAG_2,
    aenderungen_nach_stichtag_2,
    rueckdatierte_korrektur,
)

pytestmark = pytest.mark.django_db

ERSTELLT = dt.datetime(2026, 11, 16, 7, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def _zeile(b: Bericht, land: str, ozg: str):  # type: ignore[no-untyped-def]
    return next(z for z in b.zeilen if z.land_kurz == land and z.ozg_id == ozg)


def test_figures_are_the_frozen_stichtag_figures_of_the_engine(szenario) -> None:  # type: ignore[no-untyped-def]
    for scope in ("BY", NATIONAL):
        b = bericht_inhalt(scope=scope, stichtag=STICHTAG_2)
        land_ids = None if scope == NATIONAL else {Land.objects.get(kurz="BY").pk}
        erwartet = abdeckung_am(stichtag=STICHTAG_2, art="stichtag", land_ids=land_ids)
        assert erwartet
        assert all(k.quelle == "stichtag" for k in erwartet)
        assert [(z.land_kurz, z.ozg_id) for z in b.zeilen] == [
            (k.land_kurz, k.ozg_id)
            for land in ([a.land_kurz for a in b.laender])
            for k in erwartet
            if k.land_kurz == land
        ]
        for k in erwartet:
            z = _zeile(b, k.land_kurz, k.ozg_id)
            assert (z.behoerden.zahl.zaehler, z.behoerden.zahl.nenner) == (
                k.behoerden_live,
                k.behoerden_gesamt,
            )
            assert (z.gemeinden.zahl.zaehler, z.gemeinden.zahl.nenner) == (
                k.gemeinden_live,
                k.gemeinden_gesamt,
            )
            assert (z.bevoelkerung.zahl.zaehler, z.bevoelkerung.zahl.nenner) == (
                k.einwohner_live,
                k.einwohner_gesamt,
            )
            assert z.bevoelkerung.quote == k.bevoelkerung.text
    assert {a.land_kurz for a in bericht_inhalt(scope="BY", stichtag=STICHTAG_2).laender} == {"BY"}


def test_change_since_the_previous_stichtag(szenario) -> None:  # type: ignore[no-untyped-def]
    b = bericht_inhalt(scope="BY", stichtag=STICHTAG_2)
    assert b.vorheriger_stichtag == STICHTAG_1
    land_id = b.zeilen[0].land_id
    vorher = {k.ozg_id: k for k in abdeckung_am(stichtag=STICHTAG_1, art="stichtag", land=land_id)}
    aufenthalt = _zeile(b, "BY", "10255")  # LRA München went live on 10.11.
    assert aufenthalt.behoerden.differenz == 1
    assert aufenthalt.behoerden.veraenderung == "+1"
    assert (
        aufenthalt.bevoelkerung.differenz
        == (aufenthalt.kennzahl.einwohner_live - vorher["10255"].einwohner_live)
        > 0
    )
    assert _zeile(b, "BY", "10124").behoerden.veraenderung == "±0"
    # The first Stichtag has nothing to compare with.
    erster = bericht_inhalt(scope="BY", stichtag=STICHTAG_1)
    assert erster.vorheriger_stichtag is None
    assert {z.behoerden.veraenderung for z in erster.zeilen} == {"–"}


def test_national_totals_sum_the_laender(szenario) -> None:  # type: ignore[no-untyped-def]
    b = bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2)
    assert sorted(a.land_kurz for a in b.laender) == ["BY", "HE"]
    alle = b.summen[-1]
    assert alle.ozg_id is None
    assert alle.behoerden.zahl.zaehler == sum(z.behoerden.zahl.zaehler for z in b.zeilen)
    assert alle.bevoelkerung.zahl.nenner == sum(z.bevoelkerung.zahl.nenner for z in b.zeilen)
    ummeldung = next(s for s in b.summen if s.ozg_id == "10124")
    assert ummeldung.laender == 2
    # Wiesbaden (HE, Führerschein) and LRA München (BY, Aufenthaltstitel) went live.
    assert alle.behoerden.differenz == 2


def test_forecast_is_the_engines_forecast_for_the_frozen_figures(szenario) -> None:  # type: ignore[no-untyped-def]
    b = bericht_inhalt(scope="BY", stichtag=STICHTAG_2)
    erwartet = prognosen(stichtag=STICHTAG_2, land_ids=[b.zeilen[0].land_id])
    for z in b.zeilen:
        p = erwartet[(z.land_id, z.leistung_id)]
        assert z.prognose is not None
        assert (z.prognose.status, z.prognose.prognose_datum) == (p.status, p.prognose_datum)
    # Nothing went live in the window except baseline records: no pace, not reachable.
    assert {z.prognose_status for z in b.zeilen} == {"nicht erreichbar"}
    assert sorted((z.land_kurz, z.ozg_id) for z in b.ausser_plan) == sorted(
        (z.land_kurz, z.ozg_id) for z in b.zeilen
    )
    assert b.ausser_plan_gesamt == len(b.zeilen)
    assert b.ausser_plan_weitere == 0
    # The most urgent first: all not reachable, so the most open authorities lead.
    offen = [z.prognose.verbleibend for z in b.ausser_plan if z.prognose]
    assert offen == sorted(offen, reverse=True)
    assert "Bayern: 0 von 5 Zusagen im Plan, 5 nicht erreichbar." in b.laender[0].satz


def test_changes_of_the_reporting_week(szenario) -> None:  # type: ignore[no-untyped-def]
    b = bericht_inhalt(scope="BY", stichtag=STICHTAG_2)
    assert b.woche_von == dt.date(2026, 11, 9)
    assert b.berichtswoche == "KW 46/2026 (09.11.–15.11.2026)"
    assert [(z.behoerde, z.leistung, z.datum, z.nachher) for z in b.neu_live.zeilen] == [
        ("Landratsamt München", "Aufenthaltstitel", dt.date(2026, 11, 10), "live")
    ]
    assert b.nicht_mehr_live.gesamt == 0
    assert [(z.behoerde, z.hinweis) for z in b.neu_blockiert.zeilen] == [
        ("Stadt Kelheim", HUERDE_NEU),
        ("Verwaltungsgemeinschaft Siegenburg", HUERDE_NEU),
    ]
    assert [(z.behoerde, z.vorher, z.nachher, z.hinweis) for z in b.verschoben.zeilen] == [
        ("Landratsamt Kelheim", "20.11.2026", "10.12.2026", "verschoben um 20 Tage"),
        ("Stadt Dachau", "12.11.2026", "12.11.2026", "Termin verstrichen, nicht live"),
    ]
    # Hessen's go-live is in the national report, not in Bayern's.
    national = bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2)
    assert {(z.land_kurz, z.behoerde) for z in national.neu_live.zeilen} == {
        ("BY", "Landratsamt München"),
        ("HE", "Stadt Wiesbaden"),
    }


def test_hurdles_open_oldest_widest_and_resolved(szenario) -> None:  # type: ignore[no-untyped-def]
    b = bericht_inhalt(scope="BY", stichtag=STICHTAG_2)
    h = b.huerden
    assert (h.offen, h.offen_blockierend, h.behoerden_blockiert, h.neu_in_woche) == (2, 2, 3, 1)
    assert h.matrix == (("Schnittstelle / Fachverfahren nicht bereit", (0, 1, 1, 0, 0, 0), 2),)
    assert h.spalten[:3] == ("Kommune", "Land", "Fachverfahrenshersteller")
    assert [z.titel for z in h.aelteste] == [HUERDE_ALT, HUERDE_NEU]
    assert h.aelteste[0].tage_offen == 75
    assert [(z.titel, z.behoerden) for z in h.breiteste] == [(HUERDE_NEU, 2), (HUERDE_ALT, 1)]
    # The PVOG hurdle (Hessen) was resolved in the week: national report only.
    assert h.geloest == ()
    national = bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2).huerden
    assert [(z.titel, z.geloest_am, z.loesung) for z in national.geloest] == [
        (HUERDE_GELOEST, dt.date(2026, 11, 13), "Behoben (Szenario)")
    ]
    assert national.offen == 2


def test_at_risk_overdue_go_lives_and_pilots(szenario) -> None:  # type: ignore[no-untyped-def]
    b = bericht_inhalt(scope="BY", stichtag=STICHTAG_2)
    assert [(z.behoerde, z.datum, z.nachher) for z in b.ueberfaellig.zeilen] == [
        ("Stadt Dachau", dt.date(2026, 11, 12), "3 Tage überfällig")
    ]
    assert [(a.land_kurz, a.leistung_name, a.anzahl) for a in b.ueberfaellig_je_zusage] == [
        ("BY", "Baugenehmigung", 1)
    ]
    assert b.ueberfaellig_matrix == (("Baugenehmigung",), (("BY", (1,), 1),))
    # As a Land × service table: services in the programme's order, only those with any.
    mehr = replace(
        b,
        ueberfaellig_je_zusage=(
            Anzahl("BY", "Baugenehmigung", 1),
            Anzahl("BY", "Ummeldung", 4),
            Anzahl("HE", "Ummeldung", 2),
        ),
    )
    assert mehr.ueberfaellig_matrix == (
        ("Ummeldung", "Baugenehmigung"),
        (("BY", (4, 1), 5), ("HE", (2, 0), 2)),
    )
    (tabelle,) = b.piloten
    assert tabelle.land_kurz == "BY"
    zeilen = {p.behoerde: p for p in tabelle.zeilen}
    assert len(zeilen) == 6
    pullach = zeilen["Gemeinde Pullach i.Isartal"]
    assert (pullach.abgedeckt, pullach.zustaendig) == (1, 1)
    assert pullach.zellen[0] == "live"
    assert set(pullach.zellen[1:]) == {"nicht zuständig"}
    kelheim = zeilen["Landratsamt Kelheim"]
    assert kelheim.zellen[tabelle.leistungen.index("Führerschein")] == "geplant"


def test_unknown_scope_weekday_and_missing_snapshot_fail_clearly(szenario) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BerichtFehler, match="Unbekannter Berichtsbereich „XY“.*national, "):
        bericht_inhalt(scope="XY", stichtag=STICHTAG_2)
    with pytest.raises(BerichtFehler, match="„NW“"):  # not taking part
        bericht_inhalt(scope="NW", stichtag=STICHTAG_2)
    with pytest.raises(BerichtFehler, match="kein Stichtag.*Sonntag"):
        bericht_inhalt(scope="BY", stichtag=dt.date(2026, 11, 14))
    with pytest.raises(BerichtFehler, match="keinen eingefrorenen Wochenstand"):
        bericht_inhalt(scope="BY", stichtag=dt.date(2026, 11, 1))
    # Case does not matter for the scope.
    assert bericht_inhalt(scope="by", stichtag=STICHTAG_2).scope == "BY"


def test_national_report_refuses_a_stichtag_frozen_without_one_land(szenario) -> None:  # type: ignore[no-untyped-def]
    Abdeckungsstand.objects.filter(
        art=Abdeckungsstand.Art.STICHTAG, stichtag=STICHTAG_2, land__kurz="HE"
    ).delete()

    with pytest.raises(BerichtFehler, match="unvollständig: es fehlen die Zahlen von Hessen"):
        bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2)
    assert bericht_inhalt(scope="BY", stichtag=STICHTAG_2).scope == "BY"


def test_a_change_after_the_stichtag_does_not_change_the_report(szenario) -> None:  # type: ignore[no-untyped-def]
    vorher = bericht_html(bericht_inhalt(scope="BY", stichtag=STICHTAG_2), erstellt_am=ERSTELLT)
    national_vorher = bericht_html(
        bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2), erstellt_am=ERSTELLT
    )
    aenderungen_nach_stichtag_2(szenario)
    nachher = bericht_html(bericht_inhalt(scope="BY", stichtag=STICHTAG_2), erstellt_am=ERSTELLT)
    assert nachher == vorher
    assert (
        bericht_html(bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2), erstellt_am=ERSTELLT)
        == national_vorher
    )
    assert HUERDE_DANACH not in nachher
    assert "Stadt Dachau" in nachher  # still overdue in last week's report


def _festgehalten(b: Bericht) -> tuple[object, ...]:
    """Everything of the content that comes from the frozen week (not the forecast)."""
    return (
        [(z.land_kurz, z.ozg_id, z.kennzahl.zahlen(), z.behoerden.differenz) for z in b.zeilen],
        b.summen,
        b.neu_live,
        b.nicht_mehr_live,
        b.neu_blockiert,
        b.verschoben,
        b.huerden,
        b.ueberfaellig,
        b.piloten,
        b.datenstand,
    )


def test_a_correction_dated_back_into_the_week_stays_out_of_the_frozen_content(szenario) -> None:  # type: ignore[no-untyped-def]
    vorher = _festgehalten(bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2))
    rueckdatierte_korrektur(szenario)
    nachher = bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2)
    assert _festgehalten(nachher) == vorher
    assert "Landratsamt München" not in {
        z.behoerde for z in nachher.neu_live.zeilen if z.leistung == "Baugenehmigung"
    }


def test_demo_notice_only_for_demo_progress_frozen_into_the_snapshot(szenario) -> None:  # type: ignore[no-untyped-def]
    assert bericht_inhalt(scope="BY", stichtag=STICHTAG_2).demo is False
    zusage = Zusage.objects.get(land__kurz="BY", leistung__ozg_id="10124")
    ereignis_schreiben(
        user=None,
        quelle=Quelle.SYSTEM,
        aktion=Aktion.GEAENDERT,
        objekt=zusage,
        aenderungen={},
        beschreibung=DEMO_MARKER,
    )
    # Written after the freeze: last week's report stays as it was.
    assert bericht_inhalt(scope="BY", stichtag=STICHTAG_2).demo is False
    frueher = dt.date(2026, 11, 1)
    snapshot_erstellen(stichtag=frueher, art="stichtag")
    b = bericht_inhalt(scope="BY", stichtag=frueher)
    assert b.demo is True
    html = bericht_html(b, erstellt_am=ERSTELLT)
    assert "Demo-Daten:" in html


# Länder, snapshot check, completeness of the snapshot (2), previous Stichtag, figures (2)
# and previous figures (2), commitments, forecast (3 with the figures given), records,
# history, hurdles, pilots (2), Gebietsstand, demo marker: the same for one Land and for all.
ANZAHL_ABFRAGEN = 20


@pytest.mark.parametrize("scope", ["BY", NATIONAL])
def test_content_reads_in_a_fixed_number_of_queries(
    szenario, django_assert_num_queries, scope: str
) -> None:  # type: ignore[no-untyped-def]
    bericht_inhalt(scope=scope, stichtag=STICHTAG_2)  # warm caches (content types, …)
    with django_assert_num_queries(ANZAHL_ABFRAGEN):
        b = bericht_inhalt(scope=scope, stichtag=STICHTAG_2)
    assert len(b.zeilen) == (5 if scope == "BY" else 10)
