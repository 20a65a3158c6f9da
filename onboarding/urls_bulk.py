from django.urls import path

from onboarding import views_bulk

app_name = "massen"

urlpatterns = [
    path("onboardings/export.csv", views_bulk.export_csv, name="export_csv"),
    path("onboardings/export.xlsx", views_bulk.export_xlsx, name="export_xlsx"),
    path("onboardings/import/", views_bulk.hochladen, name="hochladen"),
    path("onboardings/import/<int:pk>/", views_bulk.vorschau, name="vorschau"),
    path("onboardings/import/<int:pk>/uebernehmen/", views_bulk.uebernehmen, name="uebernehmen"),
    path("onboardings/import/<int:pk>/abbrechen/", views_bulk.abbrechen, name="abbrechen"),
]
