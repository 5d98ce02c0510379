"""Who may open the feedback sheet (反馈表) pages and API (see tests/access.py). The
cast: 王小明 (member) is in branch A1, as is 李书记 (secretary, also a member);
陈刚 (other_member) is in B1. Only those three have member records, so only they
have a sheet of their own. A member's sheet is read by the member and by those who
review them (the committee, the general branch, A1's secretary, committee member
and supervisor) — never by the group leader, the observer or another member."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.opinions.tests import factories_feedback as f

MEMBERS = ("secretary", "member", "other_member")  # roles with a member record
REVIEWERS = {
    "committee_admin": 200,
    "supervisor": 200,
    "gb_secretary": 200,
    "secretary": 200,
    "branch_committee": 200,
}
OUTSIDERS = {"group_leader": 404, "observer": 404, "other_member": 404}
UNAUTHORISED = 401


def _with_campaign(url):
    def build(fx):
        f.campaign(fx.org)
        return url(fx)

    return build


def _member_sheet(fx):
    campaign = f.campaign(fx.org)
    if not campaign.opinions.exists():
        f.every_channel(campaign, fx.cast.member_record)
    return fx.cast.member_record.pk


ROWS = [
    AccessRow(
        "opinions/feedback/",
        _with_campaign(lambda fx: reverse("opinions:feedback")),
        {"anonymous": LOGIN},
        default=200,
        note="Without a member record the page says so (200).",
    ),
    AccessRow(
        "opinions/feedback/pdf/",
        _with_campaign(lambda fx: reverse("opinions:feedback_pdf")),
        {"anonymous": LOGIN, **dict.fromkeys(MEMBERS, 200)},
        default=404,
    ),
    AccessRow(
        "opinions/feedback/acknowledge/",
        _with_campaign(lambda fx: reverse("opinions:feedback_acknowledge")),
        {"anonymous": LOGIN, **dict.fromkeys(MEMBERS, 302)},
        default=404,
        method="post",
        data=lambda fx: {"response": "认真对照检查"},
    ),
    AccessRow(
        "opinions/feedback/members/<int:member_pk>/",
        lambda fx: reverse("opinions:feedback_member", args=[_member_sheet(fx)]),
        {"anonymous": LOGIN, **REVIEWERS, **OUTSIDERS, "member": 302},
        note="The member themself is sent to their own sheet.",
    ),
    AccessRow(
        "opinions/feedback/members/<int:member_pk>/pdf/",
        lambda fx: reverse("opinions:feedback_member_pdf", args=[_member_sheet(fx)]),
        {"anonymous": LOGIN, **REVIEWERS, **OUTSIDERS, "member": 200},
    ),
    AccessRow(
        "api/v1/opinions/feedback",
        _with_campaign(lambda fx: "/api/v1/opinions/feedback"),
        {"anonymous": UNAUTHORISED, **dict.fromkeys(MEMBERS, 200)},
        default=403,
    ),
    AccessRow(
        "api/v1/opinions/feedback/acknowledgement",
        _with_campaign(lambda fx: "/api/v1/opinions/feedback/acknowledgement"),
        {"anonymous": UNAUTHORISED, **dict.fromkeys(MEMBERS, 200)},
        default=403,
        method="post",
        data=lambda fx: {"response": "认真对照检查"},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/opinions/feedback/members/<int:member_id>",
        lambda fx: f"/api/v1/opinions/feedback/members/{_member_sheet(fx)}",
        {"anonymous": UNAUTHORISED, **REVIEWERS, **OUTSIDERS, "member": 200},
    ),
]
