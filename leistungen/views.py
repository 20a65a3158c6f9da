from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from kommunen.views import stichtag_aus_anfrage
from leistungen.models import Behoerde
from leistungen.selectors import behoerde_statusverlauf, behoerde_versorgung
from onboarding import permissions
from onboarding.models import Huerde
from onboarding.selectors import phasen_fortschritt
from onboarding.views.anzeige import aktuelle_phase, status_badge
from rollout.http import HtmxHttpRequest

# Lists of served Gemeinden longer than this start collapsed.
GEMEINDEN_AUFGEKLAPPT_BIS = 12


@require_GET
@login_required
def behoerde(request: HtmxHttpRequest, schluessel: str) -> HttpResponse:
    behoerde = get_object_or_404(
        Behoerde.objects.select_related(
            "land", "kreis", "gemeinde__kreis", "verband__kreis", "regierungsbezirk"
        ),
        schluessel=schluessel,
    )
    if not permissions.darf_behoerde_sehen(request.user, behoerde):
        raise Http404("Keine sichtbare Behörde mit diesem Schlüssel.")
    stichtag, stand_fehler = stichtag_aus_anfrage(request)
    zeilen = behoerde_versorgung(behoerde=behoerde, stichtag=stichtag)
    # The open onboarding record per service, with its checklist and open hurdles.
    onboardings = {
        o.leistung_id: o
        for o in permissions.onboardings_sichtbar(request.user)
        .filter(behoerde=behoerde, geschlossen_am__isnull=True)
        .select_related("team")
        .prefetch_related(
            "punkte",
            Prefetch(
                "huerden",
                queryset=Huerde.objects.exclude(stand=Huerde.Stand.GELOEST).order_by(
                    "-blockierend", "faellig_am", "-erfasst_am", "pk"
                ),
                to_attr="offene_huerden",
            ),
        )
    }
    verlauf = behoerde_statusverlauf(behoerde=behoerde, leistung_ids=list(onboardings))
    eintraege = []
    for z in zeilen:
        onboarding = onboardings.get(z.leistung.pk)
        fortschritt = None
        if onboarding is not None:
            phasen = phasen_fortschritt(onboarding)
            fortschritt = {
                "badge": status_badge(onboarding.status),
                "phase": aktuelle_phase(onboarding, phasen),
                "phasen": phasen,
                "verlauf": [(a, status_badge(a.status)) for a in verlauf.get(z.leistung.pk, [])],
            }
        eintraege.append((z, onboarding, fortschritt))
    template = "leistungen/behoerde.html"
    if request.htmx:
        template += "#zustaendigkeiten-bereich"
    response = render(
        request,
        template,
        {
            "behoerde": behoerde,
            "stichtag": stichtag,
            "ist_heute": stichtag == timezone.localdate(),
            "stand_fehler": stand_fehler,
            "zeilen": zeilen,
            "eintraege": eintraege,
            "aufgeklappt_bis": GEMEINDEN_AUFGEKLAPPT_BIS,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
