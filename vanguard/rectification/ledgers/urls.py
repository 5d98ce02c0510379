"""The ledgers' pages, under /rectification/ (namespace "rectification")."""

from django.urls import path

from vanguard.rectification.ledgers import views

urlpatterns = [
    path("ledgers/", views.ledger_index, name="ledger_index"),
    path("c/<int:campaign_pk>/ledger/", views.ledger, name="ledger"),
    path(
        "c/<int:campaign_pk>/ledger/branches/<int:unit_pk>/",
        views.ledger_branch,
        name="ledger_branch",
    ),
    path(
        "c/<int:campaign_pk>/ledger/members/<int:member_pk>/",
        views.ledger_member,
        name="ledger_member",
    ),
    path("c/<int:campaign_pk>/said-did/<int:unit_pk>/", views.said_did, name="said_did"),
]
