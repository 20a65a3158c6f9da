"""Hurdles: the list of visible hurdles, one hurdle with its linked records, changing it,
and resolving it (which unblocks every linked record that has no other open blocking
hurdle)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from audit.models import Quelle
from onboarding import permissions, selectors, services
from onboarding.forms import HuerdeBearbeitenForm, HuerdeLoesenForm, HuerdenFilterForm
from onboarding.models import Huerde, Onboarding
from onboarding.views._schreiben import Ergebnis, formfehler, gesehene_werte, roh, schreiben
from onboarding.views.anzeige import konflikt_anzeige, status_badge
from onboarding.views.detail import detail_fragment, detail_kontext
from rollout.http import HtmxHttpRequest

PRO_SEITE = 50


@require_GET
@login_required
def huerden(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    form = HuerdenFilterForm(request.GET or None, laender=permissions.sichtbare_laender(user))
    qs = permissions.huerden_sichtbar(user)
    daten = form.cleaned_data if form.is_bound and form.is_valid() else {}
    stand = daten.get("stand") or "offen"
    if stand == "offen":
        qs = qs.exclude(stand=Huerde.Stand.GELOEST)
    elif stand == "geloest":
        qs = qs.filter(stand=Huerde.Stand.GELOEST)
    if daten.get("kategorie"):
        qs = qs.filter(kategorie=daten["kategorie"])
    if daten.get("verantwortlich"):
        qs = qs.filter(verantwortlich=daten["verantwortlich"])
    if daten.get("land"):
        qs = qs.filter(
            pk__in=Huerde.onboardings.through.objects.filter(
                onboarding__zusage__land=daten["land"]
            ).values("huerde_id")
        )
    sichtbar = permissions.onboardings_sichtbar(user)
    qs = qs.annotate(
        anzahl=Count("onboardings", filter=Q(onboardings__in=sichtbar), distinct=True)
    ).order_by("-erfasst_am", "titel")
    seite = Paginator(qs, PRO_SEITE).get_page(request.GET.get("seite"))
    parameter = request.GET.copy()
    parameter.pop("seite", None)
    template = "onboarding/huerden.html"
    if request.htmx:
        template += "#huerden-liste"
    response = render(
        request,
        template,
        {"form": form, "seite": seite, "parameter": parameter.urlencode(), "stand": stand},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _entsperrt_anzahl(huerde: Huerde) -> int:
    """How many linked records resolving this hurdle would unblock: blocked ones with no
    other open blocking hurdle."""
    if not huerde.blockierend or not huerde.ist_offen:
        return 0
    andere = Huerde.objects.filter(onboardings=OuterRef("pk"), blockierend=True).exclude(
        Q(pk=huerde.pk) | Q(stand=Huerde.Stand.GELOEST)
    )
    return (
        huerde.onboardings.filter(blockiert=True, geschlossen_am__isnull=True)
        .exclude(Exists(andere))
        .count()
    )


def _huerde_kontext(request: HtmxHttpRequest, huerde: Huerde, **extra: Any) -> dict[str, Any]:
    user = request.user
    verknuepft = list(
        permissions.onboardings_sichtbar(user)
        .filter(huerden=huerde)
        .select_related("behoerde", "leistung", "zusage__land", "team")
        .order_by("behoerde__name", "leistung__ozg_id")
    )
    kontext = {
        "huerde": huerde,
        "verknuepft": [(o, status_badge(o.status)) for o in verknuepft],
        "anzahl_gesamt": huerde.onboardings.count(),
        "darf_bearbeiten": permissions.darf_huerde_bearbeiten(user, huerde),
        "entsperrt": _entsperrt_anzahl(huerde),
        "loesen_form": extra.pop("loesen_form", None)
        or HuerdeLoesenForm(initial={"version": huerde.version, "datum": timezone.localdate()}),
        "bearbeiten_form": extra.pop("bearbeiten_form", None)
        or HuerdeBearbeitenForm(instance=huerde, initial={"version": huerde.version}),
    }
    kontext.update(extra)
    return kontext


@require_GET
@login_required
def huerde(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    objekt = permissions.huerde_holen(user=request.user, pk=pk)
    return render(request, "onboarding/huerde.html", _huerde_kontext(request, objekt))


@require_POST
@login_required
def huerde_bearbeiten(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Change an open hurdle's fields; resolving is :func:`huerde_loesen`. With htmx the
    answer is the page's content region (data, edit form, resolve form with the new
    version)."""
    objekt = permissions.huerde_holen(user=request.user, pk=pk, bearbeiten=True)
    form = HuerdeBearbeitenForm(request.POST)
    ergebnis: Ergebnis[Huerde] = Ergebnis()
    if form.is_valid():
        ergebnis = schreiben(
            services.huerde_aktualisieren,
            huerde_id=objekt.pk,
            user=request.user,
            version=form.cleaned_data["version"],
            daten=form.daten(),
            quelle=Quelle.UI,
        )
        if ergebnis.wert is not None:
            objekt = ergebnis.wert
            if not request.htmx:
                messages.success(request, f"Hürde „{objekt.titel}“ gespeichert.")
                return redirect("onboarding:huerde", pk=objekt.pk)
            objekt.refresh_from_db()
            kontext = _huerde_kontext(request, objekt, bearbeiten_gespeichert=True)
            return _inhalt(request, kontext)
    objekt.refresh_from_db()
    extra: dict[str, Any] = {"bearbeiten_fehler": ergebnis.fehler, "bearbeiten_form": form}
    if ergebnis.konflikt is not None:
        extra.update(
            bearbeiten_konflikt=konflikt_anzeige(ergebnis.konflikt),
            bearbeiten_form=_bearbeiten_erneut(form, objekt, ergebnis.konflikt),
        )
    kontext = _huerde_kontext(request, objekt, **extra)
    return _inhalt(request, kontext, status=ergebnis.status)


