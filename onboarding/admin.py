"""Admin for teams and checklist templates; onboarding records, checklist items and
hurdles are shown read only (they change through the services, which check the scope and
write the audit history).

Templates are versioned: the items of a version that records already copied cannot be
edited; "Als neue Version kopieren" creates the next version to edit instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from onboarding.models import (
    Checklistenpunkt,
    ChecklistenVorlage,
    Huerde,
    Onboarding,
    Team,
    VorlagePunkt,
)
from onboarding.services import checklisten_vorlage_neue_version


def _in_benutzung(vorlage: ChecklistenVorlage | None) -> bool:
    return vorlage is not None and Onboarding.objects.filter(vorlage=vorlage).exists()


class _NurLesen:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "land"]
    list_filter = ["land"]
    search_fields = ["name"]


class VorlagePunktInline(admin.TabularInline):
    model = VorlagePunkt
    extra = 0

    def _gesperrt(self, obj: Any) -> bool:
        return _in_benutzung(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._gesperrt(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._gesperrt(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._gesperrt(obj) and super().has_delete_permission(request, obj)


@admin.action(description="Als neue Version kopieren (zum Bearbeiten)")
def neue_version(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ChecklistenVorlage]
) -> None:
    for vorlage in queryset:
        neu = checklisten_vorlage_neue_version(vorlage=vorlage)
        modeladmin.message_user(request, f"Neue Version angelegt: {neu}", messages.SUCCESS)


@admin.register(ChecklistenVorlage)
class ChecklistenVorlageAdmin(admin.ModelAdmin):
    list_display = ["bezeichnung", "leistung", "version", "aktiv", "erstellt_am"]
    list_filter = ["aktiv", "leistung"]
    inlines = [VorlagePunktInline]
    actions = [neue_version]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if _in_benutzung(obj):
            return ["leistung", "version", "bezeichnung"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _in_benutzung(obj) and super().has_delete_permission(request, obj)


class ChecklistenpunktInline(_NurLesen, admin.TabularInline):
    model = Checklistenpunkt
    extra = 0
    fields = ("phase", "code", "text", "pflicht", "stand", "verzicht_grund", "erledigt_am")
    readonly_fields = fields


@admin.register(Onboarding)
class OnboardingAdmin(_NurLesen, admin.ModelAdmin):
    list_display = [
        "behoerde",
        "leistung",
        "status",
        "blockiert",
        "team",
        "welle",
        "baseline",
        "geschlossen_am",
    ]
    list_filter = ["status", "blockiert", "baseline", "zusage__land", "leistung", "team"]
    search_fields = ["behoerde__name", "behoerde__schluessel"]
    list_select_related = ["behoerde", "leistung", "team"]
    inlines = [ChecklistenpunktInline]


@admin.register(Huerde)
class HuerdeAdmin(_NurLesen, admin.ModelAdmin):
    list_display = ["titel", "kategorie", "verantwortlich", "schwere", "stand", "erfasst_am"]
    list_filter = ["stand", "kategorie", "verantwortlich", "schwere", "blockierend"]
    search_fields = ["titel", "beschreibung"]
