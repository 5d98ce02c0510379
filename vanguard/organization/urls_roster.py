"""Roster import and export URLs (included under org/roster/, namespace "organization")."""

from django.urls import path

from vanguard.organization import views_roster

urlpatterns = [
    path("", views_roster.roster_import, name="roster_import"),
    path("template/", views_roster.roster_template, name="roster_template"),
    path("jobs/<int:pk>/", views_roster.roster_job, name="roster_job"),
    path("jobs/<int:pk>/progress/", views_roster.roster_job_progress, name="roster_job_progress"),
    path("units/<int:pk>/export/", views_roster.roster_export, name="roster_export"),
]
