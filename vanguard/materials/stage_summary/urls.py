"""URLs of the branch's stage summaries (支部阶段工作小结), under /materials/stage-summary/."""

from django.urls import path

from vanguard.materials.stage_summary import views

urlpatterns = [
    path("stage-summary/", views.summary_index, name="stage_summary_index"),
    path("stage-summary/start/", views.summary_start, name="stage_summary_start"),
    path("stage-summary/<int:pk>/", views.summary_detail, name="stage_summary_detail"),
    path("stage-summary/<int:pk>/redraft/", views.summary_redraft, name="stage_summary_redraft"),
    path("stage-summary/<int:pk>/review/", views.summary_review, name="stage_summary_review"),
    path("stage-summary/<int:pk>/pdf/", views.summary_pdf, name="stage_summary_pdf"),
    path("stage-summary/<int:pk>/docx/", views.summary_docx, name="stage_summary_docx"),
]
