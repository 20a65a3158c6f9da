"""The audit history in the admin: read only. Nobody can add, change or delete an event
here (and the database refuses UPDATE/DELETE anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import Ereignis


@admin.register(Ereignis)
class EreignisAdmin(admin.ModelAdmin):
    list_display = ["zeitpunkt", "objekt_typ", "objekt_id", "aktion", "quelle", "user"]
    list_filter = ["quelle", "aktion", "objekt_typ"]
    search_fields = ["beschreibung", "=objekt_id", "=onboarding_id"]
    date_hierarchy = "zeitpunkt"
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
