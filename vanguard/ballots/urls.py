"""The secretary's and members' ballot pages (login). Public card voting: urls_public.py."""

from django.urls import path

from vanguard.ballots import views

app_name = "ballots"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("create/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/open/", views.session_open, name="open"),
    path("<int:pk>/close/", views.session_close, name="close"),
    path("<int:pk>/login-voting/", views.login_voting, name="login_voting"),
    path("<int:pk>/roll/", views.roll, name="roll"),
    path("<int:pk>/roll/<int:member_pk>/", views.roll_mark, name="roll_mark"),
    path("<int:pk>/cards/", views.cards_print, name="cards"),
    path("<int:pk>/tally/", views.tally, name="tally"),
    path("<int:pk>/paper/", views.paper, name="paper"),
    path("<int:pk>/paper/confirm/", views.paper_confirm, name="paper_confirm"),
    path("<int:pk>/receipts/", views.receipts, name="receipts"),
    path("<int:pk>/projector/", views.projector, name="projector"),
    path("<int:pk>/vote/", views.vote_logged_in, name="vote"),
]
