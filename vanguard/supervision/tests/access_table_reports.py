"""Who may open supervision's landing page, a campaign's overview and a round's report
(see tests/access.py). The cast's campaign runs in the committee; the round covers all
three branches.

Everyone who reads some branch's supervision (the officers, supervisors and observers)
is sent from the landing page to the one running campaign, and opens its overview (their
branches only); a member, another branch's member and a party-group leader read none
(404). A round's report is for a unit whose findings the person reads whole: the
college's for the committee and the observer, a general branch's for its secretary
too, a branch's for everyone who reads that branch."""

from tests.access import LOGIN, AccessRow
from vanguard.supervision.tests.factories_reports import a_round, campaign

NO_SUPERVISION = {"group_leader": 404, "member": 404, "other_member": 404}
BRANCH_READERS = ("supervisor", "secretary", "branch_committee")


def _index(f):
    campaign(f)
    return "/supervision/"


def _overview(f):
    return f"/supervision/c/{campaign(f).pk}/"


def _report(unit_of, fmt="pdf"):
    def url(f):
        return f"/supervision/rounds/{a_round(f).pk}/report/{unit_of(f).pk}.{fmt}"

    return url


ROWS = [
    AccessRow("supervision/", _index, {"anonymous": LOGIN, **NO_SUPERVISION}, default=302),
    AccessRow(
        "api/v1/supervision/overview/<int:campaign_id>",
        lambda f: f"/api/v1/supervision/overview/{campaign(f).pk}",
        {"anonymous": 401, **NO_SUPERVISION},
        default=200,
        note="the overview's figures, as the page: the branches the caller reads",
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/",
        _overview,
        {"anonymous": LOGIN, **NO_SUPERVISION},
        default=200,
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/report/<int:unit_pk>.<str:fmt>",
        _report(lambda f: f.org.committee),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 200},
        default=404,
        note="the whole college's report",
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/report/<int:unit_pk>.<str:fmt>",
        _report(lambda f: f.org.gb_a, "docx"),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 200, "gb_secretary": 200},
        default=404,
        note="general branch A's report, in Word",
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/report/<int:unit_pk>.<str:fmt>",
        _report(lambda f: f.org.gb_b),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 200},
        default=404,
        note="general branch B's report: not general branch A's secretary's",
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/report/<int:unit_pk>.<str:fmt>",
        _report(lambda f: f.org.branch_a1),
        {
            "anonymous": LOGIN,
            "committee_admin": 200,
            "observer": 200,
            "gb_secretary": 200,
            **dict.fromkeys(BRANCH_READERS, 200),
        },
        default=404,
        note="branch A1's report: its supervisor and officers too",
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/report/<int:unit_pk>.<str:fmt>",
        _report(lambda f: f.org.committee, "xlsx"),
        {"anonymous": LOGIN},
        default=404,
        note="a format the report is not made in",
    ),
]
