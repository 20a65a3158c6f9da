from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from kommunen import selectors
from leistungen.selectors import gemeinde_zustaendigkeiten
from rollout.http import HtmxHttpRequest

SUCHE_MAX_LAENGE = 100


def stichtag_aus_anfrage(request: HttpRequest) -> tuple[dt.date, str]:
    """The date from ``?stand=YYYY-MM-DD`` (default today) and an error text if malformed."""
    heute = timezone.localdate()
    roh = request.GET.get("stand", "").strip()
    if not roh:
        return heute, ""
    try:
        return dt.date.fromisoformat(roh), ""
    except ValueError:
        return (
            heute,
            f"„{roh}“ ist kein gültiges Datum (JJJJ-MM-TT); gezeigt wird der heutige Stand.",
        )


@require_GET
@login_required
def suche(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:SUCHE_MAX_LAENGE]
    ergebnis = selectors.suche(q=q) if q else None
    template = "kommunen/suche.html"
    if request.htmx:
        template += "#suchergebnisse"
    response = render(request, template, {"q": q, "ergebnis": ergebnis})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def gemeinde(request: HttpRequest, ars: str) -> HttpResponse:
    gemeinde = get_object_or_404(selectors.gemeinden_fuer_seite(), ars=ars)
    stichtag, stand_fehler = stichtag_aus_anfrage(request)
    zeilen = gemeinde_zustaendigkeiten(gemeinde=gemeinde, stichtag=stichtag, nur_zugesagt=True)
    # A Land without commitments: show the rules that exist, marked as not committed.
    regeln = (
        []
        if zeilen
        else gemeinde_zustaendigkeiten(gemeinde=gemeinde, stichtag=stichtag, nur_zugesagt=False)
    )
    return render(
        request,
        "kommunen/gemeinde.html",
        {
            "gemeinde": gemeinde,
            "stichtag": stichtag,
            "ist_heute": stichtag == timezone.localdate(),
            "stand_fehler": stand_fehler,
            "zeilen": zeilen,
            "regeln": regeln,
        },
    )


@require_GET
@login_required
def kreis(request: HttpRequest, ars: str) -> HttpResponse:
    kreis = get_object_or_404(selectors.kreise_fuer_seite(), ars=ars)
    return render(
        request,
        "kommunen/kreis.html",
        {
            "kreis": kreis,
            "gemeinden": selectors.kreis_gemeinden(kreis=kreis),
            "behoerden": selectors.kreis_behoerden(kreis=kreis),
        },
    )
