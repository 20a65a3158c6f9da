"""The shared pagination (templates/_seiten.html) of the work queue, Land table, hurdles and
history."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation


def test_page_links_keep_filters_swap_the_region_and_never_localise_page_numbers() -> None:
    seite = Paginator(range(60_000), 50).page(1001)
    with translation.override("de"):
        html = render_to_string(
            "_seiten.html",
            {"seite": seite, "parameter": "status=live", "ziel": "land-behoerden", "anker": "#b"},
        )
    assert 'href="?status=live&amp;seite=1000#b"' in html
    assert 'hx-get="?status=live&amp;seite=1002"' in html
    assert 'hx-target="#land-behoerden"' in html
    assert "Seite 1.001 von 1.200" in html  # the text is German, the links are not
    assert "Vorherige Seite" in html
    assert "Nächste Seite" in html


def test_plain_links_without_region_and_own_link_texts() -> None:
    seite = Paginator(range(30), 10).page(2)
    html = render_to_string(
        "_seiten.html", {"seite": seite, "parameter": "", "zurueck": "Neuere", "weiter": "Ältere"}
    )
    assert 'href="?seite=1"' in html
    assert 'href="?seite=3"' in html
    assert "hx-get" not in html
    assert ">Neuere</a>" in html
    assert ">Ältere</a>" in html


def test_nothing_for_a_single_page() -> None:
    seite = Paginator(range(3), 10).page(1)
    assert render_to_string("_seiten.html", {"seite": seite}).strip() == ""
