from django.urls import path

from berichte import views

app_name = "berichte"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("anfordern/", views.anfordern, name="anfordern"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
]
