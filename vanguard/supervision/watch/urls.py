"""The watch list (重点支部、重点人) and its talks, under /supervision/: for the
committee and the branch's supervisors only (a 404 for everyone else)."""

from django.urls import path

from vanguard.supervision.watch import views

urlpatterns = [
    path("c/<int:campaign_pk>/watch/", views.watch, name="watch"),
    path("c/<int:campaign_pk>/watch/new/", views.watch_new, name="watch_new"),
    path("watch/<int:pk>/", views.watch_detail, name="watch_detail"),
    path("watch/<int:pk>/talks/new/", views.talk_new, name="talk_new"),
    path("watch/<int:pk>/close/", views.watch_close, name="watch_close"),
]
