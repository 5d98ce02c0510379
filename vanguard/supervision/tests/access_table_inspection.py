"""Who may use the inspection pages and API (see tests/access.py). The campaign is the
committee's; the round covers branches A1, A2 and B1, and the cast's supervisor holds
Role.SUPERVISOR over A1 (and is the member of a group over A1).

The committee forms groups and opens rounds; the readers of supervision in the
campaign (supervisor, general-branch secretary, A1's secretary and committee member,
observer) get a 403 for those; the group leader and the members never learn of them
(404). A1's check: its supervisor and the committee fill it, A1's officers and the
observer read it; B1's check is hidden from everyone whose scope is not above B1."""

from tests.access import LOGIN, AccessRow
from vanguard.supervision.tests.factories_inspection import (
    a1_check,
    a_round,
    b1_check,
    campaign,
    check_data,
    group,
    planned_round,
    study_phase,
)

UNAUTHORISED = 401
HIDDEN = {"group_leader": 404, "member": 404, "other_member": 404}
READERS = {
    "supervisor": 403,
    "gb_secretary": 403,
    "secretary": 403,
    "branch_committee": 403,
    "observer": 403,
}
OFFICERS = {k: v for k, v in READERS.items() if k != "supervisor"}
COMMITTEE_ONLY = {"anonymous": LOGIN, **HIDDEN, **READERS}
CHECKERS = {"anonymous": LOGIN, **HIDDEN, **OFFICERS}
API_COMMITTEE = {"anonymous": UNAUTHORISED, **HIDDEN, **READERS}
API_CHECKERS = {"anonymous": UNAUTHORISED, **HIDDEN, **OFFICERS}
NOT_B1 = {"supervisor": 404, "gb_secretary": 404, "secretary": 404, "branch_committee": 404}


def _c(f) -> int:
    return campaign(f).pk


def _group_post(f):
    return {
        "name": "第二督查组",
        "members": [str(f.cast.member.pk)],
        "leader": str(f.cast.member.pk),
        "branches": [str(f.org.branch_a2.pk)],
        "save": "1",
    }


def _round_post(f):
    return {
        "title": "学习阶段第一步检查",
        "phase": str(study_phase(f).pk),
        "items": ["study_plan", "notes"],
        "scope": "all",
        "starts_on": "2026-04-01",
        "due_on": "2026-04-03",
    }


def _api_check(f):
    check = a1_check(f)
    return {"version": check.version, "findings": [{"item": "study_plan", "finding": "good"}]}


def _api_signoff(f):
    return {
        "campaign_id": _c(f),
        "branch_id": f.org.branch_a1.pk,
        "phase_id": study_phase(f).pk,
        "note": "学习阶段任务完成",
    }


