"""The Land page (issue #5): burn-up, forecast and funnel per service, the authority table
(filters, sorting, pages, CSV/XLSX export), hurdles, pilots; who may see it; query counts.

Hessen × BImSchG-Genehmigung (OZG 10462) has three responsible authorities (the
Regierungspräsidien Darmstadt, Gießen, Kassel); the commitment was given on 21.01.2026 with
the deadline 31.12.2026. Histories are written through the services with past timestamps.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from abdeckung.models import Abdeckungsstand
from abdeckung.selectors import abdeckung_am
from abdeckung.services import abdeckung_aktualisieren, snapshot_erstellen
from accounts.models import Rolle
from dashboard.figuren.trichter import trichter_figur
from dashboard.figuren.verlauf import burnup_figur
from dashboard.selectors.land import (
    burnup_daten,
    burnups_daten,
    land_behoerden,
    trichter_aus_kennzahl,
)
from kommunen.models import Land
from leistungen.models import Leistung, Zusage
from onboarding.models import Onboarding, Status
from tests.abdeckung.helfer import blockieren, status_setzen
from tests.onboarding.helfer import team, user

pytestmark = pytest.mark.django_db

ZUSAGE_TAG = dt.date(2026, 1, 21)
FRIST = dt.date(2026, 12, 31)


def _um(tag: dt.date, stunde: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(tag, dt.time(stunde)))


def _verlauf_url(code: str = "BY", leistung: str | None = None) -> str:
    url = reverse("dashboard:land_verlauf", args=[code])
    return f"{url}?leistung={leistung}" if leistung else url


def _url(code: str = "BY", **params: str) -> str:
    url = reverse("dashboard:land", args=[code])
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.fixture
def admin_g():  # type: ignore[no-untyped-def]
    return user("admin-land", Rolle.ADMINISTRATION, is_staff=True, is_superuser=True)


@pytest.fixture
def rps() -> list[Onboarding]:
    rps = list(
        Onboarding.objects.filter(
            zusage__land__kurz="HE", leistung__ozg_id="10462", geschlossen_am__isnull=True
        ).order_by("behoerde__schluessel")
    )
    assert len(rps) == 3
    return rps


@pytest.fixture
def verlauf(rps, admin_g):  # type: ignore[no-untyped-def]
    """RP 1 live on 04.03.2026, RP 2 live on 15.04.2026; weekly Stichtag snapshots frozen
    for the Sundays 01.03., 08.03. and 19.04.2026."""
    status_setzen(rps[0], "live", user=admin_g, zeitpunkt=_um(dt.date(2026, 3, 4)))
    status_setzen(rps[1], "live", user=admin_g, zeitpunkt=_um(dt.date(2026, 4, 15)))
    abdeckung_aktualisieren()
    for sonntag in (dt.date(2026, 3, 1), dt.date(2026, 3, 8), dt.date(2026, 4, 19)):
        snapshot_erstellen(stichtag=sonntag, art=Abdeckungsstand.Art.STICHTAG)
    return rps


def _he() -> Land:
    return Land.objects.get(kurz="HE")


def _bimschg() -> Leistung:
    return Leistung.objects.get(ozg_id="10462")


# --- burn-up data ---------------------------------------------------------------------------


def test_burnup_reads_weekly_snapshots_plus_the_current_figure(verlauf) -> None:  # type: ignore[no-untyped-def]
    assert Zusage.objects.get(land__kurz="HE", leistung__ozg_id="10462").zugesagt_am == ZUSAGE_TAG
    b = burnup_daten(land=_he(), leistung=_bimschg())
    heute = timezone.localdate()
    assert [(p.datum, p.behoerden_live, p.behoerden_gesamt) for p in b.ist] == [
        (ZUSAGE_TAG, 0, 3),  # the figure on the commitment day (computed from the history)
        (dt.date(2026, 3, 1), 0, 3),
        (dt.date(2026, 3, 8), 1, 3),
        (dt.date(2026, 4, 19), 2, 3),
        (heute, 2, 3),
    ]
    assert [p.quelle for p in b.ist] == ["berechnet", "stichtag", "stichtag", "stichtag", "aktuell"]
    # Target: from the figure on the commitment day to all authorities at the deadline.
    assert b.ziel == ((ZUSAGE_TAG, 0), (FRIST, 3))
    assert b.frist == FRIST
    assert b.prognose is not None
    assert b.prognose.behoerden_live == 2
    assert b.prognose.behoerden_gesamt == 3


def test_burnup_for_a_past_stichtag_is_frozen_and_stays_the_same(verlauf, admin_g) -> None:  # type: ignore[no-untyped-def]
    stichtag = dt.date(2026, 4, 19)
    vorher = burnup_daten(land=_he(), leistung=_bimschg(), stichtag=stichtag)
    assert vorher.ist[-1].datum == stichtag
    assert vorher.ist[-1].behoerden_live == 2
    assert all(p.datum <= stichtag for p in vorher.ist)
    # Later changes do not move the figures of a past Stichtag.
    status_setzen(verlauf[2], "live", user=admin_g)
    abdeckung_aktualisieren()
    nachher = burnup_daten(land=_he(), leistung=_bimschg(), stichtag=stichtag)
    assert nachher.ist == vorher.ist
    assert nachher.ziel == vorher.ziel
    assert nachher.prognose_linie == vorher.prognose_linie
    assert json.dumps(burnup_figur(nachher), sort_keys=True) == json.dumps(
        burnup_figur(vorher), sort_keys=True
    )
    # ... while "now" shows the new go-live.
    assert burnup_daten(land=_he(), leistung=_bimschg()).ist[-1].behoerden_live == 3


def test_forecast_line_runs_from_the_last_actual_point_to_the_projected_date(verlauf) -> None:  # type: ignore[no-untyped-def]
    b = burnup_daten(land=_he(), leistung=_bimschg())
    assert b.prognose is not None
    heute = timezone.localdate()
    angenommen = dataclasses.replace(
        b.prognose, rate_pro_woche=Decimal("0.5"), prognose_datum=heute + dt.timedelta(days=14)
    )
    mit = burnup_daten(land=_he(), leistung=_bimschg(), prognose=angenommen)
    assert mit.prognose_linie == ((heute, 2), (heute + dt.timedelta(days=14), 3))
    assert mit.prognose_hinweis == ""
    figur = burnup_figur(mit)
    prognose = next(s for s in figur["data"] if s["name"].startswith("Prognose"))
    assert prognose["x"] == [heute.isoformat(), (heute + dt.timedelta(days=14)).isoformat()]
    assert prognose["line"]["dash"] == "dot"


def test_no_forecast_line_without_a_rate_and_the_chart_says_so(verlauf) -> None:  # type: ignore[no-untyped-def]
    b = burnup_daten(land=_he(), leistung=_bimschg())
    assert b.prognose is not None
    ohne = dataclasses.replace(b.prognose, rate_pro_woche=Decimal("0"), prognose_datum=None)
    mit = burnup_daten(land=_he(), leistung=_bimschg(), prognose=ohne)
    assert mit.prognose_linie == ()
    assert "kein Tempo" in mit.prognose_hinweis
    figur = burnup_figur(mit)
    assert not any(s["name"].startswith("Prognose") for s in figur["data"])
    assert any("kein Tempo" in a["text"] for a in figur["layout"]["annotations"])


def test_forecast_far_beyond_the_deadline_is_cut_a_year_after_it(verlauf) -> None:  # type: ignore[no-untyped-def]
    b = burnup_daten(land=_he(), leistung=_bimschg())
    assert b.prognose is not None
    spaet = dataclasses.replace(
        b.prognose, rate_pro_woche=Decimal("0.01"), prognose_datum=dt.date(2040, 1, 1)
    )
    mit = burnup_daten(land=_he(), leistung=_bimschg(), prognose=spaet)
    (_, start), (ende, wert) = mit.prognose_linie
    assert mit.prognose_gekappt
    assert ende == FRIST + dt.timedelta(days=365)
    assert start == 2 <= wert < 3


def test_burnup_of_a_service_without_commitment_is_refused() -> None:
    with pytest.raises(ValueError, match="keine Zusage"):
        burnup_daten(land=_he(), leistung=Leistung.objects.get(ozg_id="10519"))


def test_burnups_of_all_services_of_a_land_take_a_fixed_number_of_queries(
    verlauf, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    he = _he()
    # Store the commitment day as the daily task would have, so nothing is computed.
    snapshot_erstellen(stichtag=ZUSAGE_TAG, art=Abdeckungsstand.Art.TAEGLICH)
    zusagen = list(Zusage.objects.filter(land=he).select_related("leistung"))
    # Series (1), current figures (2), forecasts (newest audit event for the cache key; on
    # a miss commitments, go-lives, open records).
    with django_assert_max_num_queries(7):
        alle = burnups_daten(land=he, zusagen=zusagen)
    assert len(alle) == len(zusagen) == 5
    assert all(b.ist[0].quelle == "taeglich" for b in alle)
    # The series of one service (filtered in SQL) is the one read with all of them
    # (filtered after the query).
    bimschg = next(b for b in alle if b.ozg_id == "10462")
    assert burnup_daten(land=he, leistung=_bimschg()).ist == bimschg.ist


# --- figures --------------------------------------------------------------------------------


def test_burnup_figure_has_scope_target_actual_and_a_german_date_axis(verlauf) -> None:  # type: ignore[no-untyped-def]
    b = burnup_daten(land=_he(), leistung=_bimschg())
    figur = burnup_figur(b)
    namen = [s["name"] for s in figur["data"]]
    assert namen[:3] == [
        "zuständige Behörden (gesamt)",
        "Ziel: alle bis 31.12.2026",
        "Ist: angebundene Behörden",
    ]
    ist = figur["data"][2]
    assert ist["y"] == [p.behoerden_live for p in b.ist]
    assert ist["x"][0] == ZUSAGE_TAG.isoformat()
    ziel = figur["data"][1]
    assert ziel["x"] == [ZUSAGE_TAG.isoformat(), FRIST.isoformat()]
    assert ziel["y"] == [0, 3]
    assert figur["layout"]["xaxis"]["tickformat"] == "%d.%m.%Y"
    assert figur["layout"]["separators"] == ",."
    assert figur["layout"]["shapes"][0]["x0"] == FRIST.isoformat()
    json.dumps(figur)  # plain JSON, no Python objects

    bev = burnup_figur(b, metrik="bevoelkerung")
    assert bev["data"][0]["y"][-1] == pytest.approx(b.ist[-1].bevoelkerung_quote)
    assert bev["layout"]["yaxis"]["ticksuffix"] == " %"


def test_funnel_figure_has_a_bar_per_status_coloured_by_group(verlauf) -> None:  # type: ignore[no-untyped-def]
    kennzahl = next(k for k in abdeckung_am(land=_he()) if k.ozg_id == "10462")
    stufen = trichter_aus_kennzahl(kennzahl)
    assert {s.status: s.anzahl for s in stufen if s.anzahl} == {"unbekannt": 1, "live": 2}
    figur = trichter_figur(stufen, titel="BImSchG")
    assert sum(sum(s["x"]) for s in figur["data"]) == kennzahl.behoerden_gesamt == 3
    assert figur["layout"]["yaxis"]["categoryarray"] == [s.bezeichnung for s in stufen]
    gruppen = {s["name"] for s in figur["data"]}
    assert gruppen == {"unbekannt", "noch nicht begonnen", "in Arbeit (Phase 1–3)", "angebunden"}


def test_figures_render_to_svg_with_kaleido_for_the_pdf(verlauf) -> None:  # type: ignore[no-untyped-def]
    import plotly.io as pio

    b = burnup_daten(land=_he(), leistung=_bimschg(), stichtag=dt.date(2026, 4, 19))
    svg = pio.to_image(burnup_figur(b), format="svg", width=800, height=380)
    assert b"<svg" in svg[:400]
    assert b"31.12.2026" in svg


# --- the page -------------------------------------------------------------------------------


def test_land_page_shows_each_committed_service_with_figures_charts_and_forecast(
    client_ministerium,
) -> None:  # type: ignore[no-untyped-def]
    response = client_ministerium.get(_url("BY"))
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    zusagen = Zusage.objects.filter(land__kurz="BY")
    leistungen = response.context["leistungen"]
    assert len(leistungen) == zusagen.count() == 5
    kennzahlen = {k.ozg_id: k for k in abdeckung_am(land=Land.objects.get(kurz="BY"))}
    for eintrag in leistungen:
        stand = eintrag["stand"]
        k = kennzahlen[stand.zusage.leistung.ozg_id]
        assert stand.burnup.ist[-1].behoerden_gesamt == k.behoerden_gesamt
        assert f'data-chart="burnup-{k.ozg_id}"' in html
        assert f'id="burnup-{k.ozg_id}"' in html  # json_script
        assert f'data-chart="trichter-{k.ozg_id}"' in html
        assert f"{k.behoerden_live}/{k.behoerden_gesamt}".replace("1385", "1.385") in html.replace(
            "1385", "1.385"
        )
        assert stand.prognose is not None
    # Führerschein: 71 Landratsämter + 25 kreisfreie Städte.
    assert "0/96 (0,00 %)" in html
    assert "Tabelle zur Grafik" in html
    assert "Annahmen der Prognose" in html
    assert "plotly-basic.min.js" in html
    # Pilots of Bayern (domain.md §1).
    for name in ("Aschaffenburg", "Augsburg", "Kelheim", "Pullach"):
        assert name in html


def test_land_page_accepts_the_land_key_as_well(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    assert client_ministerium.get(_url("09")).status_code == 200
    assert client_ministerium.get(_url("by")).status_code == 200


def test_htmx_request_gets_only_the_authority_table(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    response = client_ministerium.get(_url("BY", status="unbekannt"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="land-behoerden"')
    assert "<html" not in html
    assert "data-chart" not in html
    assert "HX-Request" in response["Vary"]


def test_wrong_method_is_405(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    assert client_ministerium.post(_url("BY")).status_code == 405
    export = reverse("dashboard:land_behoerden_export", args=["BY", "csv"])
    assert client_ministerium.post(export).status_code == 405


def test_anonymous_is_sent_to_login(client_anon) -> None:  # type: ignore[no-untyped-def]
    response = client_anon.get(_url("BY"))
    assert response.status_code == 302
    assert "/login" in response["Location"] or "anmelden" in response["Location"]


def test_unknown_or_non_participating_land_is_404(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    from leistungen.models import Programmteilnahme

    assert client_ministerium.get(_url("XX")).status_code == 404
    nicht_dabei = Land.objects.exclude(pk__in=Programmteilnahme.objects.values("land_id")).first()
    assert nicht_dabei is not None
    assert client_ministerium.get(_url(nicht_dabei.kurz)).status_code == 404


def test_hessian_land_viewer_sees_no_bavarian_authority_detail(client) -> None:  # type: ignore[no-untyped-def]
    for rolle in (Rolle.MINISTERIUM, Rolle.LAND_KOORDINATION):
        hessen = user(f"he-{rolle}", rolle, land=Land.objects.get(kurz="HE"))
        client.force_login(hessen)
        assert client.get(_url("BY")).status_code == 404
        assert client.get(_url("09")).status_code == 404
        assert client.get(_url("BY"), HTTP_HX_REQUEST="true").status_code == 404
        for format in ("csv", "xlsx"):
            export = reverse("dashboard:land_behoerden_export", args=["BY", format])
            assert client.get(export).status_code == 404
        response = client.get(_url("HE"))
        assert response.status_code == 200
        html = response.content.decode()
        # No Bavarian authority anywhere on the Hessian page.
        for name in ("Landratsamt München", "Augsburg", "Pullach", "Bayern"):
            assert name not in html


def test_full_page_and_fragment_query_counts_are_pinned(
    client_ministerium, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    snapshot_erstellen(stichtag=ZUSAGE_TAG, art=Abdeckungsstand.Art.TAEGLICH)
    # Session and user, then the Land page: Land, commitments, teams, table count + page +
    # open hurdles, current figures (2), series, forecasts (newest audit event; the
    # forecasts themselves are cached, three more on a miss), pilots, hurdle counts; plus
    # Gebietsstand and demo banner of the layout on a cold cache.
    with django_assert_max_num_queries(19):
        assert client_ministerium.get(_url("BY")).status_code == 200
    with django_assert_max_num_queries(15):
        assert client_ministerium.get(_url("BY")).status_code == 200
    # Session, user, Land, commitments, teams, count, page, open hurdles.
    with django_assert_max_num_queries(8):
        response = client_ministerium.get(_url("BY", seite="2"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200


# --- authority table ------------------------------------------------------------------------


def _by_onboardings() -> Any:
    return Onboarding.objects.filter(zusage__land__kurz="BY", geschlossen_am__isnull=True).exclude(
        status=Status.NICHT_ZUSTAENDIG
    )


def test_table_pages_50_rows_and_counts_all_open_records(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    response = client_ministerium.get(_url("BY"))
    seite = response.context["seite"]
    assert seite.paginator.count == _by_onboardings().count()
    assert len(response.context["zeilen"]) == 50
    seiten = -(-seite.paginator.count // 50)
    assert f"Seite 1 von {seiten}" in response.content.decode()
    zweite = client_ministerium.get(_url("BY", seite="2"), HTTP_HX_REQUEST="true").content.decode()
    assert f"Seite 2 von {seiten}" in zweite
    erste = response.context["zeilen"]
    assert f"/onboardings/{erste[0]['onboarding'].pk}/" not in zweite
    assert 'href="?seite=3#behoerden"' in zweite


def test_table_filters_by_service_status_team_blocked_overdue_and_text(
    client_ministerium, admin_g
) -> None:  # type: ignore[no-untyped-def]
    pullach = Onboarding.objects.get(
        behoerde__schluessel="091840139139", leistung__ozg_id="10124", geschlossen_am__isnull=True
    )
    lra = Onboarding.objects.get(
        behoerde__schluessel="09184", leistung__ozg_id="10169", geschlossen_am__isnull=True
    )
    sued = team("Team Süd (Test)", "BY")
    Onboarding.objects.filter(pk=pullach.pk).update(
        team=sued, geplant_golive=dt.date(2026, 1, 5), status=Status.GEPLANT
    )
    blockieren([lra], user=admin_g)

    def zaehlen(**params: str) -> int:
        return client_ministerium.get(_url("BY", **params)).context["seite"].paginator.count

    assert zaehlen(leistung="10169") == _by_onboardings().filter(leistung__ozg_id="10169").count()
    assert zaehlen(status="geplant") == 1
    assert zaehlen(team=str(sued.pk)) == 1
    assert zaehlen(team="ohne") == _by_onboardings().filter(team__isnull=True).count()
    assert zaehlen(blockiert="on") == 1
    assert zaehlen(ueberfaellig="on") == 1
    assert (
        zaehlen(q="Pullach")
        == _by_onboardings().filter(behoerde__name__icontains="Pullach").count()
    )
    html = client_ministerium.get(_url("BY", blockiert="on")).content.decode()
    assert "Fachverfahren-Modul fehlt" in html  # the open hurdle in its row
    assert "überfällig" in client_ministerium.get(_url("BY", ueberfaellig="on")).content.decode()
    # An invalid value is ignored rather than failing the page.
    assert zaehlen(status="erfunden") == _by_onboardings().count()


def test_table_sorts_by_column_with_aria_sort(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    Onboarding.objects.filter(
        behoerde__schluessel="09184", leistung__ozg_id="10169", geschlossen_am__isnull=True
    ).update(geplant_golive=dt.date(2026, 12, 1))
    Onboarding.objects.filter(
        behoerde__schluessel="091840139139", leistung__ozg_id="10124", geschlossen_am__isnull=True
    ).update(geplant_golive=dt.date(2026, 12, 20))
    auf = client_ministerium.get(_url("BY", sort="golive"))
    daten = [z["onboarding"].geplant_golive for z in auf.context["zeilen"][:2]]
    assert daten == [dt.date(2026, 12, 1), dt.date(2026, 12, 20)]
    assert 'aria-sort="ascending"' in auf.content.decode()
    ab = client_ministerium.get(_url("BY", sort="-golive"))
    daten = [z["onboarding"].geplant_golive for z in ab.context["zeilen"][:2]]
    assert daten == [dt.date(2026, 12, 20), dt.date(2026, 12, 1)]
    html = ab.content.decode()
    assert 'aria-sort="descending"' in html
    assert html.count("aria-sort=") == 1
    # Default: by authority name.
    namen = [
        z["onboarding"].behoerde.name for z in client_ministerium.get(_url("BY")).context["zeilen"]
    ]
    assert namen == sorted(namen, key=str.casefold) or namen == sorted(namen)


def test_land_behoerden_selector_is_scoped_to_what_the_user_sees() -> None:
    hessen = user("he-min", Rolle.MINISTERIUM, land=Land.objects.get(kurz="HE"))
    by = Land.objects.get(kurz="BY")
    assert not land_behoerden(user=hessen, land=by, filter={}).exists()


# --- export ---------------------------------------------------------------------------------


def test_csv_export_has_bom_semicolons_and_the_filtered_rows(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    export = reverse("dashboard:land_behoerden_export", args=["BY", "csv"])
    response = client_ministerium.get(export + "?leistung=10169")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="behoerden-BY-' in response["Content-Disposition"]
    inhalt = response.content
    assert inhalt.startswith(b"\xef\xbb\xbf")
    zeilen = list(csv.reader(io.StringIO(inhalt.decode("utf-8-sig")), delimiter=";"))
    assert zeilen[0][:3] == ["Behörde", "Behördenschlüssel", "Art"]
    assert len(zeilen) - 1 == 96
    assert {z[5] for z in zeilen[1:]} == {"10169"}
    assert any(z[0] == "Landratsamt München" or "München" in z[0] for z in zeilen[1:])
    # The export reads the next step (the page's table does not show it).
    assert zeilen[0][9] == "Nächster Schritt"
    assert any(z[9] for z in zeilen[1:])


def test_xlsx_export_opens_with_the_same_rows(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    export = reverse("dashboard:land_behoerden_export", args=["BY", "xlsx"])
    response = client_ministerium.get(export + "?leistung=10169&sort=-behoerde")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    blatt = load_workbook(io.BytesIO(response.content)).active
    zeilen = list(blatt.iter_rows(values_only=True))
    assert zeilen[0][0].startswith("Behörden Bayern, Stand ")
    assert zeilen[1][0] == "Behörde"
    daten = zeilen[2:]
    assert len(daten) == 96
    namen = [z[0] for z in daten]
    assert namen == sorted(namen, reverse=True) or namen[0] >= namen[-1]


def test_export_unknown_format_is_404(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    export = reverse("dashboard:land_behoerden_export", args=["BY", "pdf"])
    assert client_ministerium.get(export).status_code == 404


# --- hurdles --------------------------------------------------------------------------------


def test_hurdles_are_counted_by_category_and_owner_for_this_land_only(
    client_ministerium, admin_g
) -> None:  # type: ignore[no-untyped-def]
    lra = Onboarding.objects.get(
        behoerde__schluessel="09184", leistung__ozg_id="10169", geschlossen_am__isnull=True
    )
    blockieren([lra], user=admin_g)
    by = client_ministerium.get(_url("BY"))
    h = by.context["huerden"]
    assert h["zaehlung"].gesamt == 1
    assert h["zaehlung"].blockierend == 1
    assert h["verantwortliche"] == [("fachverfahren", "Fachverfahrenshersteller")]
    assert h["zeilen"][0]["kategorie"] == "schnittstelle"
    assert h["zeilen"][0]["zellen"] == [1]
    assert "/huerden/?land=BY" in by.content.decode()
    he = client_ministerium.get(_url("HE"))
    assert he.context["huerden"]["zaehlung"].gesamt == 0


def test_pilot_table_shows_the_status_per_service(client_ministerium, admin_g) -> None:  # type: ignore[no-untyped-def]
    pullach = Onboarding.objects.get(
        behoerde__schluessel="091840139139", leistung__ozg_id="10124", geschlossen_am__isnull=True
    )
    status_setzen(pullach, "live", user=admin_g)
    response = client_ministerium.get(_url("BY"))
    piloten = {p.name: p for p in response.context["piloten"]}
    zeile = next(p for name, p in piloten.items() if "Pullach" in name)
    leistungen = [z.leistung.ozg_id for z in response.context["zusagen"]]
    zelle = zeile.zellen[leistungen.index("10124")]
    assert zelle is not None
    assert zelle.status == "live"
    # Führerschein is handled by the Landratsamt, not by Pullach.
    assert zeile.zellen[leistungen.index("10169")] is None
    html = response.content.decode()
    piloten_html = html[html.index('class="kern-table kern-table--small land-piloten"') :]
    assert f'href="{reverse("onboarding:detail", args=[zelle.pk])}"' in piloten_html
    behoerde = reverse("leistungen:behoerde", args=[pullach.behoerde.schluessel])
    assert f'href="{behoerde}">{pullach.behoerde.name}</a>' in piloten_html


def test_series_keeps_weekly_stichtage_and_recent_days_and_the_table_the_weekly_ones(
    verlauf,
) -> None:  # type: ignore[no-untyped-def]
    gestern = timezone.localdate() - dt.timedelta(days=1)
    snapshot_erstellen(stichtag=dt.date(2026, 3, 5), art=Abdeckungsstand.Art.TAEGLICH)
    snapshot_erstellen(stichtag=gestern, art=Abdeckungsstand.Art.TAEGLICH)
    b = burnup_daten(land=_he(), leistung=_bimschg())
    tage = [p.datum for p in b.ist]
    assert gestern in tage  # the recent pace in detail
    assert dt.date(2026, 3, 5) not in tage  # older days: the weekly Stichtage only
    assert [p.datum for p in b.tabelle] == [
        ZUSAGE_TAG,
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 8),
        dt.date(2026, 4, 19),
        timezone.localdate(),
    ]


# --- data tables of the burn-up charts (loaded when their toggle is opened) ----------------


def test_land_page_links_each_burnup_table_instead_of_carrying_its_rows(
    client_ministerium,
) -> None:  # type: ignore[no-untyped-def]
    html = client_ministerium.get(_url("BY")).content.decode()
    for z in Zusage.objects.filter(land__kurz="BY").select_related("leistung"):
        ozg_id = z.leistung.ozg_id
        url = _verlauf_url("BY", ozg_id)
        # htmx loads the table into the toggle when it is opened; without JavaScript the
        # link in it opens the table as a page.
        assert f'hx-get="{url}" hx-trigger="toggle[target.open] once"' in html
        assert f'hx-target="#verlauf-tabelle-{ozg_id}"' in html
        assert f'id="verlauf-tabelle-{ozg_id}"' in html
        assert f'href="{url}"' in html
    # No weekly rows on the page itself; one page with every table to print.
    assert "(Wochen-Stichtag)" not in html
    assert f'href="{_verlauf_url("BY")}">Tabellen zu allen Verlaufsgrafiken' in html


def test_htmx_request_gets_only_the_table_of_one_service(verlauf, client_ministerium) -> None:  # type: ignore[no-untyped-def]
    response = client_ministerium.get(_verlauf_url("HE", "10462"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="verlauf-tabelle-10462"')
    assert "<html" not in html
    # The rows the page used to carry: commitment day, weekly Stichtage, now, target.
    b = burnup_daten(land=_he(), leistung=_bimschg())
    assert [p.datum for p in b.tabelle][:4] == [
        ZUSAGE_TAG,
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 8),
        dt.date(2026, 4, 19),
    ]
    assert "21.01.2026 (Tag der Zusage)" in html
    assert "19.04.2026 (Wochen-Stichtag)" in html
    assert f"{timezone.localdate():%d.%m.%Y} (aktuell)" in html
    assert "31.12.2026 (Ziel)" in html
    assert "66,66 %" in html  # 2 of 3 live, cut, never rounded up
    assert "Unterhaltsvorschuss" not in html  # only the one service


def test_burnup_tables_as_a_page_for_printing_and_without_javascript(
    verlauf, client_ministerium
) -> None:  # type: ignore[no-untyped-def]
    eine = client_ministerium.get(_verlauf_url("HE", "10462"))
    assert eine.status_code == 200
    html = eine.content.decode()
    assert "<html" in html
    assert 'id="verlauf-tabelle-10462"' in html
    assert html.count('id="verlauf-tabelle-') == 1
    assert f'href="{_verlauf_url("HE")}"' in html  # on to all tables
    assert f'href="{_url("HE")}#verlauf"' in html  # back to the Land page

    alle = client_ministerium.get(_verlauf_url("HE")).content.decode()
    for z in Zusage.objects.filter(land__kurz="HE").select_related("leistung"):
        assert f'id="verlauf-tabelle-{z.leistung.ozg_id}"' in alle
    assert "19.04.2026 (Wochen-Stichtag)" in alle


def test_burnup_table_of_a_service_the_land_has_not_committed_is_404(
    client_ministerium,
) -> None:  # type: ignore[no-untyped-def]
    # BImSchG is committed by Hessen, not by Bayern.
    assert client_ministerium.get(_verlauf_url("BY", "10462")).status_code == 404
    antwort = client_ministerium.get(_verlauf_url("BY", "10462"), HTTP_HX_REQUEST="true")
    assert antwort.status_code == 404
    assert client_ministerium.get(_verlauf_url("BY", "99999")).status_code == 404
    assert client_ministerium.get(_verlauf_url("XX")).status_code == 404


def test_hessian_viewer_gets_no_bavarian_burnup_table(client) -> None:  # type: ignore[no-untyped-def]
    hessen = user("he-verlauf", Rolle.LAND_KOORDINATION, land=Land.objects.get(kurz="HE"))
    client.force_login(hessen)
    for url in (_verlauf_url("BY", "10124"), _verlauf_url("BY"), _verlauf_url("09", "10124")):
        assert client.get(url).status_code == 404
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 404
    # Their own Land's tables they get.
    assert client.get(_verlauf_url("HE", "10124"), HTTP_HX_REQUEST="true").status_code == 200


def test_burnup_table_wrong_method_and_anonymous(client_ministerium, client_anon) -> None:  # type: ignore[no-untyped-def]
    assert client_ministerium.post(_verlauf_url("BY", "10124")).status_code == 405
    response = client_anon.get(_verlauf_url("BY", "10124"), HTTP_HX_REQUEST="true")
    assert response.status_code == 302


def test_burnup_table_fragment_query_count_is_pinned(
    client_ministerium, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    snapshot_erstellen(stichtag=ZUSAGE_TAG, art=Abdeckungsstand.Art.TAEGLICH)
    client_ministerium.get(_url("BY"))  # the page was open: forecasts cached
    # Session, user, Land, commitments, series, current figures (2), newest audit event.
    with django_assert_max_num_queries(8):
        response = client_ministerium.get(_verlauf_url("BY", "10124"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200


def test_figures_leave_python_as_json_script_data(client_ministerium) -> None:  # type: ignore[no-untyped-def]
    from django.utils.html import json_script

    from dashboard.figuren import json_script as figur_json_script

    figur = {"data": [{"name": "<b>A & B</b>", "x": ["2026-01-21"], "y": [1.5]}], "layout": {}}
    schnell = figur_json_script(figur, "f-1")
    django = json_script(figur, "f-1")
    kopf = '<script id="f-1" type="application/json">'
    assert schnell.startswith(kopf)
    assert django.startswith(kopf)
    inhalt = schnell.removeprefix(kopf).removesuffix("</script>")
    assert "<" not in inhalt
    assert ">" not in inhalt
    assert "&" not in inhalt
    assert json.loads(inhalt) == json.loads(django.removeprefix(kopf).removesuffix("</script>"))

    html = client_ministerium.get(_url("BY")).content.decode()
    start = html.index('<script id="burnup-10124" type="application/json">')
    ende = html.index("</script>", start)
    daten = json.loads(html[html.index(">", start) + 1 : ende])
    assert daten["layout"]["xaxis"]["tickformat"] == "%d.%m.%Y"
