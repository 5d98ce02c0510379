"""The drafted campaign review report, under /materials/report/."""

from django.urls import path

from vanguard.materials.report import views

urlpatterns = [
    path("report/", views.report_index, name="report_index"),
    path("report/c/<int:campaign_pk>/", views.report_page, name="report"),
    path("report/c/<int:campaign_pk>/draft.docx", views.report_download, name="report_download"),
]
