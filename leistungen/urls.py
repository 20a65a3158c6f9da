from django.urls import path

app_name = "leistungen"

urlpatterns: list = []
