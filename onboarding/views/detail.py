"""The onboarding record page and its inline forms: status and dates, checklist items,
go-live confirmation, recording a hurdle.

Every form posts to its own URL and works without JavaScript (POST → redirect back with a
message; errors re-render the page). With htmx the response is the swapped region only,
and ``onboarding-geaendert`` tells the dependent regions (header, phase progress, status
form) to refresh themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from audit.models import Quelle
from onboarding import permissions, selectors, services
from onboarding.forms import (
    ChecklistenpunktForm,
    GoliveForm,
    HuerdeForm,
    OnboardingForm,
)
from onboarding.models import Checklistenpunkt, Onboarding, Status
from onboarding.views._schreiben import Ergebnis, formfehler, gesehene_werte, roh, schreiben
from onboarding.views.anzeige import aktuelle_phase, konflikt_anzeige, status_badge
from rollout.http import HtmxHttpRequest

EREIGNIS = "onboarding-geaendert"
TEILE = ("kopf", "phasen", "stammdaten", "huerden")


def detail_kontext(request: HtmxHttpRequest, onboarding: Onboarding, **extra: Any) -> dict:
    user = request.user
    darf_bearbeiten = permissions.darf_onboarding_bearbeiten(user, onboarding)
    team_erlaubt = darf_bearbeiten and permissions.darf_team_zuweisen(user, onboarding)
    phasen = selectors.phasen_fortschritt(onboarding)
    punkte = list(onboarding.punkte.all())
    huerden = sorted(onboarding.huerden.all(), key=lambda h: (not h.ist_offen, h.erfasst_am))
    gruppen = [
        {
            "stand": stand,
            "titel": stand.bezeichnung,
            "punkte": [p for p in punkte if p.phase == stand.phase],
        }
        for stand in phasen
    ]
    # Going live needs phases 0-2 complete (services.VORAUSSETZUNGEN); phase 3 follows it.
    vor_golive = [stand for stand in phasen if stand.phase <= 2]
    alle_abgeschlossen = bool(vor_golive) and all(stand.abgeschlossen for stand in vor_golive)
    kontext = {
        "onboarding": onboarding,
        "badge": status_badge(onboarding.status),
        "darf_bearbeiten": darf_bearbeiten,
        "team_erlaubt": team_erlaubt,
        "phasen": phasen,
        "aktuelle_phase": aktuelle_phase(onboarding, phasen),
        "gruppen": gruppen,
        "huerden_offen": [h for h in huerden if h.ist_offen],
        "huerden_geloest": [h for h in huerden if not h.ist_offen],
        "blockierende": [h for h in huerden if h.ist_offen and h.blockierend],
        "golive_moeglich": alle_abgeschlossen
        and onboarding.status not in (Status.LIVE, Status.BETRIEBSFAEHIG),
        "heute": timezone.localdate(),
        "status_form": extra.pop("status_form", None)
        or OnboardingForm(
            instance=onboarding,
            initial={"version": onboarding.version},
            team_erlaubt=team_erlaubt,
        ),
        "huerde_form": extra.pop("huerde_form", None) or HuerdeForm(),
        "golive_form": extra.pop("golive_form", None)
        or GoliveForm(initial={"version": onboarding.version, "datum": timezone.localdate()}),
    }
    # Errors and conflicts of one item / one hurdle's resolve form (full-page answers
    # without JavaScript) travel on the objects, for the template.
    punkt_fehler = extra.pop("punkt_fehler", {})
    punkt_konflikt = extra.pop("punkt_konflikt", {})
    for punkt in punkte:
        punkt.fehler = punkt_fehler.get(punkt.pk, [])  # type: ignore[attr-defined]
        punkt.konflikt = punkt_konflikt.get(punkt.pk, {})  # type: ignore[attr-defined]
    loesen_fehler = extra.pop("loesen_fehler", {})
    for huerde in huerden:
        huerde.loesen = loesen_fehler.get(huerde.pk, {})  # type: ignore[attr-defined]
    kontext.update(extra)
    return kontext


def _laden(onboarding_id: int) -> Onboarding:
    return selectors.onboarding_detail(onboarding_id=onboarding_id)


def detail_fragment(
    request: HtmxHttpRequest, teil: str, kontext: dict, status: int = 200, ereignis: bool = False
) -> HttpResponse:
    response = render(request, f"onboarding/detail.html#{teil}", kontext, status=status)
    if ereignis:
        trigger_client_event(response, EREIGNIS)
    return response


@require_GET
@login_required
def detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    permissions.onboarding_holen(user=request.user, pk=pk)
    onboarding = _laden(pk)
    kontext = detail_kontext(request, onboarding)
    teil = request.GET.get("teil", "")
    if request.htmx and teil in TEILE:
        response = detail_fragment(request, teil, kontext)
    else:
        response = render(request, "onboarding/detail.html", kontext)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@login_required
def aktualisieren(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    onboarding = permissions.onboarding_holen(user=request.user, pk=pk, bearbeiten=True)
    team_erlaubt = permissions.darf_team_zuweisen(request.user, onboarding)
    form = OnboardingForm(request.POST, instance=None, team_erlaubt=team_erlaubt)
    ergebnis: Ergebnis[Onboarding] = Ergebnis()
    if form.is_valid():
        ergebnis = schreiben(
            services.onboarding_aktualisieren,
            onboarding_id=pk,
            user=request.user,
            version=form.cleaned_data["version"],
            daten=_geaendert(form.daten(), onboarding),
            quelle=Quelle.UI,
        )
        if ergebnis.wert is not None:
            if not request.htmx:
                messages.success(request, "Status und Termine gespeichert.")
                return redirect("onboarding:detail", pk=pk)
            kontext = detail_kontext(request, _laden(pk), status_gespeichert=True)
            return detail_fragment(request, "stammdaten", kontext, ereignis=True)
    onboarding = _laden(pk)
    extra: dict[str, Any] = {"status_form": form, "status_fehler": ergebnis.fehler}
    konflikt = ergebnis.konflikt
    if konflikt is not None:
        # The user's values on top of the current record, with the current version, so that
        # "Meine Änderung erneut anwenden" posts them again knowingly.
        erneut = OnboardingForm(
            instance=onboarding,
            initial={"version": onboarding.version, **_eigene_aenderungen(form, konflikt)},
            team_erlaubt=team_erlaubt,
        )
        extra.update(
            status_form=None,
            status_konflikt=konflikt_anzeige(konflikt),
            status_erneut=_als_hidden(erneut),
        )
    kontext = detail_kontext(request, onboarding, **extra)
    if request.htmx:
        return detail_fragment(request, "stammdaten", kontext, status=ergebnis.status)
    return render(request, "onboarding/detail.html", kontext, status=ergebnis.status)


def _geaendert(daten: dict[str, Any], onboarding: Onboarding) -> dict[str, Any]:
    """Only the fields whose submitted value differs from the record as loaded: unchanged
    fields are not sent, so a save never touches what the user did not change."""
    return {
        feld: wert
        for feld, wert in daten.items()
        if roh(wert) != roh(getattr(onboarding, "team_id" if feld == "team" else feld))
    }


def _eigene_aenderungen(form: OnboardingForm, konflikt: Exception) -> dict[str, Any]:
    """The fields the user changed: submitted value differs from the value the user saw
    (the value before the other person's first change, else the value the record has)."""
    aktuell = getattr(konflikt, "aktuell", None)
    gesehen = gesehene_werte(konflikt)
    eigene = {}
    for feld, wert in form.daten().items():
        vorher = gesehen[feld] if feld in gesehen else getattr(aktuell, f"{feld}_id", None)
        if feld not in gesehen and not hasattr(aktuell, f"{feld}_id"):
            vorher = getattr(aktuell, feld, None)
        if roh(wert) != roh(vorher):
            eigene[feld] = wert
    return eigene


def _als_hidden(form: OnboardingForm) -> list[tuple[str, str]]:
    """The form's values as hidden (name, value) pairs for the reapply button."""
    paare = []
    for feld in form:
        wert = feld.value()
        if feld.name == "baseline":
            if wert:
                paare.append((feld.html_name, "on"))
            continue
        paare.append((feld.html_name, roh(wert)))
    return paare


@require_POST
@login_required
def punkt_setzen(request: HtmxHttpRequest, pk: int, punkt_pk: int) -> HttpResponse:
    permissions.onboarding_holen(user=request.user, pk=pk, bearbeiten=True)
    punkt = get_object_or_404(Checklistenpunkt, pk=punkt_pk, onboarding_id=pk)
    form = ChecklistenpunktForm(request.POST)
    ergebnis: Ergebnis[Checklistenpunkt]
    if not form.is_valid():
        ergebnis = Ergebnis(fehler=["Die Eingabe ist unvollständig; bitte die Seite neu laden."])
    else:
        ergebnis = schreiben(
            services.checklistenpunkt_setzen,
            punkt_id=punkt.pk,
            user=request.user,
            version=form.cleaned_data["version"],
            stand=form.stand(),
            verzicht_grund=form.cleaned_data.get("verzicht_grund", ""),
            quelle=Quelle.UI,
        )
        if ergebnis.wert is not None:
            punkt = ergebnis.wert
            if not request.htmx:
                messages.success(request, f"„{punkt.text}“: {punkt.get_stand_display()}.")
                return redirect(reverse("onboarding:detail", args=[pk]) + f"#punkt-{punkt.pk}")
            punkt.refresh_from_db()
            return _punkt_fragment(request, punkt, ereignis=True)
    punkt.refresh_from_db()
    status, fehler = ergebnis.status, ergebnis.fehler
    extra: dict[str, Any] = {}
    if ergebnis.konflikt is not None:
        extra["konflikt"] = konflikt_anzeige(ergebnis.konflikt)
        extra["erneut"] = {
            "stand": form.stand(),
            "verzicht_grund": form.cleaned_data.get("verzicht_grund", ""),
            "erledigt": form.cleaned_data.get("erledigt"),
            "aktion": form.cleaned_data.get("aktion") or "setzen",
        }
    if request.htmx:
        return _punkt_fragment(request, punkt, status=status, fehler=fehler, **extra)
    onboarding = _laden(pk)
    kontext = detail_kontext(
        request,
        onboarding,
        punkt_fehler={punkt.pk: fehler},
        punkt_konflikt={punkt.pk: extra} if extra else {},
    )
    return render(request, "onboarding/detail.html", kontext, status=status)


def _punkt_fragment(
    request: HtmxHttpRequest,
    punkt: Checklistenpunkt,
    *,
    status: int = 200,
    ereignis: bool = False,
    fehler: list[str] | None = None,
    **extra: Any,
) -> HttpResponse:
    kontext = {
        "onboarding": punkt.onboarding,
        "punkt": punkt,
        "darf_bearbeiten": True,
        "fehler": fehler or [],
        "fokus": True,
        **extra,
    }
    response = render(request, "onboarding/detail.html#punkt", kontext, status=status)
    if ereignis:
        trigger_client_event(response, EREIGNIS)
    return response


@require_POST
@login_required
def golive(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    permissions.onboarding_holen(user=request.user, pk=pk, bearbeiten=True)
    form = GoliveForm(request.POST)
    ergebnis: Ergebnis[Onboarding]
    if not form.is_valid():
        ergebnis = Ergebnis(fehler=formfehler(form))
    else:
        ergebnis = schreiben(
            services.golive_bestaetigen,
            onboarding_id=pk,
            user=request.user,
            version=form.cleaned_data["version"],
            datum=form.cleaned_data["datum"],
            quelle=Quelle.UI,
        )
        if ergebnis.wert is not None:
            if not request.htmx:
                messages.success(request, "Go-live bestätigt.")
                return redirect("onboarding:detail", pk=pk)
            kontext = detail_kontext(request, _laden(pk))
            return detail_fragment(request, "phasen", kontext, ereignis=True)
    konflikt = ergebnis.konflikt
    kontext = detail_kontext(
        request,
        _laden(pk),
        golive_form=form,
        golive_fehler=ergebnis.fehler,
        golive_konflikt=konflikt_anzeige(konflikt) if konflikt is not None else None,
    )
    if request.htmx:
        return detail_fragment(request, "phasen", kontext, status=ergebnis.status)
    return render(request, "onboarding/detail.html", kontext, status=ergebnis.status)


@require_POST
@login_required
def huerde_erfassen(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    permissions.onboarding_holen(user=request.user, pk=pk, bearbeiten=True)
    form = HuerdeForm(request.POST)
    fehler: list[str] = []
    if form.is_valid():
        ergebnis = schreiben(
            services.huerde_erfassen,
            user=request.user,
            daten=form.cleaned_data,
            onboarding_ids=[pk],
            quelle=Quelle.UI,
        )
        huerde = ergebnis.wert
        if huerde is not None:
            if not request.htmx:
                messages.success(request, f"Hürde „{huerde.titel}“ erfasst.")
                return redirect(reverse("onboarding:detail", args=[pk]) + "#huerden")
            kontext = detail_kontext(request, _laden(pk), huerde_erfasst=huerde)
            return detail_fragment(request, "huerden", kontext, ereignis=True)
        fehler = ergebnis.fehler
    kontext = detail_kontext(request, _laden(pk), huerde_form=form, huerde_fehler=fehler)
    if request.htmx:
        return detail_fragment(request, "huerden", kontext, status=422)
    return render(request, "onboarding/detail.html", kontext, status=422)
