from django.urls import path

from leistungen import views

app_name = "leistungen"

urlpatterns = [
    path("behoerden/<str:schluessel>/", views.behoerde, name="behoerde"),
]
