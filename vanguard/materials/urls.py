"""URLs of the materials app (namespace "materials", under /materials/): each workflow
adds its own sub-package's patterns here."""

from django.urls import include, path

from vanguard.materials import views

app_name = "materials"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("", include("vanguard.materials.bundles.urls")),
    path("", include("vanguard.materials.paper.urls")),
    path("", include("vanguard.materials.archive.urls")),
    path("", include("vanguard.materials.meeting_book.urls")),
    path("", include("vanguard.materials.workbook.urls")),
    path("", include("vanguard.materials.stage_summary.urls")),
    path("", include("vanguard.materials.report.urls")),
]
