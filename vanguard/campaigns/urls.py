"""URLs of the campaigns app: the progress dashboards here; campaign management
(creating, editing, phase gating) in `urls_manage.py`."""

from django.urls import include, path

from vanguard.campaigns import views_progress

app_name = "campaigns"

urlpatterns: list = [
    path("", views_progress.dashboard, name="dashboard"),
    path(
        "<int:campaign_id>/progress/units/<int:unit_id>/",
        views_progress.unit_progress,
        name="progress_unit",
    ),
    path("<int:campaign_id>/progress/me/", views_progress.my_progress, name="progress_me"),
    path("", include("vanguard.campaigns.urls_manage")),
]
