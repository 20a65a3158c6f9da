"""The overview (start page, issue #5): KPI cards, Land × service matrix with forecast and
trend, htmx refresh, scope of Land users and the pinned query budget."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from abdeckung.models import Abdeckungsstand
from abdeckung.prognose import prognosen
from abdeckung.regeln import quote_text
from abdeckung.selectors import abdeckung_am
from abdeckung.services import abdeckung_aktualisieren, snapshot_erstellen
from accounts.models import Rolle
from dashboard.selectors.uebersicht import prognose_cache as uebersicht_prognose_cache
from kommunen.models import Land
from leistungen.models import Behoerde, Zusage
from onboarding.models import Onboarding
from tests.abdeckung.helfer import alle_live, blockieren, onboarding
from tests.onboarding import helfer as h

pytestmark = pytest.mark.django_db

URL = "/"
BIMSCHG = "10462"  # Hessen: the three Regierungspräsidien
FUEHRERSCHEIN = "10169"


@pytest.fixture(autouse=True)
def _leerer_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _zahl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _text(html: str) -> str:
    """The visible text, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _land_html(html: str, kurz: str) -> str:
    """The card of one Land in the matrix."""
    start = html.index(f'aria-labelledby="land-{kurz}"')
    ende = html.find("<article", start)
    return html[start : ende if ende != -1 else len(html)]


def _zeile(html: str, kurz: str, name: str) -> str:
    karte = _land_html(html, kurz)
    start = karte.index(f'<th scope="row" class="kern-table__header">{name}</th>')
    return karte[start : karte.index("</tr>", start)]


# --- full page ----------------------------------------------------------------------------


def test_kpi_cards_show_the_engine_figures_over_all_laender(client_ministerium):  # type: ignore[no-untyped-def]
    # One authority live, so the figures are not all zero.
    admin = h.admin()
    alle_live([onboarding("09184", FUEHRERSCHEIN)], user=admin)
    abdeckung_aktualisieren()
    kennzahlen = abdeckung_am()
    assert kennzahlen
    live = sum(k.behoerden_live for k in kennzahlen)
    gesamt = sum(k.behoerden_gesamt for k in kennzahlen)
    ew_live = sum(k.einwohner_live for k in kennzahlen)
    ew_gesamt = sum(k.einwohner_gesamt for k in kennzahlen)
    assert live == 1

    response = client_ministerium.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    kpi = response.context["uebersicht"].kpi
    assert (kpi.behoerden.zaehler, kpi.behoerden.nenner) == (live, gesamt)
    assert (kpi.bevoelkerung.zaehler, kpi.bevoelkerung.nenner) == (ew_live, ew_gesamt)
    text = _text(html)
    assert f"{_zahl(live)} von {_zahl(gesamt)} {quote_text(live, gesamt)}" in text
    assert quote_text(ew_live, ew_gesamt) in text
    # Führerschein over both Länder: München's inhabitants of BY + HE.
    fs = [k for k in kennzahlen if k.ozg_id == FUEHRERSCHEIN]
    erwartet = quote_text(sum(k.einwohner_live for k in fs), sum(k.einwohner_gesamt for k in fs))
    assert f"{fs[0].leistung_name} (2 Länder) {erwartet}" in text
    stand = min(k.berechnet_am for k in kennzahlen if k.berechnet_am)
    assert f"Stand der Abdeckungszahlen: {timezone.localtime(stand):%d.%m.%Y, %H:%M} Uhr" in text
    assert "Auf einen Blick: alle teilnehmenden Länder" in text


def test_hurdle_card_counts_open_blocking_hurdles_and_links_to_the_list(client_ministerium):  # type: ignore[no-untyped-def]
    admin = h.admin()
    huerde = blockieren([onboarding("09184", FUEHRERSCHEIN)], user=admin)
    blockieren([onboarding(h.WIESBADEN, FUEHRERSCHEIN)], user=admin)
    abdeckung_aktualisieren()

    response = client_ministerium.get(URL)
    kpi = response.context["uebersicht"].kpi
    assert kpi.huerden_blockierend == 2
    assert kpi.blockiert == 2  # two authority × service pairs blocked
    text = _text(response.content.decode())
    assert "Offene blockierende Hürden 2 blockieren 2 Paare" in text
    assert 'href="/huerden/?stand=offen"' in response.content.decode()

    # A resolved hurdle and a non-blocking one do not count.
    from onboarding.models import Huerde

    Huerde.objects.filter(pk=huerde.pk).update(
        stand=Huerde.Stand.GELOEST, geloest_am=timezone.localdate(), loesung="Modul geliefert"
    )
    assert client_ministerium.get(URL).context["uebersicht"].kpi.huerden_blockierend == 1


