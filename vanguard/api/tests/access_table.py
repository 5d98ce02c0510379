"""Access rows for the JSON API (the roster endpoints are listed by the roster's own table).

The table test logs in with the session (force_login); token authentication is
tested in test_api_auth.py. Anonymous callers get 401, never a redirect."""

from tests.access import AccessRow

UNAUTHORISED = 401

ROWS = [
    # The schema describes endpoints, never data: anyone may read it.
    AccessRow("api/v1/openapi.json", lambda f: "/api/v1/openapi.json", {}, default=200),
    AccessRow("api/v1/", lambda f: "/api/v1/", {}, default=404),
    # Any other path under the API: the API's JSON 404, for everyone (vanguard/lib/api/openapi.py).
    AccessRow("api/v1/^.*", lambda f: "/api/v1/nope", {}, default=404),
    AccessRow(
        "api/v1/accounts/me",
        lambda f: "/api/v1/accounts/me",
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    # Lists are limited to what each person may see, so everyone logged in gets 200.
    AccessRow(
        "api/v1/org/units", lambda f: "/api/v1/org/units", {"anonymous": UNAUTHORISED}, default=200
    ),
    AccessRow(
        "api/v1/org/members",
        lambda f: "/api/v1/org/members",
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    # Branch A1: its officers, those above it, its supervisor, the observer, and its
    # own members see it; the group leader (of a group below it) and the member of
    # another branch do not, and are told it does not exist.
    AccessRow(
        "api/v1/org/units/<int:unit_id>",
        lambda f: f"/api/v1/org/units/{f.org.branch_a1.pk}",
        {"anonymous": UNAUTHORISED, "group_leader": 404, "other_member": 404},
        default=200,
    ),
    # Its roster: a plain member sees the branch's name but not its roster (403).
    AccessRow(
        "api/v1/org/units/<int:unit_id>/members",
        lambda f: f"/api/v1/org/units/{f.org.branch_a1.pk}/members",
        {"anonymous": UNAUTHORISED, "group_leader": 404, "member": 403, "other_member": 404},
        default=200,
    ),
    # A member of branch A1 who is in no party group and has no login.
    AccessRow(
        "api/v1/org/members/<int:member_id>",
        lambda f: f"/api/v1/org/members/{f.cast.colleague_record.pk}",
        {"anonymous": UNAUTHORISED, "group_leader": 404, "member": 404, "other_member": 404},
        default=200,
    ),
]
