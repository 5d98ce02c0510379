"""Who may use the plans workflow (see tests/access.py). The plan is the cast member's
(王小明, branch A1) in the committee's campaign.

A member's plan is read by its member, by A1's officers (secretary, branch committee)
and by the readers of the scope (committee, general-branch secretary, supervisor,
observer); the party-group leader and a member of another branch never learn it
exists (404). Only the member writes it; A1's officers review it and verify its items
(never the committee: it reviews the branches' plans). Starting a branch's plan is for
its officers."""

from tests.access import LOGIN, AccessRow
from vanguard.rectification.tests.factories_plans import (
    branch_plan,
    campaign,
    done_item,
    evidence_update,
    in_days,
    member_plan,
    plan_item,
    submitted_plan,
)

UNAUTHORISED = 401
OUTSIDERS = {"group_leader": 404, "other_member": 404}
SEES = {"anonymous": LOGIN, **OUTSIDERS}
WRITER_ONLY = {**SEES, "member": 302}
REVIEWERS = {**SEES, "secretary": 302, "branch_committee": 302}
NO_MEMBER_RECORD = {
    "committee_admin": 404,
    "supervisor": 404,
    "gb_secretary": 404,
    "branch_committee": 404,
    "group_leader": 404,
    "observer": 404,
}
API_SEES = {"anonymous": UNAUTHORISED, **OUTSIDERS}


def _item_data(f):
    return {
        "campaign": str(campaign(f).pk),
        "problem": "联系群众不够",
        "measure": "每月与两名学生谈心",
        "standard": "谈心记录六次",
        "deadline": in_days(60).isoformat(),
    }


def _api_item(f):
    return {
        "problem": "联系群众不够",
        "measure": "每月与两名学生谈心",
        "standard": "谈心记录六次",
        "deadline": in_days(60).isoformat(),
        "tags": ["teaching"],
    }


ROWS = [
    AccessRow(
        "rectification/plans/mine/",
        lambda f: (campaign(f), "/rectification/plans/mine/")[1],
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "rectification/plans/mine/items/new/",
        lambda f: "/rectification/plans/mine/items/new/",
        {"anonymous": LOGIN, **NO_MEMBER_RECORD},
        default=302,
        method="post",
        data=_item_data,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/plans/",
        lambda f: (member_plan(f), f"/rectification/c/{campaign(f).pk}/plans/")[1],
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/plans/start/",
        lambda f: f"/rectification/c/{campaign(f).pk}/plans/start/",
        {
            "anonymous": LOGIN,
            "secretary": 302,
            "branch_committee": 302,
            "group_leader": 404,
            "other_member": 404,
        },
        default=403,
        method="post",
        data=lambda f: {"unit": str(f.org.branch_a1.pk)},
    ),
    AccessRow(
        "rectification/plans/<int:pk>/",
        lambda f: f"/rectification/plans/{member_plan(f).pk}/",
        SEES,
        default=200,
    ),
    AccessRow(
        "rectification/plans/<int:pk>/",
        lambda f: f"/rectification/plans/{branch_plan(f).pk}/",
        {"anonymous": LOGIN, "group_leader": 404, "member": 404, "other_member": 404},
        default=200,
        note="a branch's draft plan: its members read it once approved",
    ),
    AccessRow(
        "rectification/plans/<int:pk>/items/new/",
        lambda f: f"/rectification/plans/{member_plan(f).pk}/items/new/",
        WRITER_ONLY,
        default=403,
        method="post",
        data=_item_data,
    ),
    AccessRow(
        "rectification/plans/<int:pk>/submit/",
        lambda f: f"/rectification/plans/{member_plan(f).pk}/submit/",
        WRITER_ONLY,
        default=403,
        method="post",
        data=lambda f: {"summary": "从学习和联系群众两方面整改"},
    ),
    AccessRow(
        "rectification/plans/<int:pk>/review/",
        lambda f: f"/rectification/plans/{submitted_plan(f).pk}/review/",
        REVIEWERS,
        default=403,
        method="post",
        data=lambda f: {"verdict": "return", "reason": "措施不够具体"},
    ),
    AccessRow(
        "rectification/items/<int:pk>/edit/",
        lambda f: f"/rectification/items/{plan_item(f).pk}/edit/",
        {**SEES, "member": 200},
        default=403,
    ),
    AccessRow(
        "rectification/items/<int:pk>/edit/",
        lambda f: f"/rectification/items/{plan_item(f).pk}/edit/",
        WRITER_ONLY,
        default=403,
        method="post",
        data=_item_data,
    ),
    AccessRow(
        "rectification/items/<int:pk>/delete/",
        lambda f: f"/rectification/items/{plan_item(f).pk}/delete/",
        WRITER_ONLY,
        default=403,
        method="post",
        data=lambda f: {},
    ),
    AccessRow(
        "rectification/items/<int:pk>/status/",
        lambda f: f"/rectification/items/{plan_item(f).pk}/status/",
        WRITER_ONLY,
        default=403,
        method="post",
        data=lambda f: {"status": "in_progress"},
    ),
    AccessRow(
        "rectification/items/<int:pk>/updates/new/",
        lambda f: f"/rectification/items/{plan_item(f).pk}/updates/new/",
        WRITER_ONLY,
        default=403,
        method="post",
        data=lambda f: {"on": in_days(0).isoformat(), "text": "读完第一章"},
    ),
    AccessRow(
        "rectification/items/<int:pk>/verify/",
        lambda f: f"/rectification/items/{done_item(f).pk}/verify/",
        REVIEWERS,
        default=403,
        method="post",
        data=lambda f: {"outcome": "verified", "note": ""},
    ),
    AccessRow(
        "rectification/updates/<int:pk>/evidence/",
        lambda f: f"/rectification/updates/{evidence_update(f).pk}/evidence/",
        SEES,
        default=200,
    ),
    # --- API -----------------------------------------------------------------------
    AccessRow(
        "api/v1/rectification/plans/",
        lambda f: (member_plan(f), "/api/v1/rectification/plans/")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/rectification/plans/<int:plan_id>",
        lambda f: f"/api/v1/rectification/plans/{member_plan(f).pk}",
        API_SEES,
        default=200,
    ),
    AccessRow(
        "api/v1/rectification/plans/<int:plan_id>/items",
        lambda f: f"/api/v1/rectification/plans/{member_plan(f).pk}/items",
        {**API_SEES, "member": 201},
        default=403,
        method="post",
        data=_api_item,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/rectification/items/<int:item_id>",
        lambda f: f"/api/v1/rectification/items/{plan_item(f).pk}",
        {**API_SEES, "member": 200},
        default=403,
        method="patch",
        data=lambda f: {"measure": "每周读一章并与同事讨论"},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/rectification/items/<int:item_id>/updates",
        lambda f: f"/api/v1/rectification/items/{plan_item(f).pk}/updates",
        {**API_SEES, "member": 201},
        default=403,
        method="post",
        data=lambda f: {"on": in_days(0).isoformat(), "text": "读完第一章"},
        content_type="application/json",
    ),
]
