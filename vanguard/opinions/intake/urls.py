"""URLs of the intake channels: `urlpatterns` are the login pages (box links and
posters, surveys, talk and symposium records, a campaign's aspects), included into
`opinions/urls.py` (namespace "opinions"); `public_urlpatterns` are the pages for
people without an account (the suggestion box and the survey links), included into
`opinions/urls_public.py` (namespace "opinions_public")."""

from django.urls import path

from vanguard.opinions.intake import views

urlpatterns = [
    path("box/", views.box_list, name="box_list"),
    path("box/<int:unit_pk>/poster/", views.box_poster, name="box_poster"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/invite/", views.survey_invite, name="survey_invite"),
    path("surveys/<int:pk>/close/", views.survey_close, name="survey_close"),
    path("surveys/<int:pk>/paper/", views.survey_paper, name="survey_paper"),
    path("records/", views.record_list, name="record_list"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/opinions/", views.record_add_opinion, name="record_add_opinion"),
    path("aspects/<int:campaign_pk>/", views.aspects_edit, name="aspects_edit"),
]

public_urlpatterns = [
    path("box/<str:slug>/", views.box, name="box"),
    path("box/<str:slug>/thanks/", views.box_thanks, name="box_thanks"),
    path("survey/thanks/", views.survey_thanks, name="survey_thanks"),
    path("survey/<str:token>/", views.survey_answer, name="survey_answer"),
]
