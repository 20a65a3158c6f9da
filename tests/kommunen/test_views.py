"""Search, Gemeinde and Kreis pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PULLACH = "091840139139"
GIESSEN_AGS = "06531005"
HANAU = "064350014014"
LANDKREIS_MUENCHEN = "09184"


def _suche(client, q: str, **headers):  # type: ignore[no-untyped-def]
    return client.get(reverse("kommunen:suche"), {"q": q}, **headers)


# --- Search ---------------------------------------------------------------------------


def test_search_page_renders_form_and_live_region(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("kommunen:suche"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input class="kern-form-input__input" type="search" id="suche-q" name="q"' in html
    assert 'hx-trigger="input changed delay:200ms, search"' in html
    assert 'hx-push-url="true"' in html
    assert 'aria-live="polite"' in html
    assert '<label class="kern-label" for="suche-q">' in html
    assert response["Vary"]
    assert "HX-Request" in response["Vary"]


def test_search_lower_case_name_finds_pullach(client_ministerium):  # type: ignore[no-untyped-def]
    response = _suche(client_ministerium, "pullach")
    assert response.status_code == 200
    assert reverse("kommunen:gemeinde", args=[PULLACH]) in response.content.decode()
    assert "Pullach i.Isartal" in response.content.decode()


def test_search_without_eszett_finds_giessen(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Gemeinde

    giessen = Gemeinde.objects.get(ags=GIESSEN_AGS, gueltig_bis__isnull=True)
    response = _suche(client_ministerium, "giessen")
    ergebnis = response.context["ergebnis"]
    assert ergebnis.gemeinden[0] == giessen
    # The Kreis Gießen is found as well.
    assert any(k.ars == "06531" for k in ergebnis.kreise)


def test_search_by_ars_finds_the_gemeinde(client_ministerium):  # type: ignore[no-untyped-def]
    response = _suche(client_ministerium, PULLACH)
    ergebnis = response.context["ergebnis"]
    assert [g.ars for g in ergebnis.gemeinden] == [PULLACH]


def test_search_by_kreis_key_prefix_lists_kreis_and_its_gemeinden(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Gemeinde

    response = _suche(client_ministerium, LANDKREIS_MUENCHEN)
    ergebnis = response.context["ergebnis"]
    assert ergebnis.kreise[0].ars == LANDKREIS_MUENCHEN
    im_kreis = Gemeinde.objects.filter(kreis__ars=LANDKREIS_MUENCHEN).count()
    assert im_kreis > 20
    assert ergebnis.gemeinden_gesamt >= im_kreis
    assert all(g.ars.startswith(LANDKREIS_MUENCHEN) for g in ergebnis.gemeinden)
    assert len(ergebnis.gemeinden) == 20


def test_search_by_postcode_finds_pullach(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Gemeinde

    plz = Gemeinde.objects.get(ars=PULLACH).plz
    response = _suche(client_ministerium, plz)
    ergebnis = response.context["ergebnis"]
    assert PULLACH in [g.ars for g in ergebnis.gemeinden]
    assert ergebnis.gemeinden[0].plz == plz


def test_search_finds_authorities_by_name(client_ministerium):  # type: ignore[no-untyped-def]
    response = _suche(client_ministerium, "landratsamt münchen")
    ergebnis = response.context["ergebnis"]
    assert any(b.schluessel == LANDKREIS_MUENCHEN for b in ergebnis.behoerden)


def test_search_ranks_prefix_then_word_start_then_contains():  # type: ignore[no-untyped-def]
    from kommunen.selectors import suche
    from kommunen.text import suchform

    ergebnis = suche(q="Berg", limit=2000)
    namen = [suchform(g.name) for g in ergebnis.gemeinden]
    rang = [0 if n.startswith("berg") else 1 if " berg" in n else 2 for n in namen]
    assert rang == sorted(rang)
    assert set(rang) == {0, 1, 2}
    assert ergebnis.gemeinden_gesamt == len(namen)


def test_search_htmx_request_returns_only_the_results_fragment(client_ministerium):  # type: ignore[no-untyped-def]
    response = _suche(client_ministerium, "pullach", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pullach i.Isartal" in html
    assert "<html" not in html
    assert 'id="suchergebnisse"' not in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert "Treffer für „pullach“" in html
    assert "HX-Request" in response["Vary"]


def test_search_without_hits_says_so(client_ministerium):  # type: ignore[no-untyped-def]
    response = _suche(client_ministerium, "xyzzyqwv")
    assert "Keine Treffer für „xyzzyqwv“" in response.content.decode()


def test_search_query_count_is_pinned(client_ministerium, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client_ministerium.get(reverse("kommunen:suche"))  # warm session/footer caches
    with django_assert_max_num_queries(6):
        _suche(client_ministerium, "pullach", HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(6):
        _suche(client_ministerium, "09184", HTTP_HX_REQUEST="true")


# --- Gemeinde page --------------------------------------------------------------------


def test_pullach_page_shows_landratsamt_for_fuehrerschein(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("kommunen:gemeinde", args=[PULLACH]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html
    assert "Pullach i.Isartal" in html
    assert "09184139" in html  # AGS
    fuehrerschein = next(
        z for z in response.context["zeilen"] if "Führerschein" in z.leistung.kurzname
    )
    assert fuehrerschein.behoerde.name == "Landratsamt München"
    assert "Landratsamt München" in html
    assert fuehrerschein.begruendung in html
    assert "auf Kreisebene" in fuehrerschein.begruendung
    assert reverse("leistungen:behoerde", args=[fuehrerschein.behoerde.schluessel]) in html
    assert reverse("kommunen:kreis", args=[LANDKREIS_MUENCHEN]) in html


def test_gemeinde_page_uses_german_number_format(client_ministerium):  # type: ignore[no-untyped-def]
    from django.contrib.humanize.templatetags.humanize import intcomma

    from kommunen.models import Gemeinde

    pullach = Gemeinde.objects.get(ars=PULLACH)
    response = client_ministerium.get(reverse("kommunen:gemeinde", args=[PULLACH]))
    formatted = intcomma(pullach.einwohner)
    assert "." in formatted
    assert formatted in response.content.decode()


def test_gemeinde_page_marks_assumed_responsibility(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(reverse("kommunen:gemeinde", args=[PULLACH]))
    zeilen = response.context["zeilen"]
    html = response.content.decode()
    if any(z.angenommen for z in zeilen):
        assert "Annahme" in html
    else:
        assert "Annahme</span>" not in html


def test_gemeinde_of_land_without_commitments_says_so(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Gemeinde
    from leistungen.models import Zusage

    gemeinde = (
        Gemeinde.objects.aktuell()
        .exclude(land__in=Zusage.objects.values("land"))
        .exclude(typ__in=Gemeinde.GEMEINDEFREI_TYPEN)
        .first()
    )
    response = client_ministerium.get(reverse("kommunen:gemeinde", args=[gemeinde.ars]))
    assert response.status_code == 200
    assert response.context["zeilen"] == []
    assert "keine Leistungen zugesagt" in response.content.decode()


def test_hanau_responsibility_changes_with_kreisfreiheit(client_ministerium):  # type: ignore[no-untyped-def]
    url = reverse("kommunen:gemeinde", args=[HANAU])
    vorher = client_ministerium.get(url, {"stand": "2025-12-31"})
    nachher = client_ministerium.get(url, {"stand": "2026-01-02"})
    assert vorher.status_code == nachher.status_code == 200

    def fuehrerschein(response):  # type: ignore[no-untyped-def]
        return next(
            z.behoerde for z in response.context["zeilen"] if "Führerschein" in z.leistung.kurzname
        )

    assert fuehrerschein(vorher) != fuehrerschein(nachher)
    assert "am 31.12.2025" in vorher.content.decode()


def test_gemeinde_page_with_malformed_date_falls_back_to_today(client_ministerium):  # type: ignore[no-untyped-def]
    response = client_ministerium.get(
        reverse("kommunen:gemeinde", args=[PULLACH]), {"stand": "gestern"}
    )
    assert response.status_code == 200
    assert "kein gültiges Datum" in response.content.decode()


def test_unknown_gemeinde_is_404(client_ministerium):  # type: ignore[no-untyped-def]
    assert (
        client_ministerium.get(reverse("kommunen:gemeinde", args=["999999999999"])).status_code
        == 404
    )


def test_gemeinde_page_query_count_is_pinned(client_ministerium, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    url = reverse("kommunen:gemeinde", args=[PULLACH])
    client_ministerium.get(url)
    with django_assert_max_num_queries(8):
        client_ministerium.get(url)


# --- Kreis page -----------------------------------------------------------------------


def test_kreis_page_lists_its_gemeinden_and_authorities(client_ministerium):  # type: ignore[no-untyped-def]
    from kommunen.models import Gemeinde

    response = client_ministerium.get(reverse("kommunen:kreis", args=[LANDKREIS_MUENCHEN]))
    assert response.status_code == 200
    html = response.content.decode()
    anzahl = Gemeinde.objects.aktuell().filter(kreis__ars=LANDKREIS_MUENCHEN).count()
    assert len(response.context["gemeinden"]) == anzahl
    assert f"Gemeinden ({anzahl})" in html
    assert reverse("kommunen:gemeinde", args=[PULLACH]) in html
    assert "Landratsamt München" in html


def test_unknown_kreis_is_404(client_ministerium):  # type: ignore[no-untyped-def]
    assert client_ministerium.get(reverse("kommunen:kreis", args=["99999"])).status_code == 404


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [("kommunen:suche", []), ("kommunen:gemeinde", [PULLACH]), ("kommunen:kreis", ["09184"])],
)
def test_anonymous_user_is_redirected_to_login(client_anon, name, args):  # type: ignore[no-untyped-def]
    url = reverse(name, args=args)
    response = client_anon.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize(
    ("name", "args"),
    [("kommunen:suche", []), ("kommunen:gemeinde", [PULLACH]), ("kommunen:kreis", ["09184"])],
)
def test_post_is_not_allowed(client_ministerium, name, args):  # type: ignore[no-untyped-def]
    assert client_ministerium.post(reverse(name, args=args)).status_code == 405
