"""Bulk updates in the browser: upload a CSV/XLSX file, preview per row what will change,
apply (all, or explicitly only the rows without errors) or cancel; and the export in the
same format for the work queue's filters."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Quelle
from onboarding import permissions, selectors
from onboarding.bulk import Ergebnis, massenimport_anwenden, massenimport_pruefen
from onboarding.bulk import export as bulk_export
from onboarding.bulk.format import MAX_DATEIGROESSE
from onboarding.forms import ArbeitslisteFilterForm
from onboarding.models import Massenimport, Onboarding
from rollout.http import AuthenticatedHttpRequest

# Rows listed in the preview per group; the counts always cover the whole file.
VORSCHAU_HOECHSTENS = 500


class HochladenForm(forms.Form):
    datei = forms.FileField(
        label="Datei (CSV oder XLSX)",
        help_text="Format wie der Export: eine Zeile je Behörde und Leistung.",
    )

    def clean_datei(self):  # type: ignore[no-untyped-def]
        datei = self.cleaned_data["datei"]
        if datei.size > MAX_DATEIGROESSE:
            raise forms.ValidationError("Die Datei ist größer als 20 MB.")
        return datei


def _export_onboardings(request: HttpRequest) -> QuerySet[Onboarding]:
    user = request.user
    form = ArbeitslisteFilterForm(request.GET, laender=permissions.sichtbare_laender(user))
    filter_ = form.filter()
    if not request.GET.get("ansicht"):
        filter_["ansicht"] = "alle"
    return selectors.arbeitsliste(user=user, filter=filter_)


def _dateiname(endung: str) -> str:
    return f"onboardings-{timezone.localdate():%Y-%m-%d}.{endung}"


@require_GET
@login_required
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (
            zeile.encode("utf-8")
            for zeile in bulk_export.export_csv_zeilen(_export_onboardings(request))
        ),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_dateiname("csv")}"'
    return response


@require_GET
@login_required
def export_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        bulk_export.export_xlsx(_export_onboardings(request)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_dateiname("xlsx")}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def hochladen(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = HochladenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        datei = form.cleaned_data["datei"]
        inhalt = datei.read()
        ergebnis = massenimport_pruefen(user=request.user, inhalt=inhalt, dateiname=datei.name)
        upload = Massenimport.objects.create(
            user=request.user,
            dateiname=datei.name[:255],
            inhalt=inhalt,
            vorschau=ergebnis.als_dict(),
        )
        return redirect("massen:vorschau", pk=upload.pk)
    return render(request, "onboarding/bulk_hochladen.html", {"form": form})


def _eigener_upload(request: HttpRequest, pk: int) -> Massenimport:
    # Another user's upload does not exist for this user.
    return get_object_or_404(Massenimport, pk=pk, user=request.user)


@require_GET
@login_required
def vorschau(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _eigener_upload(request, pk)
    angewendet = bool(upload.ergebnis)
    ergebnis = Ergebnis.aus_dict(upload.ergebnis if angewendet else upload.vorschau)
    return render(
        request,
        "onboarding/bulk_vorschau.html",
        {
            "upload": upload,
            "ergebnis": ergebnis,
            "ist_ergebnis": angewendet,
            "fehlerhafte": ergebnis.fehlerhafte_zeilen[:VORSCHAU_HOECHSTENS],
            "geaenderte": ergebnis.geaenderte_zeilen[:VORSCHAU_HOECHSTENS],
            "hoechstens": VORSCHAU_HOECHSTENS,
        },
    )


@require_POST
@login_required
def uebernehmen(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _eigener_upload(request, pk)
    nur_fehlerfreie = request.POST.get("modus") == "fehlerfreie"
    ergebnis = massenimport_anwenden(
        user=request.user,
        inhalt=bytes(upload.inhalt),
        dateiname=upload.dateiname,
        nur_fehlerfreie=nur_fehlerfreie,
        quelle=Quelle.IMPORT,
    )
    upload.ergebnis = ergebnis.als_dict()
    if ergebnis.angewendet:
        upload.angewendet_am = timezone.now()
        messages.success(
            request,
            f"Übernommen: {ergebnis.anzahl_geaendert} Zeile(n) geändert, "
            f"{ergebnis.anzahl_unveraendert} unverändert"
            + (
                f", {ergebnis.anzahl_fehlerhaft} fehlerhafte übersprungen."
                if ergebnis.anzahl_fehlerhaft
                else "."
            ),
        )
    else:
        messages.error(
            request,
            "Nichts übernommen: "
            + (ergebnis.datei_fehler or f"{ergebnis.anzahl_fehlerhaft} Zeile(n) sind fehlerhaft.")
            + " Es wurde nichts gespeichert.",
        )
    upload.save(update_fields=["ergebnis", "angewendet_am"])
    return redirect("massen:vorschau", pk=upload.pk)


@require_POST
@login_required
def abbrechen(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _eigener_upload(request, pk)
    upload.delete()
    messages.info(request, "Import abgebrochen. Es wurde nichts gespeichert.")
    return redirect("massen:hochladen")
