from django.urls import path

from vanguard.organization import views

app_name = "organization"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
]
