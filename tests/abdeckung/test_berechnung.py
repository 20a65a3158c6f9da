"""The three coverage numbers, checked by hand against the official populations
(GV100AD, Gebietsstand 31.08.2025) for Landkreis Kelheim and for Hessen."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from abdeckung import regeln
from abdeckung.selectors import (
    gemeinde_abdeckung,
    huerden_zaehlung,
    nationale_summen,
    phasen_trichter,
)
from abdeckung.services import Kennzahl, abdeckung_aktualisieren, abdeckung_berechnen
from kommunen.models import Gemeinde, Kreis, Land
from leistungen.models import Leistung
from onboarding.models import Onboarding
from tests.abdeckung.helfer import alle_live, blockieren, onboarding, status_setzen
from tests.onboarding.helfer import admin

pytestmark = pytest.mark.django_db

KELHEIM = "09273"


def einwohner(*ars: str) -> int:
    return Gemeinde.objects.filter(ars__in=ars).aggregate(s=Sum("einwohner"))["s"]


def kennzahl(kennzahlen: list[Kennzahl], ozg_id: str, kreis_ars: str | None = None) -> Kennzahl:
    (k,) = [k for k in kennzahlen if k.ozg_id == ozg_id and k.kreis_ars == kreis_ars]
    return k


def test_quote_is_cut_never_rounded_up_and_flaechendeckend_only_at_equality() -> None:
    assert regeln.quote_text(9_999, 10_000) == "99,99 %"
    assert regeln.quote_text(99_996, 100_000) == "99,99 %"  # 99.996 % is not 100 %
    assert regeln.quote_text(2, 3) == "66,66 %"
    assert regeln.quote_text(10_000, 10_000) == "100,00 % (flächendeckend)"
    assert regeln.quote_text(0, 0) == "–"
    with pytest.raises(ValueError, match="Zähler"):
        regeln.quote(3, 2)


def test_kelheim_numbers_match_the_hand_computed_figures() -> None:
    chef = admin()
    # Meldebehörden (10124) in Landkreis Kelheim: 8 Gemeinden on their own, 5 VGs.
    status_setzen(onboarding("092730137137", "10124"), "live", user=chef)  # Stadt Kelheim
    status_setzen(onboarding("092735218", "10124"), "betriebsfaehig", user=chef)  # VG Siegenburg
    status_setzen(onboarding("092730159159", "10124"), "geplant", user=chef)  # Markt Painten
    status_setzen(onboarding("092730111111", "10124"), "in_klaerung", user=chef)  # Abensberg
    status_setzen(onboarding("092730165165", "10124"), "phase_2", user=chef)  # Markt Rohr
    blockieren([onboarding("092735217", "10124")], user=chef)  # VG Langquaid, still unbekannt
    # Führerschein (10169): the Landratsamt Kelheim serves the whole Kreis.
    status_setzen(onboarding("09273", "10169"), "live", user=chef)

    # Official populations of the units involved (Gemeindeverzeichnis 31.08.2025).
    assert einwohner("092730137137") == 17_066  # Kelheim, St
    assert (
        einwohner("092735218172", "092735218181", "092735218177", "092735218119", "092735218139")
        == 4_160 + 1_422 + 1_957 + 1_401 + 934  # VG Siegenburg: Siegenburg, Wildenberg,
    )  # Train, Biburg, Kirchdorf
    kreis = Kreis.objects.get(ars=KELHEIM)
    alle = Gemeinde.objects.filter(kreis=kreis)
    assert alle.aggregate(s=Sum("einwohner"))["s"] == kreis.einwohner == 126_037
    assert alle.exclude(typ__in=Gemeinde.GEMEINDEFREI_TYPEN).count() == 24
    assert alle.filter(typ__in=Gemeinde.GEMEINDEFREI_TYPEN).count() == 3  # unbewohnt

    with CaptureQueriesContext(connection) as queries:
        kennzahlen = abdeckung_berechnen(je_kreis=True, land_ids=[kreis.land_id])
    assert len(queries) == 1

    ummeldung = kennzahl(kennzahlen, "10124", KELHEIM)
    assert (ummeldung.behoerden_live, ummeldung.behoerden_gesamt) == (1 + 1, 8 + 5)
    assert (ummeldung.gemeinden_live, ummeldung.gemeinden_gesamt) == (1 + 5, 24)
    assert ummeldung.einwohner_live == 17_066 + (4_160 + 1_422 + 1_957 + 1_401 + 934)
    assert ummeldung.einwohner_gesamt == 126_037
    assert ummeldung.behoerden.text == "15,38 %"  # 2 / 13 = 15.384…
    assert ummeldung.bevoelkerung.text == "21,37 %"  # 26 940 / 126 037 = 21.374…
    assert ummeldung.status_zaehlung == {
        "live": 1,
        "betriebsfaehig": 1,
        "geplant": 1,
        "in_klaerung": 1,
        "phase_2": 1,
        "unbekannt": 13 - 5,
    }
    assert ummeldung.blockiert == 1

    fuehrerschein = kennzahl(kennzahlen, "10169", KELHEIM)
    assert (fuehrerschein.behoerden_live, fuehrerschein.behoerden_gesamt) == (1, 1)
    assert (fuehrerschein.gemeinden_live, fuehrerschein.gemeinden_gesamt) == (24, 24)
    assert (fuehrerschein.einwohner_live, fuehrerschein.einwohner_gesamt) == (126_037, 126_037)
    assert fuehrerschein.bevoelkerung.text == "100,00 % (flächendeckend)"
    assert fuehrerschein.bevoelkerung.flaechendeckend


def test_hessen_numbers_match_the_hand_computed_figures() -> None:
    chef = admin()
    hessen = Land.objects.get(kurz="HE")
    # Führerschein (10169): 21 Kreisausschüsse, 5 kreisfreie Städte and Hanau (kreisfrei
    # since 1 Jan 2026) = 27 authorities. Pilots Wiesbaden, Kassel and Wetteraukreis go live.
    status_setzen(onboarding("064140000000", "10169"), "live", user=chef)  # Wiesbaden
    status_setzen(onboarding("066110000000", "10169"), "betriebsfaehig", user=chef)  # Kassel
    status_setzen(onboarding("06440", "10169"), "live", user=chef)  # Wetteraukreis
    status_setzen(onboarding("06439", "10169"), "phase_3", user=chef)  # Rheingau-Taunus

    assert einwohner("064140000000") == 288_850
    assert einwohner("066110000000") == 197_230
    wetterau = Gemeinde.objects.filter(kreis__ars="06440")
    assert wetterau.count() == 25
    assert wetterau.aggregate(s=Sum("einwohner"))["s"] == 311_593
    he = Gemeinde.objects.filter(land=hessen)
    assert he.aggregate(s=Sum("einwohner"))["s"] == hessen.einwohner == 6_280_793
    assert he.exclude(typ__in=Gemeinde.GEMEINDEFREI_TYPEN).count() == 421

    k = kennzahl(abdeckung_berechnen(land_ids=[hessen.pk]), "10169")
    assert (k.behoerden_live, k.behoerden_gesamt) == (3, 21 + 5 + 1)
    assert (k.gemeinden_live, k.gemeinden_gesamt) == (1 + 1 + 25, 421)
    assert k.einwohner_live == 288_850 + 197_230 + 311_593
    assert k.einwohner_gesamt == 6_280_793
    assert k.behoerden.text == "11,11 %"  # 3 / 27
    assert k.gemeinden.text == "6,41 %"  # 27 / 421 = 6.413…
    assert k.bevoelkerung.text == "12,70 %"  # 797 673 / 6 280 793 = 12.7002…
    assert not k.bevoelkerung.flaechendeckend


def test_hessen_all_but_the_smallest_gemeinde_is_99_percent_not_100() -> None:
    chef = admin()
    hessen = Land.objects.get(kurz="HE")
    weissenborn = "066360015015"  # the smallest Gemeinde of Hessen
    assert einwohner(weissenborn) == 963
    offen = list(
        Onboarding.objects.filter(
            zusage__land=hessen, leistung__ozg_id="10124", geschlossen_am__isnull=True
        ).exclude(behoerde__schluessel=weissenborn)
    )
    assert len(offen) == 420
    # 420 service calls would take half a minute: set the status directly, with the audit
    # events the services would write.
    alle_live(offen, user=chef)

    k = kennzahl(abdeckung_berechnen(land_ids=[hessen.pk]), "10124")
    assert (k.behoerden_live, k.behoerden_gesamt) == (420, 421)
    assert (k.einwohner_live, k.einwohner_gesamt) == (6_280_793 - 963, 6_280_793)
    # 6 279 830 / 6 280 793 = 99.98466… %: cut, never rounded, never "flächendeckend".
    assert k.bevoelkerung.text == "99,98 %"
    assert k.behoerden.text == "99,76 %"  # 420 / 421 = 99.7624…
    assert not k.bevoelkerung.flaechendeckend

    status_setzen(onboarding(weissenborn, "10124"), "live", user=chef)
    k = kennzahl(abdeckung_berechnen(land_ids=[hessen.pk]), "10124")
    assert k.bevoelkerung.text == "100,00 % (flächendeckend)"
    assert k.behoerden.flaechendeckend
    assert k.gemeinden.flaechendeckend


def test_gemeinde_shows_which_committed_services_are_usable() -> None:
    chef = admin()
    status_setzen(onboarding("09273", "10169"), "live", user=chef)
    kelheim_stadt = Gemeinde.objects.get(ars="092730137137")
    zeilen = {z.ozg_id: z for z in gemeinde_abdeckung(gemeinde=kelheim_stadt)}
    assert set(zeilen) == {"10124", "10169", "10519", "10255", "10151"}
    assert zeilen["10169"].nutzbar
    assert zeilen["10169"].behoerde_name == "Landratsamt Kelheim"
    assert not zeilen["10124"].nutzbar
    assert zeilen["10124"].status == "unbekannt"


def test_funnel_keeps_unbekannt_apart_from_not_started() -> None:
    chef = admin()
    status_setzen(onboarding("092730159159", "10124"), "geplant", user=chef)
    status_setzen(onboarding("092730111111", "10124"), "in_klaerung", user=chef)
    abdeckung_aktualisieren()  # the funnel reads the stored live figures
    bayern = Land.objects.get(kurz="BY")
    leistung = Leistung.objects.get(ozg_id="10124")
    stufen = {s.status: s for s in phasen_trichter(land=bayern, leistung=leistung)}
    gesamt = kennzahl(abdeckung_berechnen(land_ids=[bayern.pk]), "10124").behoerden_gesamt
    assert stufen["geplant"].anzahl == 1
    assert stufen["geplant"].gruppe == "noch_nicht_begonnen"
    assert stufen["in_klaerung"].anzahl == 1
    assert stufen["unbekannt"].anzahl == gesamt - 2
    assert stufen["unbekannt"].gruppe == "unbekannt"
    assert sum(s.anzahl for s in stufen.values()) == gesamt


def test_hurdles_are_counted_by_category_and_owner_per_land() -> None:
    chef = admin()
    blockieren([onboarding("092735217", "10124"), onboarding("09273", "10169")], user=chef)
    by = huerden_zaehlung(land=Land.objects.get(kurz="BY"))
    assert by.gesamt == 1
    assert by.blockierend == 1
    assert by.nach_kategorie == {"schnittstelle": 1}
    assert by.nach_verantwortlich == {"fachverfahren": 1}
    assert huerden_zaehlung(land=Land.objects.get(kurz="HE")).gesamt == 0


def test_national_totals_add_up_the_laender() -> None:
    chef = admin()
    status_setzen(onboarding("09273", "10169"), "live", user=chef)
    status_setzen(onboarding("064140000000", "10169"), "live", user=chef)
    abdeckung_aktualisieren()
    summen = {s.ozg_id: s for s in nationale_summen(stichtag=None)}
    fuehrerschein = summen["10169"]
    assert fuehrerschein.laender == 2
    assert fuehrerschein.behoerden_live == 2
    assert fuehrerschein.einwohner_live == 126_037 + 288_850
    assert fuehrerschein.einwohner_gesamt == 13_248_928 + 6_280_793  # BY + HE
    assert summen[None].behoerden_live == 2
