"""Admin for services, authorities, responsibility rules and the programme.

Rules and exceptions are saved and deleted through services, which enqueue the
re-resolution of the affected Land × service after commit. Resolved responsibilities are
read-only: they are rebuilt, never edited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from leistungen import services
from leistungen.models import (
    Behoerde,
    LeikaSchluessel,
    Leistung,
    Programmteilnahme,
    Zusage,
    Zustaendigkeit,
    ZustaendigkeitsAusnahme,
    ZustaendigkeitsRegel,
)


class LeikaSchluesselInline(admin.TabularInline):
    model = LeikaSchluessel
    extra = 0


@admin.register(Leistung)
class LeistungAdmin(admin.ModelAdmin):
    list_display = ["ozg_id", "kurzname", "name", "online_dienst", "betreiber"]
    search_fields = ["ozg_id", "name", "kurzname", "leika__schluessel"]
    inlines = [LeikaSchluesselInline]


@admin.register(Behoerde)
class BehoerdeAdmin(admin.ModelAdmin):
    list_display = ["name", "schluessel", "art", "land", "ist_pilot", "gueltig_ab", "gueltig_bis"]
    list_filter = ["land", "art", "ist_pilot"]
    search_fields = ["name", "suchname", "schluessel"]
    raw_id_fields = ["gemeinde", "verband", "kreis", "regierungsbezirk"]
    list_select_related = ["land"]


@admin.action(description="Zuständigkeiten neu auflösen")
def neu_aufloesen(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    if queryset.model is ZustaendigkeitsAusnahme:
        paare = set(queryset.values_list("behoerde__land_id", "leistung_id"))
    else:
        paare = set(queryset.values_list("land_id", "leistung_id"))
    anzahl = services.zustaendigkeiten_neu_aufloesen_einreihen(paare=paare)
    modeladmin.message_user(
        request,
        f"Neuauflösung für {anzahl} Kombination(en) aus Land und Leistung eingereiht.",
        messages.SUCCESS,
    )


class _ZustaendigkeitsPflegeAdmin(admin.ModelAdmin):
    actions = [neu_aufloesen]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ZustaendigkeitsRegelForm(forms.ModelForm):
    class Meta:
        model = ZustaendigkeitsRegel
        fields = [
            "land",
            "leistung",
            "ebene",
            "gueltig_ab",
            "gueltig_bis",
            "angenommen",
            "quelle",
        ]

    def _post_clean(self) -> None:
        # The instance carries the form's values only after the model form's own cleaning.
        super()._post_clean()  # type: ignore[misc]
        if not self.errors and (
            fehler := services.zustaendigkeitsregel_ueberschneidung(regel=self.instance)
        ):
            self.add_error(None, fehler)


@admin.register(ZustaendigkeitsRegel)
class ZustaendigkeitsRegelAdmin(_ZustaendigkeitsPflegeAdmin):
    form = ZustaendigkeitsRegelForm
    list_display = ["land", "leistung", "ebene", "gueltig_ab", "gueltig_bis", "angenommen"]
    list_filter = ["land", "leistung", "ebene", "angenommen"]
    list_select_related = ["land", "leistung"]
    search_fields = ["quelle"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.zustaendigkeitsregel_speichern(regel=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.zustaendigkeitsregel_loeschen(regel=obj)


@admin.register(ZustaendigkeitsAusnahme)
class ZustaendigkeitsAusnahmeAdmin(_ZustaendigkeitsPflegeAdmin):
    list_display = ["behoerde", "leistung", "grund", "gueltig_ab", "gueltig_bis", "angenommen"]
    list_filter = ["behoerde__land", "leistung", "angenommen"]
    list_select_related = ["behoerde", "leistung"]
    search_fields = ["behoerde__name", "behoerde__schluessel", "grund"]
    autocomplete_fields = ["behoerde"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.zustaendigkeitsausnahme_speichern(ausnahme=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.zustaendigkeitsausnahme_loeschen(ausnahme=obj)


@admin.register(Zustaendigkeit)
class ZustaendigkeitAdmin(admin.ModelAdmin):
    list_display = ["gemeinde", "leistung", "behoerde", "gueltig_ab", "gueltig_bis", "hinweis"]
    list_filter = ["leistung", "gemeinde__land"]
    list_select_related = ["gemeinde", "leistung", "behoerde"]
    search_fields = ["gemeinde__name", "gemeinde__ars", "behoerde__name"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Programmteilnahme)
class ProgrammteilnahmeAdmin(admin.ModelAdmin):
    list_display = ["land", "beigetreten_am"]


@admin.register(Zusage)
class ZusageAdmin(admin.ModelAdmin):
    """Commitments are written through the onboarding services so that every change is in
    the audit history and a new commitment gets its onboarding records."""

    list_display = ["land", "leistung", "frist", "zugesagt_am"]
    list_filter = ["land", "leistung"]
    list_select_related = ["land", "leistung"]

    def get_readonly_fields(self, request: HttpRequest, obj: Zusage | None = None) -> list[str]:
        # Land and service are the commitment's identity; a different pair is a new one.
        return ["land", "leistung"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Zusage | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Zusage, form: Any, change: bool) -> None:
        from audit.models import Quelle
        from onboarding.services import zusage_aktualisieren, zusage_anlegen
        from onboarding.services.zusagen import ZUSAGE_FELDER

        daten = {f: form.cleaned_data.get(f) for f in ZUSAGE_FELDER}
        if change:
            geaendert = {f: v for f, v in daten.items() if f in form.changed_data}
            zusage_aktualisieren(
                zusage_id=obj.pk, user=request.user, daten=geaendert, quelle=Quelle.UI
            )
        else:
            neu = zusage_anlegen(
                land_id=obj.land_id,
                leistung_id=obj.leistung_id,
                user=request.user,
                daten=daten,
                quelle=Quelle.UI,
            )
            obj.pk = neu.pk
