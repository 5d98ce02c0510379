"""URLs of the bundles (材料包), under /materials/bundles/."""

from django.urls import path

from vanguard.materials.bundles import views

urlpatterns = [
    path("bundles/", views.bundle_home, name="bundles"),
    path("bundles/jobs/<int:pk>/", views.bundle_job, name="bundle_job"),
    path("bundles/jobs/<int:pk>/progress/", views.bundle_job_progress, name="bundle_job_progress"),
    path("bundles/jobs/<int:pk>/download/", views.bundle_download, name="bundle_download"),
]