ROWS = [
    AccessRow(
        "supervision/c/<int:campaign_pk>/groups/",
        lambda f: (group(f), f"/supervision/c/{_c(f)}/groups/")[1],
        COMMITTEE_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/groups/new/",
        lambda f: f"/supervision/c/{_c(f)}/groups/new/",
        COMMITTEE_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/groups/new/",
        lambda f: f"/supervision/c/{_c(f)}/groups/new/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=_group_post,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/groups/people/",
        lambda f: f"/supervision/c/{_c(f)}/groups/people/?q=王",
        COMMITTEE_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/groups/<int:pk>/edit/",
        lambda f: f"/supervision/groups/{group(f).pk}/edit/",
        {"anonymous": LOGIN, **HIDDEN, **{k: 404 for k in OFFICERS}, "supervisor": 403},
        default=200,
        note="the supervisor is a member of the group: sees it, may not change it",
    ),
    AccessRow(
        "supervision/groups/<int:pk>/edit/",
        lambda f: f"/supervision/groups/{group(f).pk}/edit/",
        {"anonymous": LOGIN, **HIDDEN, **{k: 404 for k in OFFICERS}, "supervisor": 403},
        default=302,
        method="post",
        data=_group_post,
    ),
    AccessRow(
        "supervision/groups/<int:pk>/delete/",
        lambda f: f"/supervision/groups/{group(f).pk}/delete/",
        {"anonymous": LOGIN, **HIDDEN, **{k: 404 for k in OFFICERS}, "supervisor": 403},
        default=200,
        note="the confirmation page; the supervisor is a member of the group",
    ),
    AccessRow(
        "supervision/groups/<int:pk>/delete/",
        lambda f: f"/supervision/groups/{group(f).pk}/delete/",
        {"anonymous": LOGIN, **HIDDEN, **{k: 404 for k in OFFICERS}, "supervisor": 403},
        default=302,
        method="post",
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/rounds/",
        lambda f: (a_round(f), f"/supervision/c/{_c(f)}/rounds/")[1],
        {"anonymous": LOGIN, **HIDDEN},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/rounds/new/",
        lambda f: f"/supervision/c/{_c(f)}/rounds/new/?template=analysis",
        COMMITTEE_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/rounds/new/",
        lambda f: f"/supervision/c/{_c(f)}/rounds/new/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=_round_post,
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/",
        lambda f: f"/supervision/rounds/{a_round(f).pk}/",
        {"anonymous": LOGIN, **HIDDEN},
        default=200,
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/edit/",
        lambda f: f"/supervision/rounds/{planned_round(f).pk}/edit/",
        COMMITTEE_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/edit/",
        lambda f: f"/supervision/rounds/{planned_round(f).pk}/edit/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=_round_post,
        note="a planned round: everything may change",
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/edit/",
        lambda f: f"/supervision/rounds/{a_round(f).pk}/edit/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=lambda f: {
            "title": "中期全面检查（延期）",
            "starts_on": "2026-04-20",
            "due_on": "2026-04-25",
        },
        note="an opened round: its title and dates",
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/open/",
        lambda f: f"/supervision/rounds/{planned_round(f).pk}/open/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
    ),
    AccessRow(
        "supervision/rounds/<int:pk>/close/",
        lambda f: f"/supervision/rounds/{a_round(f).pk}/close/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
    ),
    AccessRow(
        "supervision/checks/<int:pk>/",
        lambda f: f"/supervision/checks/{a1_check(f).pk}/",
        {"anonymous": LOGIN, **HIDDEN},
        default=200,
    ),
    AccessRow(
        "supervision/checks/<int:pk>/",
        lambda f: f"/supervision/checks/{b1_check(f).pk}/",
        {"anonymous": LOGIN, **HIDDEN, **NOT_B1},
        default=200,
        note="B1's check: A1's supervisor and officers and gb_a's secretary never see it",
    ),
    AccessRow(
        "supervision/checks/<int:pk>/edit/",
        lambda f: f"/supervision/checks/{a1_check(f).pk}/edit/",
        CHECKERS,
        default=302,
        method="post",
        data=lambda f: check_data(a1_check(f)),
    ),
    AccessRow(
        "supervision/checks/<int:pk>/edit/",
        lambda f: f"/supervision/checks/{b1_check(f).pk}/edit/",
        {**CHECKERS, **NOT_B1, "observer": 403},
        default=302,
        method="post",
        data=lambda f: check_data(b1_check(f)),
    ),
    AccessRow(
        "supervision/signoff/<int:campaign_pk>/<int:branch_pk>/",
        lambda f: f"/supervision/signoff/{_c(f)}/{f.org.branch_a1.pk}/",
        CHECKERS,
        default=200,
    ),
    AccessRow(
        "supervision/signoff/<int:campaign_pk>/<int:branch_pk>/",
        lambda f: f"/supervision/signoff/{_c(f)}/{f.org.branch_a1.pk}/",
        CHECKERS,
        default=302,
        method="post",
        data=lambda f: {"phase": str(study_phase(f).pk), "note": "同意转段"},
    ),
    # --- API -----------------------------------------------------------------------------
    AccessRow(
        "api/v1/supervision/rounds",
        lambda f: (a_round(f), "/api/v1/supervision/rounds")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
        note="everyone signed in gets a list; outsiders' is empty",
    ),
    AccessRow(
        "api/v1/supervision/rounds/<int:round_id>",
        lambda f: f"/api/v1/supervision/rounds/{a_round(f).pk}",
        {"anonymous": UNAUTHORISED, **HIDDEN},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/checks",
        lambda f: (a_round(f), "/api/v1/supervision/checks")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/checks/<int:check_id>",
        lambda f: f"/api/v1/supervision/checks/{a1_check(f).pk}",
        {"anonymous": UNAUTHORISED, **HIDDEN},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/checks/<int:check_id>",
        lambda f: f"/api/v1/supervision/checks/{a1_check(f).pk}",
        API_CHECKERS,
        default=200,
        method="patch",
        data=_api_check,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/supervision/groups",
        lambda f: (group(f), "/api/v1/supervision/groups")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/signoffs",
        lambda f: "/api/v1/supervision/signoffs",
        API_CHECKERS,
        default=201,
        method="post",
        data=_api_signoff,
        content_type="application/json",
    ),
]
