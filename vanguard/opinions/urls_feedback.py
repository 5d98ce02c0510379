"""URLs of the feedback sheet (反馈表), included in `opinions/urls.py`."""

from django.urls import path

from vanguard.opinions import views_feedback

urlpatterns = [
    path("feedback/", views_feedback.feedback, name="feedback"),
    path("feedback/pdf/", views_feedback.feedback_pdf, name="feedback_pdf"),
    path("feedback/acknowledge/", views_feedback.feedback_acknowledge, name="feedback_acknowledge"),
    path(
        "feedback/members/<int:member_pk>/", views_feedback.feedback_member, name="feedback_member"
    ),
    path(
        "feedback/members/<int:member_pk>/pdf/",
        views_feedback.feedback_member_pdf,
        name="feedback_member_pdf",
    ),
]
