"""URLs of campaign management and phase gating (转段); included by `campaigns/urls.py`
at the campaigns root, so their names live in the `campaigns` namespace."""

from django.urls import path

from vanguard.campaigns import views_manage as views

urlpatterns = [
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.manage_create, name="manage_create"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/clone/", views.manage_clone, name="manage_clone"),
    path("manage/<int:pk>/phases/<int:phase_pk>/", views.manage_phase, name="manage_phase"),
    path(
        "manage/<int:pk>/phases/<int:phase_pk>/status/",
        views.manage_phase_status,
        name="manage_phase_status",
    ),
    path(
        "manage/<int:pk>/phases/<int:phase_pk>/requirements/new/",
        views.manage_requirement_add,
        name="manage_requirement_add",
    ),
    path(
        "manage/<int:pk>/requirements/<int:requirement_pk>/",
        views.manage_requirement_edit,
        name="manage_requirement_edit",
    ),
    path(
        "manage/<int:pk>/requirements/<int:requirement_pk>/delete/",
        views.manage_requirement_delete,
        name="manage_requirement_delete",
    ),
    path(
        "<int:pk>/transition/branch/<int:branch_pk>/",
        views.transition_branch,
        name="transition_branch",
    ),
    path(
        "<int:pk>/transition/unit/<int:unit_pk>/",
        views.transition_unit,
        name="transition_unit",
    ),
]
