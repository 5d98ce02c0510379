"""Access rows for the personal API token pages: anyone logged in manages their own
tokens, and another person's token is a 404."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.accounts import services


def _members_token_revoke_url(fixtures) -> str:
    token, _raw = services.token_create(user=fixtures.cast.member, name="phone")
    return reverse("accounts:token_revoke", args=[token.pk])


ROWS = [
    AccessRow(
        "accounts/tokens/", lambda f: reverse("accounts:tokens"), {"anonymous": LOGIN}, default=200
    ),
    AccessRow(
        "accounts/tokens/new/",
        lambda f: reverse("accounts:token_create"),
        {"anonymous": LOGIN},
        default=200,
        method="post",
        data=lambda f: {"name": "script"},
    ),
    # The member's own token: revoked (redirect to the list); anyone else's: 404.
    AccessRow(
        "accounts/tokens/<int:pk>/revoke/",
        _members_token_revoke_url,
        {"anonymous": LOGIN, "member": 302},
        default=404,
        method="post",
    ),
]
