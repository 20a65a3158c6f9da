from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import ApiToken, User
from accounts.services import api_token_widerrufen


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "rolle",
        "land",
        "ist_demo",
        "is_active",
        "is_staff",
    )
    list_filter = ("rolle", "land", "ist_demo", "is_active", "is_staff", "is_superuser")
    list_select_related = ("land",)
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Rolle und Zuständigkeitsbereich", {"fields": ("rolle", "land", "ist_demo")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Rolle und Zuständigkeitsbereich", {"fields": ("rolle", "land", "ist_demo")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Lists tokens by their prefix. The hash is never shown; new tokens come from
    ``python manage.py api_token USERNAME --name NAME``, which prints the key once."""

    list_display = ("name", "user", "prefix_anzeige", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("user", "name", "prefix_anzeige", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("widerrufen",)

    @admin.display(description="Präfix")
    def prefix_anzeige(self, obj: ApiToken) -> str:
        return f"{obj.prefix}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Ausgewählte Tokens widerrufen")
    def widerrufen(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        anzahl = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_widerrufen(token=token)
            anzahl += 1
        self.message_user(request, f"{anzahl} Token(s) widerrufen.", messages.SUCCESS)
