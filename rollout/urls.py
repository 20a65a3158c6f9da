from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("konto/", include("accounts.urls")),
    path("", include("dashboard.urls")),
    path("", include("kommunen.urls")),
    path("", include("leistungen.urls")),
]
