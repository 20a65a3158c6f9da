from django.urls import path

from kommunen import views

app_name = "kommunen"

urlpatterns = [
    path("suche/", views.suche, name="suche"),
    path("gemeinden/<str:ars>/", views.gemeinde, name="gemeinde"),
    path("kreise/<str:ars>/", views.kreis, name="kreis"),
]
