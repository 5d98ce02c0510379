"""Public pages of the intake channels (no account): the suggestion box and the
survey links. Included into urls_public.py (namespace "opinions_public")."""

from django.urls import path

from vanguard.opinions import views_box, views_survey

urlpatterns = [
    path("box/<str:slug>/", views_box.box, name="box"),
    path("box/<str:slug>/thanks/", views_box.box_thanks, name="box_thanks"),
    path("survey/thanks/", views_survey.survey_thanks, name="survey_thanks"),
    path("survey/<str:token>/", views_survey.survey_answer, name="survey_answer"),
]
