"""Inspection (检查): groups, rounds, checks and the sign-off, under /supervision/."""

from django.urls import path

from vanguard.supervision.inspection import views

urlpatterns = [
    path("c/<int:campaign_pk>/groups/", views.groups, name="groups"),
    path("c/<int:campaign_pk>/groups/new/", views.group_new, name="group_new"),
    path("c/<int:campaign_pk>/groups/people/", views.group_people, name="group_people"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
    path("c/<int:campaign_pk>/rounds/", views.rounds, name="rounds"),
    path("c/<int:campaign_pk>/rounds/new/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("checks/<int:pk>/", views.check_detail, name="check_detail"),
    path("checks/<int:pk>/edit/", views.check_edit, name="check_edit"),
    path("signoff/<int:campaign_pk>/<int:branch_pk>/", views.signoff, name="signoff"),
]
