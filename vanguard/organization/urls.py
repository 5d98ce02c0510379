from django.urls import include, path

from vanguard.organization import views

app_name = "organization"

urlpatterns = [
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("roster/", include("vanguard.organization.urls_roster")),
]
