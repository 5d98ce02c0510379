"""The access table's vocabulary. Each app lists its URLs in
`vanguard/<app>/tests/access_table.py` as `ROWS = [AccessRow(...), ...]`;
`tests/test_access_table.py` runs every row for every role in the cast and fails
when a URL exists that no row lists.

A row names the URL pattern (`name`, as `reverse()` knows it, or the raw route
for the API), how to build a concrete URL from the fixtures, the method, and
the expected status for each role. Roles not listed take `default`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Every role of the cast (conftest.py), plus the anonymous visitor.
ROLES = (
    "anonymous",
    "committee_admin",
    "supervisor",
    "gb_secretary",
    "secretary",
    "branch_committee",
    "group_leader",
    "observer",
    "member",
    "other_member",
)

# Background tasks queued, never run: for tests whose question is who may start a job
# or how a form answers, not what the job makes (each app's own tests build the files).
QUEUED_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

# Shorthands for common expectations.
LOGIN = "login"  # anonymous is redirected to the login page (302 to /accounts/login/)


@dataclass
class AccessRow:
    pattern: str  # the route as Django's resolver spells it, e.g. "org/units/<int:pk>/"
    url: Callable[[Any], str]  # fixtures -> concrete URL; fixtures has .org and .cast
    expect: dict[str, int | str]
    default: int | str | None = None
    method: str = "get"
    data: Callable[[Any], dict] | None = None  # POST body, built from fixtures
    content_type: str | None = None  # e.g. "application/json" for the API
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def expected(self, role: str) -> int | str:
        if role in self.expect:
            return self.expect[role]
        if self.default is None:
            raise AssertionError(f"{self.pattern}: no expectation for role {role!r}")
        return self.default


def html_of(response: Any) -> str | None:
    """The page a response carries, as text; None for a download, a stream, JSON or a
    redirect's empty body (what the page checks of the access table do not read)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    if getattr(response, "streaming", False):
        return None
    return response.content.decode(errors="replace")
