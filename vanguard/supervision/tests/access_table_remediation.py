"""Who may use make-up work (补课), guidance and the lagging branches (see
tests/access.py). Orders and guidance are about branch A1 in the committee's campaign.

Everyone who reads A1's findings (the committee, its supervisor, the general branch's
secretary, A1's officers, the observer) reads its orders and guidance; the member
reads the order about them; a group leader and a member of another branch never learn
one exists (404). Orders are made and re-checked by A1's supervisors, the committee
and the general branch's secretary; reported by the person responsible (the member)
or A1's secretary."""

from tests.access import LOGIN, AccessRow
from vanguard.supervision.tests.factories_remediation import (
    campaign,
    guidance,
    in_days,
    member_order,
    reported_order,
)

UNAUTHORISED = 401
OUTSIDERS = {"group_leader": 404, "member": 404, "other_member": 404}
READ_ONLY = {"secretary": 403, "branch_committee": 403, "observer": 403}
ORDERERS_ONLY = {"anonymous": LOGIN, **OUTSIDERS, **READ_ONLY}
CHECKERS_ONLY = {"anonymous": LOGIN, **OUTSIDERS, **READ_ONLY, "gb_secretary": 403}
SEES_ORDER = {"anonymous": LOGIN, "group_leader": 404, "other_member": 404}


def _campaign_url(tail):
    return lambda f: f"/supervision/c/{campaign(f).pk}/{tail}"


def _order_data(f):
    return {
        "branch": str(f.org.branch_a1.pk),
        "member": str(f.cast.member_record.pk),
        "reason": "读书笔记未联系实际，请补写",
        "deadline": in_days(14).isoformat(),
    }


def _api_order(f):
    return {
        "campaign_id": campaign(f).pk,
        "member_id": f.cast.member_record.pk,
        "reason": "读书笔记未联系实际，请补写",
        "deadline": in_days(14).isoformat(),
    }


def _guidance_data(f):
    return {
        "branch": str(f.org.branch_a1.pk),
        "held_on": in_days(0).isoformat(),
        "given_by": "党委副书记",
        "agreed": "本周内补开集中学习会",
    }


def _api_guidance(f):
    return {"campaign_id": campaign(f).pk, **_guidance_data(f), "branch_id": f.org.branch_a1.pk}


ROWS = [
    AccessRow(
        "supervision/c/<int:campaign_pk>/orders/",
        lambda f: (member_order(f), f"/supervision/c/{campaign(f).pk}/orders/")[1],
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/orders/new/",
        _campaign_url("orders/new/"),
        ORDERERS_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/orders/new/",
        lambda f: f"/supervision/c/{campaign(f).pk}/orders/new/?member={f.cast.member_record.pk}",
        ORDERERS_ONLY,
        default=200,
        note="prefilled from a member: the form with the member's branch",
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/orders/new/",
        _campaign_url("orders/new/"),
        ORDERERS_ONLY,
        default=302,
        method="post",
        data=_order_data,
    ),
    AccessRow(
        "supervision/orders/mine/",
        lambda f: (member_order(f), "/supervision/orders/mine/")[1],
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "supervision/orders/<int:pk>/",
        lambda f: f"/supervision/orders/{member_order(f).pk}/",
        SEES_ORDER,
        default=200,
    ),
    AccessRow(
        "supervision/orders/<int:pk>/report/",
        lambda f: f"/supervision/orders/{member_order(f).pk}/report/",
        {**SEES_ORDER, "member": 302, "secretary": 302},
        default=403,
        method="post",
        data=lambda f: {"report": "已补写两篇读书笔记"},
    ),
    AccessRow(
        "supervision/orders/<int:pk>/verify/",
        lambda f: f"/supervision/orders/{reported_order(f).pk}/verify/",
        {**SEES_ORDER, "committee_admin": 302, "supervisor": 302, "gb_secretary": 302},
        default=403,
        method="post",
        data=lambda f: {"outcome": "verified", "note": ""},
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/guidance/",
        lambda f: (guidance(f), f"/supervision/c/{campaign(f).pk}/guidance/")[1],
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/guidance/new/",
        _campaign_url("guidance/new/"),
        CHECKERS_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/guidance/new/",
        _campaign_url("guidance/new/"),
        CHECKERS_ONLY,
        default=302,
        method="post",
        data=_guidance_data,
    ),
    AccessRow(
        "supervision/guidance/<int:pk>/",
        lambda f: f"/supervision/guidance/{guidance(f).pk}/",
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/lagging/",
        lambda f: (member_order(f), f"/supervision/c/{campaign(f).pk}/lagging/")[1],
        CHECKERS_ONLY,
        default=200,
    ),
    # --- API -----------------------------------------------------------------------
    AccessRow(
        "api/v1/supervision/orders/",
        lambda f: (member_order(f), "/api/v1/supervision/orders/")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/orders/",
        lambda f: "/api/v1/supervision/orders/",
        {"anonymous": UNAUTHORISED, **OUTSIDERS, **READ_ONLY},
        default=201,
        method="post",
        data=_api_order,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/supervision/orders/<int:order_id>",
        lambda f: f"/api/v1/supervision/orders/{member_order(f).pk}",
        {"anonymous": UNAUTHORISED, "group_leader": 404, "other_member": 404},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/orders/<int:order_id>/report",
        lambda f: f"/api/v1/supervision/orders/{member_order(f).pk}/report",
        {
            "anonymous": UNAUTHORISED,
            "group_leader": 404,
            "other_member": 404,
            "member": 200,
            "secretary": 200,
        },
        default=403,
        method="post",
        data=lambda f: {"report": "已补写两篇读书笔记"},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/supervision/orders/<int:order_id>/verify",
        lambda f: f"/api/v1/supervision/orders/{reported_order(f).pk}/verify",
        {
            "anonymous": UNAUTHORISED,
            "group_leader": 404,
            "other_member": 404,
            "committee_admin": 200,
            "supervisor": 200,
            "gb_secretary": 200,
        },
        default=403,
        method="post",
        data=lambda f: {"outcome": "reopened", "note": "读书笔记仍未联系实际"},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/supervision/guidance/",
        lambda f: (guidance(f), "/api/v1/supervision/guidance/")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/guidance/",
        lambda f: "/api/v1/supervision/guidance/",
        {"anonymous": UNAUTHORISED, **OUTSIDERS, **READ_ONLY, "gb_secretary": 403},
        default=201,
        method="post",
        data=_api_guidance,
        content_type="application/json",
    ),
]
