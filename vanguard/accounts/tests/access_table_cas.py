"""Access rows for single sign-on by CAS. The suite runs with CAS off (no
VANGUARD_CAS_SERVER_URL), where both URLs answer 404 for everyone; with CAS on they are
the way in and out for members (test_cas.py runs them against a real CAS server)."""

from django.urls import reverse

from tests.access import AccessRow

ROWS = [
    AccessRow("accounts/cas/login/", lambda f: reverse("accounts:cas_login"), {}, default=404),
    AccessRow(
        "accounts/cas/logout/",
        lambda f: reverse("accounts:cas_logout"),
        {},
        default=404,
        method="post",
    ),
]
