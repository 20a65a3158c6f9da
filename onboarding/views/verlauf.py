"""The audit timeline of one onboarding record, filterable by user and date range."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from audit.selectors import ereignisse_fuer_onboarding
from onboarding import permissions
from onboarding.forms import VerlaufFilterForm
from onboarding.views.anzeige import aenderungen_lesbar, bezogene_namen, objekt_name, person
from rollout.http import HtmxHttpRequest

PRO_SEITE = 100


@require_GET
@login_required
def verlauf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    onboarding = permissions.onboarding_holen(user=request.user, pk=pk)
    form = VerlaufFilterForm(request.GET or None)
    daten = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = ereignisse_fuer_onboarding(
        onboarding_id=pk,
        user_id=daten.get("user"),
        von=daten.get("von"),
        bis=daten.get("bis"),
    )
    seite = Paginator(qs, PRO_SEITE).get_page(request.GET.get("seite"))
    ereignisse = list(seite.object_list)
    namen = bezogene_namen(ereignisse)
    eintraege = [
        {
            "ereignis": e,
            "zeitpunkt": timezone.localtime(e.zeitpunkt),
            "wer": person(e.user),
            "objekt": objekt_name(e),
            "aenderungen": aenderungen_lesbar(e, namen),
        }
        for e in ereignisse
    ]
    # Everyone who appears in this record's history, for the user filter.
    user_ids = (
        ereignisse_fuer_onboarding(onboarding_id=pk)
        .filter(user__isnull=False)
        .order_by()
        .values("user_id")
        .distinct()
    )
    personen = get_user_model().objects.filter(pk__in=user_ids).order_by("last_name", "username")
    parameter = request.GET.copy()
    parameter.pop("seite", None)
    template = "onboarding/verlauf.html"
    if request.htmx:
        template += "#verlauf-liste"
    response = render(
        request,
        template,
        {
            "onboarding": onboarding,
            "form": form,
            "personen": personen,
            "gewaehlt": daten.get("user"),
            "seite": seite,
            "eintraege": eintraege,
            "parameter": parameter.urlencode(),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response
