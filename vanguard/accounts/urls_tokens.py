"""API token management URLs (included under accounts/tokens/, namespace "accounts")."""

from django.urls import path

from vanguard.accounts import views_tokens

urlpatterns = [
    path("", views_tokens.token_list, name="tokens"),
    path("new/", views_tokens.token_create, name="token_create"),
    path("<int:pk>/revoke/", views_tokens.token_revoke, name="token_revoke"),
]
