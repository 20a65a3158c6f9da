from django.contrib import admin
from django.urls import include, path

from rollout.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("konto/", include("accounts.urls")),
    path("", include("dashboard.urls")),
    path("", include("kommunen.urls")),
    path("", include("leistungen.urls")),
    path("", include("onboarding.urls")),
    path("", include("onboarding.urls_bulk")),
    path("berichte/", include("berichte.urls")),
]