def test_matrix_has_a_row_per_commitment_with_three_numbers_countdown_and_links(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(URL)
    html = response.content.decode()
    heute = timezone.localdate()
    for zusage in Zusage.objects.filter(land__kurz__in=["BY", "HE"]).select_related(
        "land", "leistung"
    ):
        zeile = _zeile(html, zusage.land.kurz, zusage.leistung.kurzname)
        assert f"{zusage.frist:%d.%m.%Y}" in zeile
        assert f"noch {_zahl((zusage.frist - heute).days)} Tage" in zeile
        (k,) = abdeckung_am(land=zusage.land_id, leistung=zusage.leistung_id)
        for zaehler, nenner in (
            (k.behoerden_live, k.behoerden_gesamt),
            (k.gemeinden_live, k.gemeinden_gesamt),
            (k.einwohner_live, k.einwohner_gesamt),
        ):
            assert f"{_zahl(zaehler)}/{_zahl(nenner)}" in zeile
            assert quote_text(zaehler, nenner) in zeile
    # Headings lead to the Land page, and the map opens on the Land.
    land_url = reverse("dashboard:land", args=["BY"])
    assert f'<a class="kern-link" href="{land_url}">Bayern</a>' in html
    assert f'href="{reverse("dashboard:karte")}?land=HE"' in html
    # Tables: caption, column and row headers, keyboard-scrollable wrapper.
    assert html.count("Anbindungsstand (angebunden/gesamt, Anteil)") == len(
        response.context["laender"]
    ) - sum(1 for s in response.context["laender"] if not s.zusagen)
    assert 'scope="col"' in html
    assert 'scope="row"' in html
    assert 'class="cockpit-table-wrap" role="region"' in html


def test_forecast_badge_says_status_in_words_with_projected_date(client_ministerium):  # type: ignore[no-untyped-def]
    # Nothing is live and nothing went live in the window: no commitment can be met.
    html = client_ministerium.get(URL).content.decode()
    zeile = _zeile(
        html,
        "BY",
        Zusage.objects.get(land__kurz="BY", leistung__ozg_id=FUEHRERSCHEIN).leistung.kurzname,
    )
    assert 'class="kern-badge kern-badge--danger"' in zeile
    assert "nicht erreichbar" in zeile
    assert "kein Termin absehbar" in zeile

    # All three Regierungspräsidien live: Hessen's BImSchG commitment is complete.
    admin = h.admin()
    rps = [
        onboarding(b.schluessel, BIMSCHG)
        for b in Behoerde.objects.filter(
            onboardings__zusage__land__kurz="HE", onboardings__leistung__ozg_id=BIMSCHG
        ).distinct()
    ]
    assert len(rps) == 3
    alle_live(rps, user=admin)
    abdeckung_aktualisieren()
    cache.clear()
    response = client_ministerium.get(URL)
    zusage = Zusage.objects.get(land__kurz="HE", leistung__ozg_id=BIMSCHG)
    zeile = _zeile(response.content.decode(), "HE", zusage.leistung.kurzname)
    assert 'class="kern-badge kern-badge--success"' in zeile
    assert "im Plan" in zeile
    assert "flächendeckend erreicht" in zeile
    # The forecast is the engine's, on the figures shown.
    laender = response.context["uebersicht"].laender
    erwartet = prognosen(land_ids=[s.land.pk for s in laender])
    kpi = response.context["uebersicht"].kpi
    status = [p.status for p in erwartet.values()]
    assert kpi.nicht_erreichbar == status.count("nicht_erreichbar")
    assert kpi.gefaehrdet == status.count("gefaehrdet")
    assert kpi.zusagen == sum(1 for s in laender for z in s.zusagen if z.kennzahl)
    assert kpi.gefaehrdet_gesamt == kpi.zusagen - 1
    assert f"{kpi.gefaehrdet_gesamt} von {kpi.zusagen}" in _text(response.content.decode())


def test_commitment_that_does_not_count_yet_has_no_figures_and_no_forecast(client_ministerium):  # type: ignore[no-untyped-def]
    zusage = Zusage.objects.get(land__kurz="HE", leistung__ozg_id=BIMSCHG)
    zusage.zugesagt_am = timezone.localdate() + dt.timedelta(days=10)
    zusage.save()
    abdeckung_aktualisieren(voll=True)
    response = client_ministerium.get(URL)
    he = next(s for s in response.context["laender"] if s.land.kurz == "HE")
    zeile = next(z for z in he.zusagen if z.zusage.pk == zusage.pk)
    assert zeile.kennzahl is None
    assert zeile.prognose is None
    assert zeile.trend is not None
    assert zeile.trend.grund == "noch keine Zahlen"
    html = _zeile(response.content.decode(), "HE", zusage.leistung.kurzname)
    assert "kern-badge" not in html
    assert "noch keine Zahlen" in html


# --- trend --------------------------------------------------------------------------------


def _letzter_sonntag_vor(tag: dt.date) -> dt.date:
    return tag - dt.timedelta(days=(tag.weekday() + 1) % 7)


def test_trend_compares_with_the_weekly_stichtag_of_a_week_ago(client_ministerium):  # type: ignore[no-untyped-def]
    heute = timezone.localdate()
    vergleich = _letzter_sonntag_vor(heute - dt.timedelta(days=7))
    # Neither an older Stichtag nor a newer one (less than 7 days ago) is compared with:
    # their Führerschein rows are marked so that using them would change the trend.
    for tag in (vergleich - dt.timedelta(days=7), vergleich, vergleich + dt.timedelta(days=7)):
        if tag < heute:
            assert snapshot_erstellen(stichtag=tag, art=Abdeckungsstand.Art.STICHTAG)
        if tag != vergleich:
            Abdeckungsstand.objects.filter(
                art="stichtag",
                stichtag=tag,
                land__kurz="BY",
                leistung__ozg_id=FUEHRERSCHEIN,
                kreis=None,
            ).update(behoerden_live=5, einwohner_live=1000)
    # A pair missing from the compared Stichtag says so.
    Abdeckungsstand.objects.filter(
        art="stichtag", stichtag=vergleich, land__kurz="HE", leistung__ozg_id=BIMSCHG
    ).delete()
    damals = {
        (z.land_id, z.leistung_id): z
        for z in Abdeckungsstand.objects.filter(art="stichtag", stichtag=vergleich, kreis=None)
    }
    admin = h.admin()
    lra = onboarding("09184", FUEHRERSCHEIN)
    alle_live([lra], user=admin)
    abdeckung_aktualisieren()

    response = client_ministerium.get(URL)
    uebersicht = response.context["uebersicht"]
    assert uebersicht.vergleich_tage == [vergleich]
    by = next(s for s in uebersicht.laender if s.land.kurz == "BY")
    fs = next(z for z in by.zusagen if z.zusage.leistung.ozg_id == FUEHRERSCHEIN)
    alt = damals[(by.land.pk, fs.zusage.leistung_id)]
    assert fs.trend.vergleich_am == vergleich
    assert fs.trend.behoerden == fs.kennzahl.behoerden_live - alt.behoerden_live == 1
    assert fs.trend.einwohner == 354_396  # Landkreis München (see test_views)
    zeile = _zeile(response.content.decode(), "BY", fs.zusage.leistung.kurzname)
    assert "Behörden +1 (+1,04 Pp.)" in _text(zeile)
    assert "(+354.396 Einw.)" in zeile
    assert f"ggü. {vergleich:%d.%m.%Y}" in zeile
    # Unchanged rows say so.
    andere = next(z for z in by.zusagen if z.zusage.leistung.ozg_id != FUEHRERSCHEIN)
    assert "Behörden ±0" in _text(
        _zeile(response.content.decode(), "BY", andere.zusage.leistung.kurzname)
    )
    assert f"Wochenstichtag vom {vergleich:%d.%m.%Y}" in _text(response.content.decode())
    he = next(s for s in uebersicht.laender if s.land.kurz == "HE")
    bimschg = next(z for z in he.zusagen if z.zusage.leistung.ozg_id == BIMSCHG)
    assert bimschg.trend.vergleich_am is None
    assert bimschg.trend.grund == f"nicht im Wochenstichtag vom {vergleich:%d.%m.%Y}"


def test_without_a_stored_stichtag_the_trend_says_why(client_ministerium):  # type: ignore[no-untyped-def]
    Abdeckungsstand.objects.filter(art="stichtag").delete()
    response = client_ministerium.get(URL)
    bis = timezone.localdate() - dt.timedelta(days=7)
    grund = f"kein Wochenstichtag bis {bis:%d.%m.%Y} gespeichert"
    zeilen = [z for s in response.context["laender"] for z in s.zusagen if z.kennzahl]
    assert zeilen
    assert all(z.trend.grund == grund for z in zeilen)
    assert grund in response.content.decode()


# --- htmx, method ------------------------------------------------------------------------


def test_htmx_refresh_returns_only_the_overview_region(client_ministerium):  # type: ignore[no-untyped-def]
    voll = client_ministerium.get(URL)
    assert "HX-Request" in voll["Vary"]
    assert 'hx-get="/" hx-target="#uebersicht"' in voll.content.decode()

    response = client_ministerium.get(URL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="uebersicht"')
    assert "<html" not in html
    assert "Pilotkommunen" not in html
    assert 'role="search"' not in html
    assert "Behörden angebunden" in html
    assert 'aria-labelledby="land-BY"' in html


def test_post_is_not_allowed(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.post(URL).status_code == 405
    assert client_ministerium.post(URL, headers={"HX-Request": "true"}).status_code == 405


# --- scope --------------------------------------------------------------------------------


@pytest.mark.parametrize("rolle", [Rolle.MINISTERIUM, Rolle.LAND_KOORDINATION])
def test_hessian_land_user_sees_only_hessen(client, rolle):  # type: ignore[no-untyped-def]
    hessen = Land.objects.get(kurz="HE")
    admin = h.admin()
    # A Bavarian hurdle and a Bavarian authority live: neither may show up for Hessen.
    blockieren([onboarding("09184", FUEHRERSCHEIN)], user=admin)
    stadt = (
        Onboarding.objects.filter(
            zusage__land__kurz="BY", leistung__ozg_id=FUEHRERSCHEIN, geschlossen_am=None
        )
        .exclude(behoerde__schluessel="09184")
        .first()
    )
    alle_live([stadt], user=admin)
    abdeckung_aktualisieren()
    client.force_login(h.user("hmdi", rolle, land=hessen))

    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    uebersicht = response.context["uebersicht"]
    assert [s.land.kurz for s in uebersicht.laender] == ["HE"]
    assert 'aria-labelledby="land-BY"' not in html
    assert "Bayern" not in html
    he = abdeckung_am(land=hessen)
    assert uebersicht.kpi.behoerden.nenner == sum(k.behoerden_gesamt for k in he)
    assert uebersicht.kpi.behoerden.zaehler == 0
    assert uebersicht.kpi.huerden_blockierend == 0
    assert uebersicht.kpi.zusagen == len(he)
    # No pilot (or other) link to a Bavarian authority.
    for b in Behoerde.objects.filter(land__kurz="BY", ist_pilot=True):
        assert reverse("leistungen:behoerde", args=[b.schluessel]) not in html
    assert "Auf einen Blick: Hessen" in _text(html)
    assert 'href="/huerden/?stand=offen&amp;land=HE"' in html

    # The htmx fragment is scoped the same way.
    fragment = client.get(URL, headers={"HX-Request": "true"}).content.decode()
    assert "Bayern" not in fragment
    assert "Hessen" in fragment


def test_land_user_of_a_land_outside_the_programme_sees_an_empty_overview(client):  # type: ignore[no-untyped-def]
    client.force_login(h.user("saar", Rolle.MINISTERIUM, land=Land.objects.get(kurz="SL")))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["uebersicht"].laender == []
    assert "Ihr Land nimmt (noch) nicht am Programm teil." in response.content.decode()
    assert "Bayern" not in response.content.decode()


# --- query budget -------------------------------------------------------------------------


def test_query_count_is_fixed_with_several_laender_committed(
    client_ministerium, django_assert_num_queries, django_assert_max_num_queries, monkeypatch
):  # type: ignore[no-untyped-def]
    from leistungen.models import Leistung
    from onboarding.services import onboardings_abgleichen

    # Niedersachsen joins with Führerschein: three Länder committed.
    Zusage.objects.create(
        land=Land.objects.get(kurz="NI"),
        leistung=Leistung.objects.get(ozg_id=FUEHRERSCHEIN),
        frist=dt.date(2026, 12, 31),
        zugesagt_am=dt.date(2026, 3, 1),
    )
    onboardings_abgleichen()
    abdeckung_aktualisieren(voll=True)
    client_ministerium.get(URL)  # footer look-ups cached, forecasts cached
    # Session, user, Länder, commitments, stored figures (2), trend rows, newest audit
    # event, hurdles, pilots: 10, plus the forecasts (3) when they are not cached.
    with django_assert_num_queries(10):
        response = client_ministerium.get(URL)
    assert len([s for s in response.context["laender"] if s.zusagen]) == 3
    monkeypatch.setattr(uebersicht_prognose_cache, "PROGNOSE_CACHE_SEKUNDEN", 0)  # never cached
    cache.clear()
    # Everything cold (also the footer's two cached look-ups): 15.
    with django_assert_max_num_queries(15):
        client_ministerium.get(URL)
    with django_assert_num_queries(13):
        client_ministerium.get(URL)
