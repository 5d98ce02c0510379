"""Public card voting (no login, no cookie); included at "v/" as "ballots_public"."""

from django.urls import path

from vanguard.ballots import views

urlpatterns = [
    path("<int:pk>/", views.vote_card, name="vote"),
    path("<int:pk>/<str:code>/", views.vote_card, name="vote_code"),
]
