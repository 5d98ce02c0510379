from django.urls import reverse

from tests.access import LOGIN, AccessRow

ROWS = [
    AccessRow(
        "accounts/login/", lambda f: reverse("accounts:login"), {"anonymous": 200}, default=302
    ),  # a logged-in person is sent home
    AccessRow(
        "accounts/logout/", lambda f: reverse("accounts:logout"), {}, default=302, method="post"
    ),
    AccessRow(
        "accounts/password/",
        lambda f: reverse("accounts:password_change"),
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "accounts/password/done/",
        lambda f: reverse("accounts:password_change_done"),
        {"anonymous": LOGIN},
        default=200,
    ),
]
