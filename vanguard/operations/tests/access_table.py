from django.urls import reverse

from tests.access import AccessRow

ROWS = [
    # For systemd and the proxy: no login, no data, the same answer for everyone.
    AccessRow("healthz", lambda f: reverse("operations:healthz"), {}, default=200),
]
