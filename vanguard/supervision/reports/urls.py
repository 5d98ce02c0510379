"""Supervision's landing page, a campaign's overview of supervision, and a round's
inspection report per unit as PDF or Word."""

from django.urls import path

from vanguard.supervision.reports import views

urlpatterns = [
    path("", views.index, name="index"),
    path("c/<int:campaign_pk>/", views.overview, name="overview"),
    path(
        "rounds/<int:pk>/report/<int:unit_pk>.<str:fmt>",
        views.round_report,
        name="round_report",
    ),
]
