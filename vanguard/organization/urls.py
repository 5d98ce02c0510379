from django.urls import include, path

from vanguard.organization import views

app_name = "organization"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("search/", views.search, name="search"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/move/", views.member_move, name="member_move"),
    path("roster/", include("vanguard.organization.urls_roster")),
]
