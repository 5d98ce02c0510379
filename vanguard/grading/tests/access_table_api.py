"""Who may call the grading API (see tests/access.py). /mine answers everyone with a
member record (secretary, member, other member; an empty list until a grade is approved)
and 404 for the rest. The branch is branch_a1 in the committee's campaign: its readers
are those of the grading page (access_table.READERS); the group leader and members are
told it does not exist. Anonymous callers get 401, never a redirect."""

from tests.access import AccessRow
from vanguard.grading.tests.access_table import READERS
from vanguard.meetings.tests.factories import education_campaign

UNAUTHORISED = 401
API = "/api/v1/grading"

ROWS = [
    AccessRow(
        "api/v1/grading/mine",
        lambda f: f"{API}/mine",
        {"anonymous": UNAUTHORISED, "secretary": 200, "member": 200, "other_member": 200},
        default=404,
        note="404 for those without a member record.",
    ),
    AccessRow(
        "api/v1/grading/campaigns/<int:campaign_id>/branches/<int:branch_id>",
        lambda f: (
            f"{API}/campaigns/{education_campaign(f.org.committee).pk}"
            f"/branches/{f.org.branch_a1.pk}"
        ),
        {"anonymous": UNAUTHORISED, **dict.fromkeys(READERS, 200)},
        default=404,
    ),
]
