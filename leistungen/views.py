from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kommunen.views import stichtag_aus_anfrage
from leistungen.models import Behoerde
from leistungen.selectors import behoerde_versorgung

# Lists of served Gemeinden longer than this start collapsed.
GEMEINDEN_AUFGEKLAPPT_BIS = 12


@require_GET
@login_required
def behoerde(request: HttpRequest, schluessel: str) -> HttpResponse:
    behoerde = get_object_or_404(
        Behoerde.objects.select_related(
            "land", "kreis", "gemeinde__kreis", "verband__kreis", "regierungsbezirk"
        ),
        schluessel=schluessel,
    )
    stichtag, stand_fehler = stichtag_aus_anfrage(request)
    zeilen = behoerde_versorgung(behoerde=behoerde, stichtag=stichtag)
    return render(
        request,
        "leistungen/behoerde.html",
        {
            "behoerde": behoerde,
            "stichtag": stichtag,
            "ist_heute": stichtag == timezone.localdate(),
            "stand_fehler": stand_fehler,
            "zeilen": zeilen,
            "aufgeklappt_bis": GEMEINDEN_AUFGEKLAPPT_BIS,
        },
    )
