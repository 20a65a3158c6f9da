"""Read-only admin views of the stored coverage (derived data: never edited by hand)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from abdeckung.models import Abdeckungsstand, Statusintervall, Verarbeitungsstand


class _NurLesen(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Abdeckungsstand)
class AbdeckungsstandAdmin(_NurLesen):
    list_display = (
        "art",
        "stichtag",
        "land",
        "leistung",
        "kreis",
        "behoerden_live",
        "behoerden_gesamt",
        "berechnet_am",
    )
    list_filter = ("art", "land", "leistung")
    date_hierarchy = "stichtag"
    list_select_related = ("land", "leistung", "kreis")


@admin.register(Statusintervall)
class StatusintervallAdmin(_NurLesen):
    list_display = ("onboarding", "status", "blockiert", "von", "bis")
    list_filter = ("status", "blockiert")
    raw_id_fields = ("onboarding", "behoerde", "leistung")


@admin.register(Verarbeitungsstand)
class VerarbeitungsstandAdmin(_NurLesen):
    list_display = ("letzte_ereignis_id", "aktualisiert_am", "voll_berechnet_am")
