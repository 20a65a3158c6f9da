"""The report archive page: archived steering reports per scope, the on-demand request
with its progress (htmx polling that stops when the run is done), and the download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from berichte import selectors, services
from berichte.forms import BerichtAnfordernForm, stichtag_text
from berichte.models import Bericht
from rollout.http import HtmxHttpRequest

SEITE = "berichte/liste.html"


def _kontext(request: HtmxHttpRequest, *, form: BerichtAnfordernForm | None = None) -> dict:
    archiv = selectors.berichte_archiv(request.user)
    anforderbar = [e.scope for e in archiv if e.darf_anfordern]
    stichtage = selectors.eingefrorene_stichtage() if anforderbar else []
    if form is None and anforderbar:
        form = BerichtAnfordernForm(scopes=anforderbar, stichtage=stichtage)
    return {"archiv": archiv, "form": form, "stichtage": stichtage}


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@login_required
def liste(request: HtmxHttpRequest) -> HttpResponse:
    template = SEITE + "#berichte-inhalt" if request.htmx else SEITE
    return _vary(render(request, template, _kontext(request)))


@require_POST
@login_required
def anfordern(request: HtmxHttpRequest) -> HttpResponse:
    scopes = selectors.anforderbare_scopes(request.user)
    if not scopes:
        raise PermissionDenied("Sie dürfen keine Steuerungsberichte anfordern.")
    form = BerichtAnfordernForm(
        request.POST, scopes=scopes, stichtage=selectors.eingefrorene_stichtage()
    )
    bericht: Bericht | None = None
    if form.is_valid():
        try:
            bericht = services.bericht_anfordern(
                scope=form.cleaned_data["scope"],
                stichtag=form.cleaned_data["stichtag"],
                user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if bericht is None:
        kontext = _kontext(request, form=form)
        template = SEITE + "#berichte-inhalt" if request.htmx else SEITE
        return _vary(render(request, template, kontext, status=422))
    bericht.refresh_from_db(fields=["status", "fehler", "sha256"])
    meldung = _meldung(bericht)
    if not request.htmx:
        stufe = {"success": messages.SUCCESS, "danger": messages.ERROR}.get(
            _meldung_art(bericht), messages.INFO
        )
        messages.add_message(request, stufe, meldung)
        return redirect("berichte:liste")
    # The form keeps the choice just made (the next request is often the same scope).
    kontext = _kontext(
        request,
        form=BerichtAnfordernForm(
            initial={"scope": bericht.scope, "stichtag": bericht.stichtag.isoformat()},
            scopes=scopes,
            stichtage=selectors.eingefrorene_stichtage(),
        ),
    )
    kontext.update(meldung=meldung, meldung_art=_meldung_art(bericht))
    return _vary(render(request, SEITE + "#berichte-inhalt", kontext))


def _meldung_art(bericht: Bericht) -> str:
    """KERN alert variant: success when archived, danger when failed, info while running."""
    return {Bericht.Status.FERTIG: "success", Bericht.Status.FEHLER: "danger"}.get(
        Bericht.Status(bericht.status), "info"
    )


def _meldung(bericht: Bericht) -> str:
    name = bericht.land.name if bericht.land else selectors.NATIONAL_NAME
    was = f"Steuerungsbericht {name}, Stichtag {stichtag_text(bericht.stichtag)}"
    if bericht.status == Bericht.Status.FERTIG:
        return f"{was}: erzeugt und archiviert."
    if bericht.status == Bericht.Status.FEHLER:
        return f"{was}: Erzeugung fehlgeschlagen. {bericht.fehler}"
    return f"{was}: angefordert. Der Fortschritt wird in der Tabelle angezeigt."


@require_GET
@login_required
def status(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The row of one report; polled every 2 s while it is being generated. When the run
    is over (or lost), the answer is 286 so that htmx stops polling."""
    bericht = selectors.bericht_holen(user=request.user, pk=pk)
    if not request.htmx:
        return redirect(f"{reverse('berichte:liste')}#bericht-{bericht.pk}")
    response = render(request, SEITE + "#bericht-zeile", {"bericht": bericht})
    if not bericht.laeuft_noch or bericht.verloren:
        response = HttpResponseStopPolling(response.content, headers=dict(response.items()))
    return _vary(response)


@require_GET
@login_required
def pdf(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    bericht = selectors.bericht_holen(user=request.user, pk=pk, mit_pdf=True)
    if not bericht.pdf:
        raise Http404("Für diesen Bericht ist noch kein PDF archiviert.")
    response = HttpResponse(bytes(bericht.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{bericht.dateiname}"'
    response["Content-Length"] = str(len(bericht.pdf))
    response["ETag"] = f'"{bericht.sha256}"'
    response["Cache-Control"] = "private, no-cache"
    return response