def _inhalt(request: HtmxHttpRequest, kontext: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "onboarding/huerde.html"
    if request.htmx:
        template += "#huerde-inhalt"
    response = render(request, template, kontext, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _bearbeiten_erneut(
    form: HuerdeBearbeitenForm, huerde: Huerde, konflikt: Exception
) -> HuerdeBearbeitenForm:
    """The current hurdle with the current version, overlaid with the fields the user
    changed (submitted value differs from what the user saw: the value before the other
    person's first change, else the current value). Submitting it applies them knowingly."""
    gesehen = gesehene_werte(konflikt)
    eigene = {}
    for feld, wert in form.daten().items():
        vorher = gesehen[feld] if feld in gesehen else getattr(huerde, feld, None)
        if roh(wert) != roh(vorher):
            eigene[feld] = wert
    return HuerdeBearbeitenForm(instance=huerde, initial={"version": huerde.version, **eigene})


@require_POST
@login_required
def huerde_loesen(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Resolve a hurdle, from its own page or from a record page (``onboarding`` in POST
    names the record whose hurdle region is answered with htmx / redirected back to)."""
    objekt = permissions.huerde_holen(user=request.user, pk=pk, bearbeiten=True)
    onboarding_id = _onboarding_id(request, objekt)
    form = HuerdeLoesenForm(request.POST)
    ergebnis: Ergebnis[Huerde]
    if not form.is_valid():
        ergebnis = Ergebnis(fehler=formfehler(form))
    else:
        blockiert_vorher = set(
            objekt.onboardings.filter(blockiert=True).values_list("pk", flat=True)
        )
        ergebnis = schreiben(
            services.huerde_loesen,
            huerde_id=objekt.pk,
            user=request.user,
            version=form.cleaned_data["version"],
            loesung=form.cleaned_data["loesung"],
            datum=form.cleaned_data["datum"],
            quelle=Quelle.UI,
        )
        if ergebnis.wert is not None:
            entsperrt = len(
                blockiert_vorher
                - set(
                    Onboarding.objects.filter(pk__in=blockiert_vorher, blockiert=True).values_list(
                        "pk", flat=True
                    )
                )
            )
            text = (
                f"Hürde „{objekt.titel}“ gelöst; "
                f"{entsperrt} Onboarding{'s' if entsperrt != 1 else ''} nicht mehr blockiert."
            )
            if request.htmx and onboarding_id:
                kontext = detail_kontext(
                    request,
                    selectors.onboarding_detail(onboarding_id=onboarding_id),
                    huerde_meldung=text,
                )
                return detail_fragment(request, "huerden", kontext, ereignis=True)
            messages.success(request, text)
            if onboarding_id:
                return redirect(reverse("onboarding:detail", args=[onboarding_id]) + "#huerden")
            return redirect("onboarding:huerde", pk=objekt.pk)
    status, konflikt = ergebnis.status, ergebnis.konflikt
    objekt.refresh_from_db()
    fehler_kontext = {
        "fehler": ergebnis.fehler,
        "konflikt": konflikt_anzeige(konflikt) if konflikt is not None else None,
        "form": form,
    }
    if onboarding_id:
        kontext = detail_kontext(
            request,
            selectors.onboarding_detail(onboarding_id=onboarding_id),
            loesen_fehler={objekt.pk: fehler_kontext},
        )
        if request.htmx:
            return detail_fragment(request, "huerden", kontext, status=status)
        return render(request, "onboarding/detail.html", kontext, status=status)
    kontext = _huerde_kontext(
        request,
        objekt,
        loesen_fehler=ergebnis.fehler,
        loesen_konflikt=fehler_kontext["konflikt"],
        loesen_form=_erneut(form, objekt) if konflikt is not None else form,
    )
    return render(request, "onboarding/huerde.html", kontext, status=status)


def _erneut(form: HuerdeLoesenForm, huerde: Huerde) -> HuerdeLoesenForm:
    """The user's resolution with the current version: submitting it again applies it."""
    return HuerdeLoesenForm(
        initial={
            "version": huerde.version,
            "loesung": form.cleaned_data.get("loesung", ""),
            "datum": form.cleaned_data.get("datum"),
        }
    )


def _onboarding_id(request: HtmxHttpRequest, huerde: Huerde) -> int | None:
    roh = request.POST.get("onboarding", "")
    if not roh.isdigit():
        return None
    pk = int(roh)
    if not huerde.onboardings.filter(pk=pk).exists():
        return None
    permissions.onboarding_holen(user=request.user, pk=pk)
    return pk
