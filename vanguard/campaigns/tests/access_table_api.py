"""Who may call the campaigns API (see tests/access.py). The campaign runs in the
cast's committee, so everyone logged in sees it; progress is for officers and
observers, each over their own units (the group leader and plain members: 403;
a branch they cannot see at all: 404)."""

from tests.access import AccessRow
from vanguard.meetings.tests.factories import education_campaign

UNAUTHORISED = 401
NO_PROGRESS = {"group_leader": 403, "member": 403, "other_member": 403}


def _campaign(f):
    return education_campaign(f.org.committee)


ROWS = [
    AccessRow(
        "api/v1/campaigns/",
        lambda f: "/api/v1/campaigns/",
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/campaigns/<int:campaign_id>",
        lambda f: f"/api/v1/campaigns/{_campaign(f).pk}",
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    # Without `unit`: each officer's own view (the college, general branch A, branch A1).
    AccessRow(
        "api/v1/campaigns/<int:campaign_id>/progress",
        lambda f: f"/api/v1/campaigns/{_campaign(f).pk}/progress",
        {"anonymous": UNAUTHORISED, **NO_PROGRESS},
        default=200,
    ),
    AccessRow(
        "api/v1/campaigns/<int:campaign_id>/progress",
        lambda f: f"/api/v1/campaigns/{_campaign(f).pk}/progress?unit={f.org.branch_a1.pk}",
        {"anonymous": UNAUTHORISED, "group_leader": 404, "member": 403, "other_member": 404},
        default=200,
        note="branch A1: its member sees the branch exists but not its progress",
    ),
]
