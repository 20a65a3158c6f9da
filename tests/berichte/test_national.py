"""The national report at scale (issue #6): one burn-up per service summed over the Länder
with the national forecast rule, one funnel of all services, capped lists with exact counts,
the chart renderer started with a Celery worker process, the fonts decompressed once."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from abdeckung.models import Abdeckungsstand
from abdeckung.prognose import prognosen
from abdeckung.selectors import abdeckung_am
from berichte import pdf as pdf_modul
from berichte import tasks
from berichte.format import zahl
from berichte.grafiken import grafiken_bauen
from berichte.inhalt import NATIONAL, bericht_inhalt
from berichte.listen import LAND, BehoerdeZeile, _liste
from berichte.listen import NATIONAL as NATIONAL_KAPPUNG
from berichte.national import nationale_prognose, nationaler_burnup
from berichte.pdf import bericht_html
from dashboard.selectors.land import Burnup, BurnupPunkt
from tests.berichte.conftest import STICHTAG_1, STICHTAG_2

ERSTELLT = dt.datetime(2026, 11, 16, 7, 30, tzinfo=ZoneInfo("Europe/Berlin"))
W = Abdeckungsstand.Art.STICHTAG


def _punkt(tag: dt.date, live: int, gesamt: int, quelle: str = W) -> BurnupPunkt:
    return BurnupPunkt(tag, live, gesamt, live * 100, gesamt * 100, quelle)


def _burnup(
    land: str,
    ist: list[BurnupPunkt],
    frist: dt.date,
    prognose: Any = None,
) -> Burnup:
    return Burnup(
        land_kurz=land[:2].upper(),
        land_name=land,
        leistung_id=7,
        ozg_id="99001",
        leistung_name="Testleistung",
        stichtag=ist[-1].datum,
        frist=frist,
        zugesagt_am=ist[0].datum,
        ist=tuple(ist),
        ziel=((ist[0].datum, ist[0].behoerden_live), (frist, ist[-1].behoerden_gesamt)),
        prognose=prognose,
        prognose_linie=(),
        prognose_hinweis="",
    )


class _P:
    """The two fields of a forecast the national rule reads."""

    def __init__(self, datum: dt.date | None) -> None:
        self.prognose_datum = datum
        self.rate_pro_woche = Decimal("1") if datum else Decimal("0")


T0, T1, T2, T3 = (dt.date(2026, 10, 18), dt.date(2026, 10, 25), dt.date(2026, 11, 1),
                  dt.date(2026, 11, 8))  # fmt: skip


def test_national_burnup_sums_the_laender_committed_by_each_day() -> None:
    a = _burnup(
        "Aland",
        [_punkt(T0, 0, 10), _punkt(T1, 2, 10), _punkt(T2, 4, 10), _punkt(T3, 6, 10)],
        dt.date(2026, 12, 31),
        _P(dt.date(2027, 1, 10)),
    )
    # Bland commits later (T1, between two of Aland's Stichtage) and has a daily figure.
    b = _burnup(
        "Bland",
        [_punkt(T1 + dt.timedelta(days=2), 1, 20, "berechnet"), _punkt(T3, 5, 20)],
        dt.date(2027, 6, 30),
        _P(dt.date(2027, 3, 1)),
    )
    n, p = nationaler_burnup([a, b], stichtag=T3, land_name="2 Ländern")
    assert [(x.datum, x.behoerden_live, x.behoerden_gesamt) for x in n.ist] == [
        (T0, 0, 10),
        (T1, 2, 10),  # Bland not committed yet
        (T1 + dt.timedelta(days=2), 3, 30),  # Aland carried forward from T1
        (T2, 5, 30),
        (T3, 11, 30),
    ]
    assert n.ist[-1].einwohner_live == 1100
    assert n.ist[-1].quelle == W
    assert n.ist[2].quelle == "berechnet"
    # Target: the sum of both lines; a step where Bland's commitment starts; at the
    # latest deadline all authorities of both.
    assert n.ziel[0] == (T0, 0)
    assert n.ziel[-1] == (dt.date(2027, 6, 30), 30)
    schritt = [v for d, v in n.ziel if d == T1 + dt.timedelta(days=2)]
    assert len(schritt) == 2
    assert schritt[1] - schritt[0] == 1
    b0, b1 = T1 + dt.timedelta(days=2), dt.date(2027, 6, 30)
    ende_a = dt.date(2026, 12, 31)
    assert dict(n.ziel)[ende_a] == round(10 + 1 + 19 * (ende_a - b0).days / (b1 - b0).days)
    assert n.frist == dt.date(2027, 6, 30)
    # Forecast: flächendeckend when every Land is, so the latest projected date.
    assert (p.prognose_datum, p.letztes_land, p.ohne) == (dt.date(2027, 3, 1), "Bland", ())
    assert n.prognose_linie == ((T3, 11), (dt.date(2027, 3, 1), 30))
    assert "01.03.2027 (zuletzt Bland)" in p.text


def test_national_forecast_none_if_one_open_land_has_none() -> None:
    fertig = _burnup("Cland", [_punkt(T0, 3, 5), _punkt(T3, 5, 5)], dt.date(2026, 12, 31))
    offen = _burnup("Aland", [_punkt(T0, 0, 10), _punkt(T3, 6, 10)], dt.date(2026, 12, 31), _P(T3))
    stillstand = _burnup(
        "Bland", [_punkt(T0, 0, 10), _punkt(T3, 0, 10)], dt.date(2026, 12, 31), _P(None)
    )
    # A Land with everything connected does not need a forecast.
    p = nationale_prognose([fertig, replace(offen, prognose=_P(dt.date(2027, 2, 1)))])
    assert (p.offen, p.prognose_datum, p.ohne) == (1, dt.date(2027, 2, 1), ())
    n, p = nationaler_burnup([fertig, offen, stillstand], stichtag=T3, land_name="3 Ländern")
    assert (p.prognose_datum, p.ohne) == (None, ("Bland",))
    assert n.prognose_linie == ()
    assert n.prognose_hinweis == "keine Prognose: ohne Tempo in Bland"
    assert nationale_prognose([fertig]).text.startswith("keine Prognose nötig")


@pytest.mark.django_db
def test_national_charts_are_one_burnup_per_service_and_one_funnel(szenario: Any) -> None:
    b = bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2)
    g = grafiken_bauen(b)
    assert g.laender == ()
    leistungen = sorted({z.ozg_id for z in b.zeilen})
    assert [ng.ozg_id for ng in g.leistungen] == leistungen
    assert len(g.alle()) == 1 + 1 + len(leistungen)
    kennzahlen = abdeckung_am(stichtag=STICHTAG_2, art="stichtag")
    vorher = abdeckung_am(stichtag=STICHTAG_1, art="stichtag")
    for ng in g.leistungen:
        eigene = [k for k in kennzahlen if k.ozg_id == ng.ozg_id]
        assert set(ng.laender) == {k.land_kurz for k in eigene}
        # The last point is the engine's frozen figures summed over the Länder.
        zeile = next(z for z in ng.burnup.tabelle.zeilen if z[0] == "15.11.2026")
        live = sum(k.behoerden_live for k in eigene)
        gesamt = sum(k.behoerden_gesamt for k in eigene)
        assert zeile[1] == f"{zahl(live)} von {zahl(gesamt)}"
        summe = next(s for s in b.summen if s.ozg_id == ng.ozg_id)
        assert (summe.behoerden.zahl.zaehler, summe.behoerden.zahl.nenner) == (live, gesamt)
        alt = [k for k in vorher if k.ozg_id == ng.ozg_id]
        spur = next(s for s in ng.burnup.figur["data"] if s["name"].startswith("Ist"))
        punkte = dict(zip(spur["x"], spur["y"], strict=True))
        assert punkte[STICHTAG_1.isoformat()] == sum(k.behoerden_live for k in alt)
        wo = "1 Land" if len(eigene) == 1 else f"{len(eigene)} Ländern"
        assert f"Summe über {wo}:" in ng.burnup.alt
        # In the scenario nothing has a pace in the window: no national forecast, named.
        assert "keine Prognose: ohne Tempo in" in ng.burnup.alt
    # One funnel: every authority × service pair once, the counts per service in its table.
    assert g.trichter is not None
    gesamt_spalte = [int(z[-1].replace(".", "")) for z in g.trichter.tabelle.zeilen]
    assert sum(gesamt_spalte) == sum(k.behoerden_gesamt for k in kennzahlen)
    assert len(g.trichter.tabelle.kopf) == 2 + len(leistungen)
    for z in g.trichter.tabelle.zeilen:
        assert sum(int(x.replace(".", "")) for x in z[1:-1]) == int(z[-1].replace(".", ""))


@pytest.mark.django_db
def test_national_forecast_rule_is_stated_and_land_reports_unchanged(szenario: Any) -> None:
    national = bericht_html(
        bericht_inhalt(scope=NATIONAL, stichtag=STICHTAG_2), erstellt_am=ERSTELLT
    )
    assert "Phasen aller Leistungen" in national
    assert "national erst flächendeckend, wenn sie es in jedem Land ist" in national
    by = bericht_inhalt(scope="BY", stichtag=STICHTAG_2)
    land = bericht_html(by, erstellt_am=ERSTELLT)
    assert "Phasen aller Leistungen" not in land
    assert "national erst flächendeckend" not in land
    g = grafiken_bauen(by)
    assert g.leistungen == ()
    assert g.trichter is None
    assert len(g.laender[0].leistungen) == len(by.zeilen)
    assert all(lg.trichter is not None for lg in g.laender[0].leistungen)
    erwartet = prognosen(stichtag=STICHTAG_2, land_ids=[by.zeilen[0].land_id])
    for lg in g.laender[0].leistungen:
        p = erwartet[(lg.zeile.land_id, lg.zeile.leistung_id)]
        assert lg.zeile.prognose is not None
        assert lg.zeile.prognose.prognose_datum == p.prognose_datum


def _eintraege(n: int) -> list[tuple[Any, BehoerdeZeile]]:
    return [
        ((i,), BehoerdeZeile("BY", f"Gemeinde {i:03d}", "Kreis", "Ummeldung", None, "–", "live"))
        for i in range(n)
    ]


def test_long_lists_are_capped_with_exact_counts() -> None:
    national = _liste(
        "Neu live", "Behörden", list(reversed(_eintraege(60))), "leer", NATIONAL_KAPPUNG
    )
    assert (len(national.zeilen), national.gesamt, national.weitere) == (25, 60, 35)
    assert national.zeilen[0].behoerde == "Gemeinde 000"  # sorted by relevance key
    land = _liste("Neu live", "Behörden", _eintraege(60), "leer", LAND)
    assert (len(land.zeilen), land.gesamt, land.weitere) == (40, 60, 20)
    kurz = _liste("Neu live", "Behörden", _eintraege(3), "leer", NATIONAL_KAPPUNG)
    assert kurz.weitere == 0
    html = render_to_string(
        "berichte/bericht/_liste.html",
        {"liste": national, "k_vorher": "vorher", "k_nachher": "nachher"},
    )
    assert "(die ersten 25 von 60)" in html
    assert "… und 35 weitere (vollständig in den Landesberichten und im Rollout-Cockpit)." in html
    assert html.count("<tr>") == 1 + 25
    html = render_to_string(
        "berichte/bericht/_liste.html",
        {"liste": land, "k_vorher": "vorher", "k_nachher": "nachher"},
    )
    assert "… und 20 weitere (vollständig im Rollout-Cockpit)." in html


def test_worker_process_starts_the_chart_renderer(monkeypatch: pytest.MonkeyPatch) -> None:
    from celery.signals import worker_process_init

    assert tasks._zeichner_im_worker_starten in [r for _, r in worker_process_init.receivers]
    gestartet: list[bool] = []
    monkeypatch.setattr(pdf_modul, "zeichner_vorstarten", lambda: gestartet.append(True))
    tasks._zeichner_im_worker_starten(sender=None)
    assert gestartet == [True]


def test_background_start_is_skipped_when_running(monkeypatch: pytest.MonkeyPatch) -> None:
    laeuft = type("Z", (), {"pid": __import__("os").getpid()})()
    monkeypatch.setattr(pdf_modul, "_zeichner", laeuft)
    assert pdf_modul.zeichner_vorstarten() is None
    aufrufe: list[bool] = []
    monkeypatch.setattr(pdf_modul, "_zeichner", None)
    monkeypatch.setattr(pdf_modul, "zeichner_starten", lambda: aufrufe.append(True))
    faden = pdf_modul.zeichner_vorstarten()
    assert faden is not None
    faden.join(5)
    assert aufrufe == [True]


def test_fonts_are_the_bytes_weasyprint_would_decompress(monkeypatch: pytest.MonkeyPatch) -> None:
    from fontTools.ttLib import woff2

    pfad = Path(settings.BASE_DIR) / "static/vendor/kern/fonts/fira-sans/FiraSans-Regular.woff2"
    erwartet = io.BytesIO()
    woff2.decompress(io.BytesIO(pfad.read_bytes()), erwartet)
    monkeypatch.setattr(pdf_modul, "_schriften", {})
    assert pdf_modul._truetype(pfad) == erwartet.getvalue()
    # From the file cache the second time (no decompression).
    monkeypatch.setattr(pdf_modul, "_schriften", {})
    monkeypatch.setattr(woff2, "decompress", lambda *_: pytest.fail("nicht aus dem Cache"))
    assert pdf_modul._truetype(pfad) == erwartet.getvalue()
    antwort = pdf_modul._url_holer().fetch(pfad.as_uri())
    assert antwort.read() == erwartet.getvalue()
