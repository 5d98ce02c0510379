from django.urls import reverse

from tests.access import LOGIN, AccessRow

ROWS = [
    AccessRow("", lambda f: reverse("home"), {"anonymous": LOGIN}, default=200),
]
