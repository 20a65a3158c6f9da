from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("meine-behoerden/", views.arbeitsliste, name="arbeitsliste"),
    path("onboardings/<int:pk>/", views.detail, name="detail"),
    path("onboardings/<int:pk>/status/", views.aktualisieren, name="aktualisieren"),
    path("onboardings/<int:pk>/punkte/<int:punkt_pk>/", views.punkt_setzen, name="punkt_setzen"),
    path("onboardings/<int:pk>/golive/", views.golive, name="golive"),
    path("onboardings/<int:pk>/huerden/", views.huerde_erfassen, name="huerde_erfassen"),
    path("onboardings/<int:pk>/verlauf/", views.verlauf, name="verlauf"),
    path("huerden/", views.huerden, name="huerden"),
    path("huerden/<int:pk>/", views.huerde, name="huerde"),
    path("huerden/<int:pk>/bearbeiten/", views.huerde_bearbeiten, name="huerde_bearbeiten"),
    path("huerden/<int:pk>/loesen/", views.huerde_loesen, name="huerde_loesen"),
    path("zusagen/", views.zusagen, name="zusagen"),
    path("zusagen/<int:pk>/", views.zusage_aendern, name="zusage_aendern"),
]
