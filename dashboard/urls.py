from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.start, name="start"),
    path("barrierefreiheit/", views.barrierefreiheit, name="barrierefreiheit"),
]
