from django.contrib import admin

from berichte.models import Bericht


@admin.register(Bericht)
class BerichtAdmin(admin.ModelAdmin):
    """Read-only: reports are made by the generation run, never edited by hand (the
    archive and its checksum must agree)."""

    list_display = ["scope", "stichtag", "status", "groesse", "erzeugt_am", "angefordert_am"]
    list_filter = ["status", "scope"]
    date_hierarchy = "stichtag"
    exclude = ["pdf"]
    readonly_fields = [
        "scope",
        "land",
        "stichtag",
        "status",
        "groesse",
        "sha256",
        "datenstand",
        "titel",
        "erzeugt_am",
        "fehler",
        "angefordert_von",
        "angefordert_am",
        "begonnen_am",
        "fertig_am",
        "task_id",
        "laeufe",
    ]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).defer("pdf").select_related("land")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
