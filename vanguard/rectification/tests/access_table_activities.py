"""Who may use the branch activities (整改活动) pages and API (see tests/access.py).
The activities are branch A1's, in the committee's campaign.

Everyone who reads A1 (the committee, its supervisor, the general branch's secretary,
A1's officers, the observer) and A1's members see its activities; the group leader
(no member record) and a member of another branch never learn one exists (404).
A1's officers (secretary, branch committee) record and change activities and decide
ideas; the donation lines are kept by the secretary (no treasurer named); a line is
seen only by its member and its keeper (404 for everyone else, the committee
included); ideas are given by A1's members (the secretary is one; the branch
committee member of the cast is not)."""

from tests.access import LOGIN, AccessRow
from vanguard.rectification.tests.factories_activities import (
    adopted_idea,
    campaign,
    donation_activity,
    ideas_activity,
    in_days,
    member_line,
    named_idea,
)

UNAUTHORISED = 401
OUTSIDERS = {"group_leader": 404, "other_member": 404}
SEES = {"anonymous": LOGIN, **OUTSIDERS}
OFFICERS_ACT = {"secretary": 302, "branch_committee": 302}
API_SEES = {"anonymous": UNAUTHORISED, **OUTSIDERS}


def _activity_data(f):
    return {
        "kind": "initiative",
        "title": "文明离校倡议",
        "held_on": in_days(0).isoformat(),
        "participants": [str(f.cast.member_record.pk)],
        "participants_note": "毕业班同学 40 人",
        "outcomes": "宿舍整洁交还",
    }


def _activity_url(f, tail=""):
    return f"/rectification/activities/{donation_activity(f).pk}/{tail}"


ROWS = [
    AccessRow(
        "rectification/c/<int:campaign_pk>/activities/",
        lambda f: (member_line(f), f"/rectification/c/{campaign(f).pk}/activities/")[1],
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/activities/new/",
        lambda f: f"/rectification/c/{campaign(f).pk}/activities/new/",
        {"anonymous": LOGIN, "secretary": 200, "branch_committee": 200},
        default=403,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/activities/new/",
        lambda f: f"/rectification/c/{campaign(f).pk}/activities/new/",
        {"anonymous": LOGIN, **OFFICERS_ACT},
        default=403,
        method="post",
        data=_activity_data,
    ),
    AccessRow(
        "rectification/activities/<int:pk>/",
        lambda f: (member_line(f), _activity_url(f))[1],
        SEES,
        default=200,
    ),
    AccessRow(
        "rectification/activities/<int:pk>/",
        lambda f: (
            named_idea(f),
            f"/rectification/activities/{ideas_activity(f).pk}/",
        )[1],
        SEES,
        default=200,
        note="a golden-ideas activity with an idea",
    ),
    AccessRow(
        "rectification/activities/<int:pk>/edit/",
        lambda f: _activity_url(f, "edit/"),
        {**SEES, "secretary": 200, "branch_committee": 200},
        default=403,
    ),
    AccessRow(
        "rectification/activities/<int:pk>/edit/",
        lambda f: _activity_url(f, "edit/"),
        {**SEES, **OFFICERS_ACT},
        default=403,
        method="post",
        data=lambda f: {**_activity_data(f), "kind": "donation", "title": "特殊党费"},
    ),
    AccessRow(
        "rectification/activities/<int:pk>/donations/",
        lambda f: _activity_url(f, "donations/"),
        {**SEES, "secretary": 302},
        default=403,
        method="post",
        data=lambda f: {"member": str(f.cast.member_record.pk), "amount": "50.00"},
    ),
    AccessRow(
        "rectification/donations/<int:pk>/remove/",
        lambda f: f"/rectification/donations/{member_line(f).pk}/remove/",
        {"anonymous": LOGIN, "secretary": 302, "member": 403},
        default=404,
        method="post",
        data=lambda f: {},
        note="a line is seen only by its member and its keeper",
    ),
    AccessRow(
        "rectification/activities/<int:pk>/ideas/",
        lambda f: f"/rectification/activities/{ideas_activity(f).pk}/ideas/",
        {**SEES, "member": 302, "secretary": 302},
        default=403,
        method="post",
        data=lambda f: {"text": "设立党员先锋岗", "anonymous": "on"},
    ),
    AccessRow(
        "rectification/ideas/<uuid:pk>/decide/",
        lambda f: f"/rectification/ideas/{named_idea(f).pk}/decide/",
        {**SEES, **OFFICERS_ACT},
        default=403,
        method="post",
        data=lambda f: {
            f"d{named_idea(f).pk.hex[:8]}-decision": "adopted",
            f"d{named_idea(f).pk.hex[:8]}-note": "下学期起实行",
        },
    ),
    AccessRow(
        "rectification/ideas/<uuid:pk>/to-item/",
        lambda f: f"/rectification/ideas/{adopted_idea(f).pk}/to-item/",
        {**SEES, **OFFICERS_ACT},
        default=403,
        method="post",
        data=lambda f: {
            f"i{adopted_idea(f).pk.hex[:8]}-measure": "每月第一个周六开放实验室",
            f"i{adopted_idea(f).pk.hex[:8]}-standard": "全年开放 10 次并有记录",
            f"i{adopted_idea(f).pk.hex[:8]}-deadline": in_days(60).isoformat(),
        },
    ),
    AccessRow(
        "api/v1/rectification/activities/",
        lambda f: (member_line(f), "/api/v1/rectification/activities/")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/rectification/activities/<int:activity_id>",
        lambda f: f"/api/v1/rectification/activities/{member_line(f).activity_id}",
        API_SEES,
        default=200,
    ),
    AccessRow(
        "api/v1/rectification/activities/<int:activity_id>/ideas",
        lambda f: (
            named_idea(f),
            f"/api/v1/rectification/activities/{ideas_activity(f).pk}/ideas",
        )[1],
        API_SEES,
        default=200,
    ),
    AccessRow(
        "api/v1/rectification/activities/<int:activity_id>/ideas",
        lambda f: f"/api/v1/rectification/activities/{ideas_activity(f).pk}/ideas",
        {**API_SEES, "member": 201, "secretary": 201},
        default=403,
        method="post",
        data=lambda f: {"text": "设立党员先锋岗", "anonymous": True},
        content_type="application/json",
    ),
]
