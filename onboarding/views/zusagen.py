"""Commitments (Zusagen): the list of the commitments of the Länder the user sees, with an
inline form per commitment the user may change (Land coordination of that Land,
administration). Every change goes through ``services.zusage_aktualisieren`` (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from audit.models import Quelle
from leistungen.models import Zusage
from onboarding import permissions, services
from onboarding.forms import ZusageForm
from onboarding.views._schreiben import Ergebnis, formfehler, schreiben
from rollout.http import HtmxHttpRequest


def _sichtbar(user: Any) -> QuerySet[Zusage]:
    return (
        Zusage.objects.filter(land__in=permissions.sichtbare_laender(user))
        .select_related("land", "leistung")
        .order_by("land__name", "leistung__ozg_id")
    )


def _zeile(user: Any, zusage: Zusage, **extra: Any) -> Zusage:
    """The commitment with what its table row needs: may the user change it, and the
    errors / typed values of a refused change."""
    zusage.darf_bearbeiten = permissions.darf_zusage_bearbeiten(user, zusage)  # type: ignore[attr-defined]
    zusage.fehler = extra.get("fehler", [])  # type: ignore[attr-defined]
    zusage.eingabe = extra.get("eingabe") or {  # type: ignore[attr-defined]
        "frist": zusage.frist.isoformat() if zusage.frist else "",
        "zugesagt_am": zusage.zugesagt_am.isoformat() if zusage.zugesagt_am else "",
        "quelle": zusage.quelle,
    }
    zusage.gespeichert = extra.get("gespeichert", False)  # type: ignore[attr-defined]
    return zusage


def _seite(
    request: HtmxHttpRequest, status: int = 200, zeile_extra: dict[int, dict] | None = None
) -> HttpResponse:
    """The whole page; ``zeile_extra`` maps a commitment pk to its row's errors/input."""
    user = request.user
    zeile_extra = zeile_extra or {}
    zeilen = [_zeile(user, z, **zeile_extra.get(z.pk, {})) for z in _sichtbar(user)]
    kontext = {
        "zusagen": zeilen,
        "bearbeitbar": any(z.darf_bearbeiten for z in zeilen),  # type: ignore[attr-defined]
    }
    return render(request, "onboarding/zusagen.html", kontext, status=status)


@require_GET
@login_required
def zusagen(request: HtmxHttpRequest) -> HttpResponse:
    return _seite(request)


@require_POST
@login_required
def zusage_aendern(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    zusage = _sichtbar(user).filter(pk=pk).first()
    if zusage is None:
        raise Http404("Keine sichtbare Zusage mit dieser Nummer.")
    if not permissions.darf_zusage_bearbeiten(user, zusage):
        raise PermissionDenied("Sie dürfen diese Zusage nicht bearbeiten.")
    form = ZusageForm(request.POST)
    ergebnis: Ergebnis[Zusage]
    if not form.is_valid():
        ergebnis = Ergebnis(fehler=formfehler(form))
    else:
        ergebnis = schreiben(
            services.zusage_aktualisieren,
            zusage_id=zusage.pk,
            user=user,
            daten=form.cleaned_data,
            quelle=Quelle.UI,
        )
        if ergebnis.wert is not None:
            zusage = ergebnis.wert
            if not request.htmx:
                messages.success(request, f"Zusage {zusage} gespeichert.")
                return redirect(reverse("onboarding:zusagen") + f"#zusage-{zusage.pk}")
            return _zeile_antwort(request, zusage, gespeichert=True)
    fehler = ergebnis.fehler
    eingabe = {feld: request.POST.get(feld, "") for feld in ("frist", "zugesagt_am", "quelle")}
    if request.htmx:
        zusage.refresh_from_db()
        return _zeile_antwort(request, zusage, status=422, fehler=fehler, eingabe=eingabe)
    return _seite(
        request, status=422, zeile_extra={zusage.pk: {"fehler": fehler, "eingabe": eingabe}}
    )


def _zeile_antwort(
    request: HtmxHttpRequest, zusage: Zusage, status: int = 200, **extra: Any
) -> HttpResponse:
    kontext = {"z": _zeile(request.user, zusage, **extra), "bearbeitbar": True}
    response = render(request, "onboarding/zusagen.html#zusage", kontext, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
