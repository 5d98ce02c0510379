"""The paper forms' URLs, under /materials/paper/ (namespace "materials")."""

from django.urls import path

from vanguard.materials.paper import views

urlpatterns = [
    path("paper/ballots/<int:pk>/", views.ballot_forms, name="paper_ballot"),
    path("paper/ballots/<int:pk>/sheets.pdf", views.appraisal_sheets, name="paper_sheets"),
    path("paper/ballots/<int:pk>/tally.pdf", views.tally_sheet, name="paper_tally"),
    path("paper/surveys/<int:pk>/form.pdf", views.survey_form_pdf, name="paper_survey_pdf"),
    path("paper/surveys/<int:pk>/form.docx", views.survey_form_docx, name="paper_survey_docx"),
]
