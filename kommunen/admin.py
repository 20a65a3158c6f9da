"""Admin for the territory. Boundaries are never shown (they are megabytes of JSON)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from kommunen.models import (
    Gebietsaenderung,
    Gebietsstand,
    Gemeinde,
    Gemeindeverband,
    Grenze,
    Kreis,
    Land,
    Regierungsbezirk,
)


class GrenzeVorhandenMixin:
    """Adds the column "Grenze geladen": an ``EXISTS`` on ``Grenze``, never its JSON."""

    grenze_feld: str

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        vorhanden = Exists(Grenze.objects.filter(**{self.grenze_feld: OuterRef("pk")}))
        return super().get_queryset(request).annotate(hat_grenze=vorhanden)  # type: ignore[misc]

    @admin.display(boolean=True, description="Grenze geladen", ordering="hat_grenze")
    def hat_geometrie(self, obj: Any) -> bool:
        return bool(obj.hat_grenze)


class GueltigFilter(admin.SimpleListFilter):
    title = "Gültigkeit"
    parameter_name = "gueltig"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("ja", "noch gültig"), ("nein", "beendet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "ja":
            return queryset.filter(gueltig_bis__isnull=True)
        if self.value() == "nein":
            return queryset.filter(gueltig_bis__isnull=False)
        return queryset


@admin.register(Land)
class LandAdmin(GrenzeVorhandenMixin, admin.ModelAdmin):
    grenze_feld = "land"
    list_display = ["code", "kurz", "name", "einwohner", "flaeche_km2", "hat_geometrie"]
    search_fields = ["code", "kurz", "name"]
    readonly_fields = ["code", "kurz", "name", "einwohner", "flaeche_km2", "lat", "lon"]
    fields = [
        "code",
        "kurz",
        "name",
        "einwohner",
        "flaeche_km2",
        ("lat", "lon"),
        "kreisbehoerde_bezeichnung",
        "mittelbehoerde_bezeichnung",
    ]


@admin.register(Regierungsbezirk)
class RegierungsbezirkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "typ", "land", "gueltig_ab", "gueltig_bis"]
    list_filter = ["typ", "land", GueltigFilter]
    search_fields = ["code", "name"]
    list_select_related = ["land"]


@admin.register(Kreis)
class KreisAdmin(GrenzeVorhandenMixin, admin.ModelAdmin):
    grenze_feld = "kreis"
    list_display = [
        "ars",
        "name",
        "typ",
        "land",
        "regierungsbezirk",
        "einwohner",
        "gueltig_bis",
        "hat_geometrie",
    ]
    list_filter = ["land", "typ", GueltigFilter]
    search_fields = ["ars", "name", "suchname", "sitz"]
    list_select_related = ["land", "regierungsbezirk"]
    raw_id_fields = ["regierungsbezirk"]
    readonly_fields = ["suchname"]


@admin.register(Gemeindeverband)
class GemeindeverbandAdmin(admin.ModelAdmin):
    list_display = ["ars", "name", "typ", "kreis", "land", "gueltig_bis"]
    list_filter = ["land", "typ", GueltigFilter]
    search_fields = ["ars", "name", "sitz"]
    list_select_related = ["kreis", "land"]
    raw_id_fields = ["kreis"]


@admin.register(Gemeinde)
class GemeindeAdmin(GrenzeVorhandenMixin, admin.ModelAdmin):
    grenze_feld = "gemeinde"
    list_display = [
        "ars",
        "ags",
        "name",
        "typ",
        "kreis",
        "land",
        "einwohner",
        "plz",
        "gueltig_bis",
        "hat_geometrie",
    ]
    list_filter = ["land", "typ", GueltigFilter]
    search_fields = ["ars", "ags", "name", "suchname", "plz"]
    list_select_related = ["kreis", "land"]
    raw_id_fields = ["regierungsbezirk", "kreis", "verband", "nachfolger"]
    readonly_fields = ["suchname"]
    show_full_result_count = False


@admin.register(Gebietsstand)
class GebietsstandAdmin(admin.ModelAdmin):
    list_display = ["stichtag", "datei", "importiert_am"]
    readonly_fields = ["stichtag", "datei", "sha256", "importiert_am", "zusammenfassung"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Gebietsaenderung)
class GebietsaenderungAdmin(admin.ModelAdmin):
    list_display = ["gebietsstand", "ebene", "ars", "art", "hinweis"]
    list_filter = ["gebietsstand", "ebene", "art"]
    search_fields = ["ars", "hinweis"]
    list_select_related = ["gebietsstand"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
