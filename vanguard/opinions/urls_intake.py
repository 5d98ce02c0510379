"""Login pages of the intake channels: box links and posters, surveys, talk and
symposium records, and a campaign's aspects. Included into urls.py (namespace "opinions")."""

from django.urls import path

from vanguard.opinions import views_box, views_records, views_survey

urlpatterns = [
    path("box/", views_box.box_list, name="box_list"),
    path("box/<int:unit_pk>/poster/", views_box.box_poster, name="box_poster"),
    path("surveys/", views_survey.survey_list, name="survey_list"),
    path("surveys/<int:pk>/", views_survey.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/invite/", views_survey.survey_invite, name="survey_invite"),
    path("surveys/<int:pk>/close/", views_survey.survey_close, name="survey_close"),
    path("surveys/<int:pk>/paper/", views_survey.survey_paper, name="survey_paper"),
    path("records/", views_records.record_list, name="record_list"),
    path("records/new/", views_records.record_create, name="record_create"),
    path("records/<int:pk>/", views_records.record_detail, name="record_detail"),
    path("records/<int:pk>/opinions/", views_records.record_add_opinion, name="record_add_opinion"),
    path("aspects/<int:campaign_pk>/", views_survey.aspects_edit, name="aspects_edit"),
]
