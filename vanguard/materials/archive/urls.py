"""The archive's URLs, under /materials/archive/ (namespace "materials")."""

from django.urls import path

from vanguard.materials.archive import views

urlpatterns = [
    path("archive/", views.archive_home, name="archive"),
    path("archive/c/<int:campaign_pk>/", views.archive_submit, name="archive_submit"),
    path("archive/jobs/<int:pk>/", views.archive_job, name="archive_job"),
    path("archive/jobs/<int:pk>/progress/", views.archive_progress, name="archive_progress"),
    path("archive/jobs/<int:pk>/download/", views.archive_download, name="archive_download"),
]
