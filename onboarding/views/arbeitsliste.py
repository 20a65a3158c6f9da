"""The work queue "Meine Behörden": the records a user may edit (or, for read-only roles,
see), with views (tabs) and filters that push the URL."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from leistungen.models import Leistung
from onboarding import permissions, selectors
from onboarding.forms import ANSICHTEN, STANDARD_ANSICHT, ArbeitslisteFilterForm
from onboarding.views.anzeige import aktuelle_phase, status_badge
from rollout.http import HtmxHttpRequest

PRO_SEITE = 50


def _zeilen(onboardings: list[Any]) -> list[dict[str, Any]]:
    prefetch_related_objects(onboardings, "punkte")
    zeilen = []
    for onboarding in onboardings:
        phasen = selectors.phasen_fortschritt(onboarding)
        zeilen.append(
            {
                "onboarding": onboarding,
                "badge": status_badge(onboarding.status),
                "phase": aktuelle_phase(onboarding, phasen),
            }
        )
    return zeilen


@require_GET
@login_required
def arbeitsliste(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    bearbeitbar = permissions.onboardings_bearbeitbar(user).exists()
    laender = list(permissions.sichtbare_laender(user).order_by("name"))
    leistungen = list(Leistung.objects.order_by("ozg_id"))
    form = ArbeitslisteFilterForm(request.GET or None, laender=permissions.sichtbare_laender(user))
    filter_ = form.filter() if form.is_bound else {"ansicht": STANDARD_ANSICHT}
    seite = Paginator(selectors.arbeitsliste(user=user, filter=filter_), PRO_SEITE).get_page(
        request.GET.get("seite")
    )
    # Query string without the page, for the tab and pagination links.
    parameter = request.GET.copy()
    parameter.pop("seite", None)
    ohne_ansicht = parameter.copy()
    ohne_ansicht.pop("ansicht", None)
    template = "onboarding/arbeitsliste.html"
    if request.htmx and not request.htmx.boosted:
        template += "#arbeitsliste-tabelle"
    response = render(
        request,
        template,
        {
            "form": form,
            "laender": laender,
            "leistungen": leistungen,
            "ansicht": filter_["ansicht"],
            "ansicht_label": ANSICHTEN.get(filter_["ansicht"], ""),
            "heute": timezone.localdate(),
            "ansichten": ANSICHTEN,
            "bearbeitbar": bearbeitbar,
            "seite": seite,
            "zeilen": _zeilen(list(seite.object_list)),
            "parameter": parameter.urlencode(),
            "ohne_ansicht": ohne_ansicht.urlencode(),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
