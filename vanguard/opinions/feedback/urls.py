"""URLs of the feedback sheet (反馈表), included in `opinions/urls.py`."""

from django.urls import path

from vanguard.opinions.feedback import views

urlpatterns = [
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/pdf/", views.feedback_pdf, name="feedback_pdf"),
    path("feedback/acknowledge/", views.feedback_acknowledge, name="feedback_acknowledge"),
    path("feedback/members/<int:member_pk>/", views.feedback_member, name="feedback_member"),
    path(
        "feedback/members/<int:member_pk>/pdf/",
        views.feedback_member_pdf,
        name="feedback_member_pdf",
    ),
]
