"""URLs of the notices app."""

from django.urls import path

from vanguard.notices import views
from vanguard.notices.chat import urls as chat_urls

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("publish/", views.publish, name="publish"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/feed/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    *chat_urls.urlpatterns,
]
