"""URLs of the study app."""

from django.urls import path

from vanguard.study import views

app_name = "study"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<int:branch_pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:branch_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/attendance/", views.attendance_edit, name="attendance_edit"),
    path("sessions/<int:pk>/qr/", views.session_qr, name="session_qr"),
    path("sessions/<int:pk>/qr/panel/", views.session_qr_panel, name="session_qr_panel"),
    path("sessions/<int:pk>/qr/count/", views.session_qr_count, name="session_qr_count"),
    path("sessions/<int:pk>/qr.svg", views.session_qr_image, name="session_qr_image"),
    path("sessions/<int:pk>/signin/<str:token>/", views.session_sign_in, name="session_sign_in"),
    path("works/", views.work_list, name="work_list"),
    path("works/new/", views.work_create, name="work_create"),
    path("works/new/for-member/", views.work_create_for_member, name="work_create_for_member"),
    path("works/<int:pk>/", views.work_detail, name="work_detail"),
    path("works/<int:pk>/edit/", views.work_edit, name="work_edit"),
    path("works/<int:pk>/file/", views.work_file, name="work_file"),
    path("works/<int:pk>/review/", views.work_review, name="work_review"),
]
