"""URLs of the college statistics workbook, under /materials/workbook/."""

from django.urls import path

from vanguard.materials.workbook import views

urlpatterns = [
    path("workbook/", views.workbook_home, name="workbook"),
    path("workbook/jobs/<int:pk>/", views.workbook_job, name="workbook_job"),
    path(
        "workbook/jobs/<int:pk>/progress/",
        views.workbook_job_progress,
        name="workbook_job_progress",
    ),
    path("workbook/jobs/<int:pk>/download/", views.workbook_download, name="workbook_download"),
]
