"""URLs of the meetings app."""

from django.urls import path

from vanguard.meetings import views, views_attend

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("new/attendance/", views.attendance_rows, name="attendance_rows"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/attend/", views_attend.attend, name="attend"),
]
