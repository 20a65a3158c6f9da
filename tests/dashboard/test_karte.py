"""The coverage map (issue #5): page, htmx fragment, figures against the coverage engine,
permissions, invalid parameters, the boundaries endpoint and pinned query counts."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from abdeckung.selectors import abdeckung_am
from abdeckung.services import abdeckung_aktualisieren
from dashboard.figuren import stil
from dashboard.figuren.karte import karte_figur
from dashboard.selectors.karte import grenzen_geojson, karte_daten
from dashboard.selectors.karte.grenzen import _geometrie_runden
from dashboard.views.karte import karten_cache
from kommunen.models import Gemeinde, Grenze, Kreis, Land
from leistungen.models import Leistung
from tests.abdeckung.helfer import alle_live, onboarding, status_setzen

pytestmark = pytest.mark.django_db

KELHEIM = "09273"
AUGSBURG_STADT = "09761"
LK_MUENCHEN = "09184"
PULLACH = "091840139139"
FUEHRERSCHEIN = "10169"
KARTE = "/karte/"


@pytest.fixture(autouse=True)
def _leerer_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    karten_cache.clear()
    yield
    cache.clear()
    karten_cache.clear()


@pytest.fixture
def abdeckung(admin_user_rc) -> None:  # type: ignore[no-untyped-def]
    """Variation in Bayern's driving licences: Landratsamt Kelheim and Stadt Augsburg
    live, Landratsamt München known but not started ("in Klärung"), the rest unknown."""
    alle_live(
        [onboarding(KELHEIM, FUEHRERSCHEIN), onboarding("097610000000", FUEHRERSCHEIN)],
        user=admin_user_rc,
    )
    status_setzen(onboarding(LK_MUENCHEN, FUEHRERSCHEIN), "in_klaerung", user=admin_user_rc)
    abdeckung_aktualisieren(voll=True)


@pytest.fixture
def hessen_user(django_user_model):  # type: ignore[no-untyped-def]
    from accounts.models import Rolle

    return django_user_model.objects.create_user(
        username="ministerium-he",
        password="test-pass-123",
        rolle=Rolle.MINISTERIUM,
        land=Land.objects.get(kurz="HE"),
    )


@pytest.fixture
def client_hessen(client, hessen_user):  # type: ignore[no-untyped-def]
    client.force_login(hessen_user)
    return client


def _figur(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    treffer = re.search(
        r'<script id="karte-figur" type="application/json">(.*?)</script>', html, re.S
    )
    assert treffer, "figure JSON missing"
    return json.loads(treffer.group(1))


def _klasse_je_ort(figur: dict[str, Any]) -> dict[str, str]:
    """ARS → legend name (class) from the area traces (those with a hover)."""
    ergebnis = {}
    for spur in figur["data"]:
        if spur.get("showlegend") and spur["name"].split(" (")[0] != "Pilotkommune":
            for ort in spur["locations"]:
                ergebnis[ort] = spur["name"].rsplit(" (", 1)[0]
    return ergebnis


# --- page and fragment ----------------------------------------------------------------------


def test_national_map_colours_every_kreis_by_the_engines_figures(client_ministerium, abdeckung):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(KARTE, {"leistung": FUEHRERSCHEIN})
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    html = response.content.decode()
    assert "<html" in html
    assert 'id="karte-bereich"' in html
    karte = response.context["karte"]
    assert karte.ebene == "kreis"
    assert len(karte.gebiete) == Kreis.objects.aktuell().count() == 400

    fs = Leistung.objects.get(ozg_id=FUEHRERSCHEIN)
    engine = {k.kreis_ars: k for k in abdeckung_am(leistung=fs, je_kreis=True)}
    gebiete = {g.ars: g for g in karte.gebiete}
    for ars, k in engine.items():
        g = gebiete[ars]
        assert (g.behoerden, g.gemeinden, g.bevoelkerung) == (
            k.behoerden,
            k.gemeinden,
            k.bevoelkerung,
        )
    assert gebiete[KELHEIM].klasse == stil.KLASSE_VOLL
    assert gebiete[AUGSBURG_STADT].klasse == stil.KLASSE_VOLL
    assert gebiete[LK_MUENCHEN].klasse == stil.KLASSE_NULL  # known, not started
    assert gebiete["09162"].klasse == stil.KLASSE_UNBEKANNT  # München city: nothing known
    assert gebiete["03241"].klasse == stil.KLASSE_NICHT  # Region Hannover: not committed
    assert gebiete[KELHEIM].zustaendig[0].text == "Landratsamt Kelheim"

    # The page's own legend (with counts) stands beside the map, Plotly's is left out;
    # the figure for the PDF keeps it.
    assert _figur(response)["layout"]["showlegend"] is False
    assert karte_figur(karte, geojson={})["layout"]["showlegend"] is True

    legende = {k.schluessel: n for k, n in karte.legende}
    assert legende["voll"] == 2
    assert legende["null"] == 1
    assert legende["unbekannt"] == len(engine) - 3
    assert legende["nicht"] == 400 - len(engine)
    assert "Legende" in html
    assert "100 % (flächendeckend): <strong>2</strong> Kreise" in html

    figur = _figur(response)
    klassen = _klasse_je_ort(figur)
    assert klassen[KELHEIM] == stil.KLASSE_VOLL.text
    assert klassen[LK_MUENCHEN] == stil.KLASSE_NULL.text
    spur = next(s for s in figur["data"] if s["name"].startswith(stil.KLASSE_VOLL.text))
    i = spur["locations"].index(KELHEIM)
    assert spur["customdata"][i] == [reverse("kommunen:kreis", args=[KELHEIM])]
    assert spur["colorscale"] == [[0, stil.KLASSE_VOLL.farbe], [1, stil.KLASSE_VOLL.farbe]]
    hover = spur["text"][i]
    k = engine[KELHEIM]
    assert f"Einwohner: {k.einwohner_live:,}".replace(",", ".") in hover
    assert "(100,00 % (flächendeckend))" in hover
    assert "Zuständig: Landratsamt Kelheim" in hover
    assert spur["geojson"] == "__geometrie__"
    assert 'data-geojson="/karte/grenzen/kreis/de.geojson"' in html
    # The text alternative: every area in the table, linked.
    assert html.count('<tr class="kern-table__row"><th scope="row"') == 400
    assert f'href="/kreise/{KELHEIM}/">Landkreis Kelheim</a>' in html


def test_service_filter_changes_the_colours(client_ministerium, abdeckung):  # type: ignore[no-untyped-def]
    nur_fs = _klasse_je_ort(_figur(client_ministerium.get(KARTE, {"leistung": FUEHRERSCHEIN})))
    alle = _klasse_je_ort(_figur(client_ministerium.get(KARTE)))
    assert nur_fs[KELHEIM] == stil.KLASSE_VOLL.text
    # All five Bavarian services: only the driving licence is usable in Kelheim.
    assert alle[KELHEIM] == stil.KLASSE_TEIL.text
    karte = karte_daten(ebene="kreis", land=None, leistung=None)
    kelheim = next(g for g in karte.gebiete if g.ars == KELHEIM)
    assert kelheim.leistungen is not None
    assert (kelheim.leistungen.zaehler, kelheim.leistungen.nenner) == (1, 5)


def test_metric_changes_the_class_by_its_own_share(admin_user_rc):  # type: ignore[no-untyped-def]
    """Ummeldung in Landkreis Kelheim: the Verwaltungsgemeinschaften serving the most
    Gemeinden go live until half of the Gemeinden are covered, so fewer than half of the
    authorities are: coloured by Gemeinden "≥ 50 %", by Behörden "> 0 %"."""
    from django.db.models import Count

    from leistungen.models import Zustaendigkeit

    ummeldung = Leistung.objects.get(ozg_id="10124")
    behoerden = list(
        Zustaendigkeit.objects.aktuell()
        .filter(leistung=ummeldung, gemeinde__kreis__ars=KELHEIM)
        .values("behoerde__schluessel")
        .annotate(n=Count("id"))
        .order_by("-n", "behoerde__schluessel")
    )
    gemeinden = sum(b["n"] for b in behoerden)
    live, abgedeckt = [], 0
    for b in behoerden:
        if 2 * abgedeckt >= gemeinden:
            break
        live.append(onboarding(b["behoerde__schluessel"], "10124"))
        abgedeckt += b["n"]
    assert 2 * len(live) < len(behoerden)  # the premise: fewer than half the authorities
    alle_live(live, user=admin_user_rc)
    abdeckung_aktualisieren(voll=True)

    k = next(k for k in abdeckung_am(leistung=ummeldung, je_kreis=True) if k.kreis_ars == KELHEIM)
    klassen = {}
    for metrik in ("behoerden", "gemeinden", "bevoelkerung"):
        karte = karte_daten(ebene="kreis", land=None, leistung=ummeldung, metrik=metrik)  # type: ignore[arg-type]
        g = next(g for g in karte.gebiete if g.ars == KELHEIM)
        zahl = getattr(k, metrik)
        assert g.klasse == stil.klasse(zahl.zaehler, zahl.nenner)
        klassen[metrik] = g.klasse
    assert klassen["gemeinden"] == stil.KLASSE_HALB
    assert klassen["behoerden"] == stil.KLASSE_TEIL


def test_htmx_request_returns_only_the_map_region(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(
        KARTE, {"land": "BY", "leistung": FUEHRERSCHEIN}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="karte-bereich"')
    assert "<html" not in html
    assert 'id="karte-filter"' not in html
    assert 'data-geojson="/karte/grenzen/gemeinde/by.geojson"' in html
    assert "HX-Request" in response["Vary"]


def test_history_restore_request_gets_the_full_page(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(
        KARTE,
        {"leistung": FUEHRERSCHEIN},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" in html
    assert 'id="karte-filter"' in html
    assert f'<option value="{FUEHRERSCHEIN}" selected>' in html


def test_post_is_not_allowed(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.post(KARTE).status_code == 405
    assert client_ministerium.post("/karte/grenzen/kreis/de.geojson").status_code == 405


def test_anonymous_user_is_sent_to_login(client_anon):  # type: ignore[no-untyped-def]
    response = client_anon.get(KARTE)
    assert response.status_code == 302
    assert "/konto/anmelden/" in response["Location"]
    assert client_anon.get("/karte/grenzen/kreis/de.geojson").status_code == 302


def test_bayern_gemeinde_map_shows_each_gemeinde_with_its_authority(client_ministerium, abdeckung):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(KARTE, {"land": "BY", "leistung": FUEHRERSCHEIN})
    karte = response.context["karte"]
    assert karte.ebene == "gemeinde"
    by = Land.objects.get(kurz="BY")
    assert len(karte.gebiete) == Gemeinde.objects.aktuell().filter(land=by).count()
    gebiete = {g.ars: g for g in karte.gebiete}
    pullach = gebiete[PULLACH]
    assert pullach.klasse == stil.KLASSE_NULL
    assert pullach.zustaendig[0].text == "Landratsamt München"
    assert pullach.status == "in Klärung"
    kelheim = [g for g in karte.gebiete if g.ars.startswith(KELHEIM)]
    assert kelheim
    assert all(g.klasse == stil.KLASSE_VOLL for g in kelheim)
    # Per Kreis the Gemeinde figures add up to the engine's.
    fs = Leistung.objects.get(ozg_id=FUEHRERSCHEIN)
    k = next(k for k in abdeckung_am(leistung=fs, je_kreis=True) if k.kreis_ars == LK_MUENCHEN)
    muenchen = [g for g in karte.gebiete if g.ars.startswith(LK_MUENCHEN)]
    assert sum(g.bevoelkerung.nenner for g in muenchen) == k.einwohner_gesamt  # type: ignore[union-attr]
    assert sum(g.gemeinden.nenner for g in muenchen) == k.gemeinden_gesamt  # type: ignore[union-attr]
    html = response.content.decode()
    assert f'href="/gemeinden/{PULLACH}/">Pullach i.Isartal (Landkreis München)</a>' in html
    figur = _figur(response)
    # Kreis outlines over the Gemeinden.
    umriss = [s for s in figur["data"] if not s.get("showlegend")]
    assert umriss
    assert KELHEIM in umriss[0]["locations"]


def test_pilots_are_outlined_on_request(client_ministerium):  # type: ignore[no-untyped-def]
    ohne = _figur(client_ministerium.get(KARTE, {"leistung": FUEHRERSCHEIN}))
    assert not any(s["name"].startswith("Pilotkommune") for s in ohne["data"])
    response = client_ministerium.get(KARTE, {"leistung": FUEHRERSCHEIN, "piloten": "1"})
    figur = _figur(response)
    legende = next(s for s in figur["data"] if s["name"].startswith("Pilotkommune"))
    assert legende["type"] == "scattergeo"
    assert legende["marker"]["symbol"] == "square-open"
    pilot = next(
        s
        for s in figur["data"]
        if s["type"] == "choropleth" and s["marker"]["line"]["color"] == stil.FARBE_PILOT
    )
    # Landratsämter Kelheim and Regensburg and the kreisfreie Städte among the pilots.
    assert {KELHEIM, "09375", AUGSBURG_STADT, "09661"} <= set(pilot["locations"])
    assert pilot["hoverinfo"] == "skip"
    assert legende["name"] == f"Pilotkommune ({len(pilot['locations'])})"
    assert response.context["karte"].anzahl_piloten == len(pilot["locations"])


def test_past_stand_shows_the_figures_at_the_end_of_that_day(client_ministerium, abdeckung):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(KARTE, {"leistung": FUEHRERSCHEIN, "stand": "2026-02-01"})
    karte = response.context["karte"]
    assert karte.stichtag.isoformat() == "2026-02-01"
    gebiete = {g.ars: g for g in karte.gebiete}
    # The records went live today: on 1 Feb 2026 nothing was known.
    assert gebiete[KELHEIM].klasse == stil.KLASSE_UNBEKANNT
    assert "Stand am 01.02.2026 (Ende des Tages)" in response.content.decode()


def test_invalid_parameters_show_a_message_not_an_error(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(
        KARTE,
        {
            "land": "XX",
            "leistung": "99999",
            "metrik": "pi",
            "stand": "gestern",
            "ebene": "gemeinde",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Das Land „XX“ ist unbekannt oder für Sie nicht freigegeben" in html
    assert "Die Leistung „99999“ ist keine zugesagte Leistung" in html
    assert "Die Kennzahl „pi“ gibt es nicht" in html
    assert "„gestern“ ist kein gültiges Datum" in html
    assert "Die Gemeindekarte gibt es je Land" in html
    karte = response.context["karte"]
    assert (karte.ebene, karte.land, karte.leistung, karte.metrik) == (
        "kreis",
        None,
        None,
        "bevoelkerung",
    )
    zukunft = client_ministerium.get(KARTE, {"stand": "2999-01-01"})
    assert "liegt in der Zukunft" in zukunft.content.decode()


# --- permissions -----------------------------------------------------------------------------


def test_hessian_viewer_sees_no_bavarian_authority_detail(client_hessen, abdeckung):  # type: ignore[no-untyped-def]
    response = client_hessen.get(KARTE, {"leistung": FUEHRERSCHEIN})
    assert response.status_code == 200
    html = response.content.decode()
    karte = response.context["karte"]
    bayern = [g for g in karte.gebiete if g.land_kurz == "BY"]
    assert len(bayern) == 96
    for g in bayern:
        assert g.klasse == stil.KLASSE_NICHT_FREIGEGEBEN
        assert (g.behoerden, g.url, g.zustaendig) == (None, None, ())
    assert "Landratsamt Kelheim" not in html
    assert f"/kreise/{KELHEIM}/" not in html
    figur = _figur(response)
    gesperrt = next(s for s in figur["data"] if s["name"].startswith("nicht freigegeben"))
    assert gesperrt["hoverinfo"] == "skip"
    assert "text" not in gesperrt
    assert "customdata" not in gesperrt
    assert KELHEIM in gesperrt["locations"]
    # Hessen's own Kreise keep their figures.
    assert any(g.land_kurz == "HE" and g.behoerden is not None for g in karte.gebiete)
    # The Land select offers only Hessen; Bayern by URL is refused with a message.
    assert '<option value="BY"' not in html
    assert '<option value="HE"' in html
    bayern_karte = client_hessen.get(KARTE, {"land": "BY"})
    assert "nicht freigegeben" in bayern_karte.content.decode()
    assert bayern_karte.context["karte"].land is None
    assert "Landratsamt Kelheim" not in bayern_karte.content.decode()
    assert client_hessen.get("/karte/grenzen/gemeinde/by.geojson").status_code == 404
    assert client_hessen.get("/karte/grenzen/kreis/09.geojson").status_code == 404
    assert client_hessen.get("/karte/grenzen/gemeinde/he.geojson").status_code == 200


# --- boundaries ------------------------------------------------------------------------------


def _quadrat(x: float, y: float, d: float = 0.1) -> dict[str, Any]:
    """A clockwise square (exterior ring as d3-geo wants it) with a repeated point."""
    ring = [[x, y], [x, y + d], [x, y + d], [x + d, y + d], [x + d, y], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def grenzen() -> None:
    Grenze.objects.create(
        kreis=Kreis.objects.get(ars=KELHEIM), geometrie=_quadrat(11.812345, 48.912345)
    )
    Grenze.objects.create(land=Land.objects.get(kurz="BY"), geometrie=_quadrat(11.0, 48.0, 2))
    Grenze.objects.create(
        gemeinde=Gemeinde.objects.get(ars=PULLACH), geometrie=_quadrat(11.512345, 48.052345, 0.05)
    )
    Grenze.objects.create(kreis=Kreis.objects.get(ars=LK_MUENCHEN), geometrie=_quadrat(11.4, 48.0))


def test_boundaries_are_rounded_keyed_by_ars_and_gzipped(client_ministerium, grenzen):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(
        "/karte/grenzen/kreis/de.geojson", HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"] == "application/geo+json"
    assert "private" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]
    assert "Accept-Encoding" in response["Vary"]
    daten = json.loads(gzip.decompress(response.content))
    features = {f["id"]: f for f in daten["features"]}
    assert set(features) == {KELHEIM, LK_MUENCHEN, "09"}
    assert "properties" not in features[KELHEIM]
    ring = features[KELHEIM]["geometry"]["coordinates"][0]
    # National map: 3 decimals, the repeated point dropped.
    assert ring[0] == [11.812, 48.912]
    assert len(ring) == 5

    etag = response["ETag"]
    nochmal = client_ministerium.get("/karte/grenzen/kreis/de.geojson", HTTP_IF_NONE_MATCH=etag)
    assert nochmal.status_code == 304
    roh = client_ministerium.get("/karte/grenzen/kreis/de.geojson")
    assert "Content-Encoding" not in roh
    assert json.loads(roh.content) == daten

    land = json.loads(client_ministerium.get("/karte/grenzen/gemeinde/by.geojson").content)
    ids = {f["id"] for f in land["features"]}
    assert ids == {PULLACH, KELHEIM, LK_MUENCHEN}  # Gemeinden plus Kreis outlines
    pullach = next(f for f in land["features"] if f["id"] == PULLACH)
    assert pullach["geometry"]["coordinates"][0][0] == [11.5123, 48.0523]


def test_boundaries_reject_unknown_levels_and_areas(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.get("/karte/grenzen/bezirk/de.geojson").status_code == 404
    assert client_ministerium.get("/karte/grenzen/gemeinde/de.geojson").status_code == 404
    assert client_ministerium.get("/karte/grenzen/kreis/zz.geojson").status_code == 404


def test_rounding_drops_collapsed_and_flipped_rings() -> None:
    winzig = {
        "type": "Polygon",
        "coordinates": [[[1.0, 1.0], [1.0, 1.0001], [1.0001, 1.0001], [1.0, 1.0]]],
    }
    assert _geometrie_runden(winzig, 3) is None
    mit_loch = {
        "type": "MultiPolygon",
        "coordinates": [
            [
                _quadrat(10, 50, 1)["coordinates"][0],
                # hole counter-clockwise
                [[10.2, 50.2], [10.4, 50.2], [10.4, 50.4], [10.2, 50.4], [10.2, 50.2]],
            ],
            winzig["coordinates"],
        ],
    }
    ergebnis = _geometrie_runden(mit_loch, 3)
    assert ergebnis is not None
    assert ergebnis["type"] == "Polygon"
    assert len(ergebnis["coordinates"]) == 2  # exterior and hole kept, the sliver dropped


def test_figure_for_kaleido_carries_the_geometry_itself(grenzen) -> None:  # type: ignore[no-untyped-def]
    by = Land.objects.get(kurz="BY")
    karte = karte_daten(ebene="kreis", land=by, leistung=None)
    geo = grenzen_geojson(ebene="kreis", land=by)
    figur = karte_figur(karte, geojson=geo)
    assert all(s["geojson"] is geo for s in figur["data"])
    assert figur["layout"]["geo"]["fitbounds"] == "locations"
    assert figur["layout"]["geo"]["visible"] is False
    assert all(s["featureidkey"] == "id" for s in figur["data"])


# --- query counts ----------------------------------------------------------------------------


def test_query_counts_are_pinned(client_ministerium, django_assert_num_queries):  # type: ignore[no-untyped-def]
    client_ministerium.get("/")  # session and footer look-ups warm
    # national Kreis map: session, user, Länder, services, data version, Kreise, stored
    # figures + their "Stand", responsible authorities
    with django_assert_num_queries(9):
        client_ministerium.get(KARTE)
    # the same view again: served from the cache of this data version
    with django_assert_num_queries(5):
        client_ministerium.get(KARTE)
    # Bayern by Gemeinde: Gemeinden and the base query of the engine
    with django_assert_num_queries(7):
        client_ministerium.get(KARTE, {"land": "BY"})
    with django_assert_num_queries(5):
        client_ministerium.get(KARTE, {"land": "BY"})


def test_a_status_change_invalidates_the_cached_map(client_ministerium, admin_user_rc):  # type: ignore[no-untyped-def]
    vorher = client_ministerium.get(KARTE, {"land": "BY", "leistung": FUEHRERSCHEIN})
    assert {g.ars: g for g in vorher.context["karte"].gebiete}[
        PULLACH
    ].klasse == stil.KLASSE_UNBEKANNT
    alle_live([onboarding(LK_MUENCHEN, FUEHRERSCHEIN)], user=admin_user_rc)
    nachher = client_ministerium.get(KARTE, {"land": "BY", "leistung": FUEHRERSCHEIN})
    assert {g.ars: g for g in nachher.context["karte"].gebiete}[PULLACH].klasse == stil.KLASSE_VOLL


def test_area_names_are_the_models_display_names() -> None:
    from dashboard.selectors.karte.gebiete import _kreis_bezeichnung

    for kreis in Kreis.objects.all():
        assert _kreis_bezeichnung(kreis.name, kreis.typ) == kreis.bezeichnung


def test_process_cache_keeps_the_newest_maps_and_forgets_expired_ones() -> None:
    from dashboard.views.karte import _ProzessCache

    lru = _ProzessCache(eintraege=2, sekunden=60)
    lru.set("a", 1)
    lru.set("b", 2)
    assert lru.get("a") == 1  # "a" is now the newest
    lru.set("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)
    abgelaufen = _ProzessCache(eintraege=2, sekunden=-1)
    abgelaufen.set("a", 1)
    assert abgelaufen.get("a") is None
