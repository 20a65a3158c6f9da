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
from onboarding import permissions
from onboarding.models import Status
from onboarding.views.anzeige import status_badge
from rollout.http import HtmxHttpRequest

STATUS_TEXT = {wert: str(text) for wert, text in Status.choices}

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


def darf_land_sehen(user: object, land_id: int) -> bool:
    """May the user see the onboarding status and coverage figures of this Land? Reference
    data and the names of responsible authorities are public and shown to everybody."""
    ids = permissions._land_ids(user)
    return ids is None or land_id in ids


def _mit_vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def gemeinde(request: HtmxHttpRequest, ars: str) -> HttpResponse:
    gemeinde = get_object_or_404(selectors.gemeinden_fuer_seite(), ars=ars)
    stichtag, stand_fehler = stichtag_aus_anfrage(request)
    ist_heute = stichtag == timezone.localdate()
    mit_status = darf_land_sehen(request.user, gemeinde.land_id)
    zeilen = gemeinde_zustaendigkeiten(gemeinde=gemeinde, stichtag=stichtag, nur_zugesagt=True)
    # A Land without commitments: show the rules that exist, marked as not committed.
    regeln = (
        []
        if zeilen
        else gemeinde_zustaendigkeiten(gemeinde=gemeinde, stichtag=stichtag, nur_zugesagt=False)
    )
    angebote = (
        selectors.gemeinde_angebot(gemeinde=gemeinde, stichtag=None if ist_heute else stichtag)
        if zeilen and mit_status
        else {}
    )
    angebot_zeilen = [
        (z, angebote.get(z.leistung.pk), status_badge(angebote[z.leistung.pk].status))
        if z.leistung.pk in angebote
        else (z, None, "")
        for z in zeilen
    ]
    template = "kommunen/gemeinde.html"
    if request.htmx:
        template += "#stand-bereich"
    return _mit_vary(
        render(
            request,
            template,
            {
                "gemeinde": gemeinde,
                "stichtag": stichtag,
                "ist_heute": ist_heute,
                "stand_fehler": stand_fehler,
                "zeilen": zeilen,
                "regeln": regeln,
                "mit_status": mit_status,
                "angebote": angebot_zeilen,
                "nutzbar": sum(1 for a in angebote.values() if a.nutzbar),
            },
        )
    )


@require_GET
@login_required
def kreis(request: HttpRequest, ars: str) -> HttpResponse:
    kreis = get_object_or_404(selectors.kreise_fuer_seite(), ars=ars)
    mit_status = darf_land_sehen(request.user, kreis.land_id)
    stand = selectors.kreis_stand(kreis=kreis, mit_status=mit_status)
    gemeinden = list(selectors.kreis_gemeinden(kreis=kreis))
    kennzahlen = {k.leistung_id: k for k in stand.kennzahlen}
    behoerden = []
    for b in stand.behoerden:
        zellen: list[dict[str, object] | None] = []
        for z in stand.zusagen:
            eintrag = b.leistungen.get(z.leistung_id)
            if eintrag is None:
                zellen.append(None)
                continue
            anzahl, status, blockiert = eintrag
            zellen.append(
                {
                    "anzahl": anzahl,
                    "status": status,
                    "text": STATUS_TEXT.get(status, "") if status else "",
                    "badge": status_badge(status) if status else "",
                    "blockiert": blockiert,
                }
            )
        behoerden.append((b, zellen))
    return render(
        request,
        "kommunen/kreis.html",
        {
            "kreis": kreis,
            "mit_status": mit_status,
            "gemeinden": gemeinden,
            "gemeinde_zeilen": [(g, stand.nutzbar_je_gemeinde.get(g.pk)) for g in gemeinden],
            "zusagen": [(z, kennzahlen.get(z.leistung_id)) for z in stand.zusagen],
            "abdeckung_stand": stand.stand,
            "behoerden": behoerden,
            # Without commitments: the authorities seated in the Kreis.
            "behoerden_mit_sitz": ([] if stand.zusagen else selectors.kreis_behoerden(kreis=kreis)),
        },
    )
