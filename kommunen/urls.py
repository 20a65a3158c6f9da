from django.urls import path

app_name = "kommunen"

urlpatterns: list = []
