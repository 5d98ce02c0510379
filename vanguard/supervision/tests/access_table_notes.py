"""Who may use the note workflow's pages and API (see tests/access.py). The campaign
runs over the committee; 王小明 and 张丽 (branch A1) and 陈刚 (branch B1) wrote
reading notes, and a sample drew all three.

The committee admin does everything. The supervisor (over A1) reads A1's sampled
notes and assesses them; the general-branch secretary (over general branch A) reads
all its members' notes first; the branch's officers and the observer read the
supervision pages of the campaign but assess nothing (403). The group leader and the
members never see supervision (404) — except the published exemplars, which every
member of the campaign reads."""

from tests.access import LOGIN, AccessRow
from vanguard.supervision.tests import factories_notes as data

UNAUTHORISED = 401
NOT_SUPERVISION = {"group_leader": 404, "member": 404, "other_member": 404}
READERS_ONLY = {
    "supervisor": 403,
    "gb_secretary": 403,
    "secretary": 403,
    "branch_committee": 403,
    "observer": 403,
}
COMMITTEE_ONLY = {"anonymous": LOGIN, **NOT_SUPERVISION, **READERS_ONLY}
EVERYONE_404 = {
    "supervisor": 404,
    "gb_secretary": 404,
    "secretary": 404,
    "branch_committee": 404,
    "observer": 404,
    **NOT_SUPERVISION,
}


def _c(f) -> int:
    data.cast_notes(f)
    return data.campaign(f).pk


def _assessment_data(f) -> dict:
    return {
        "books": "good",
        "content": "good",
        "practice": "fair",
        "attitude": "good",
        "grade": "pass",
        "comment": "书目选得好",
        "then": "stay",
    }


def _api_assessment(f) -> dict:
    return {
        "level": "college",
        "sampled_id": data.a1_sampled(f).pk,
        "books": "good",
        "content": "fair",
        "practice": "fair",
        "attitude": "good",
        "grade": "good",
    }


ROWS = [
    AccessRow(
        "supervision/c/<int:campaign_pk>/samples/",
        lambda f: f"/supervision/c/{_c(f)}/samples/",
        {"anonymous": LOGIN, **NOT_SUPERVISION},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/samples/new/",
        lambda f: f"/supervision/c/{_c(f)}/samples/new/",
        COMMITTEE_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/samples/new/",
        lambda f: f"/supervision/c/{_c(f)}/samples/new/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=lambda f: {
            "title": "再次抽查",
            "share": "0.50",
            "minimum_per_branch": "1",
            "seed": "42",
        },
    ),
    AccessRow(
        "supervision/samples/<int:pk>/",
        lambda f: f"/supervision/samples/{data.sample(f).pk}/",
        {
            "anonymous": LOGIN,
            **EVERYONE_404,
            "supervisor": 200,
            "observer": 200,
        },
        default=200,
        note="the committee's, and the supervisors' and observers' of the branches drawn",
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/queue/",
        lambda f: f"/supervision/c/{_c(f)}/queue/",
        {"anonymous": LOGIN, **NOT_SUPERVISION, **READERS_ONLY, "supervisor": 200},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/queue/",
        lambda f: f"/supervision/c/{_c(f)}/queue/?level=general_branch",
        {"anonymous": LOGIN, **NOT_SUPERVISION, **READERS_ONLY, "gb_secretary": 200},
        default=200,
        note="the general branch's own queue",
    ),
    AccessRow(
        "supervision/sampled/<int:pk>/",
        lambda f: f"/supervision/sampled/{data.a1_sampled(f).pk}/",
        {"anonymous": LOGIN, **EVERYONE_404, "supervisor": 200},
        default=200,
    ),
    AccessRow(
        "supervision/sampled/<int:pk>/",
        lambda f: f"/supervision/sampled/{data.b1_sampled(f).pk}/",
        {"anonymous": LOGIN, **EVERYONE_404},
        default=200,
        note="a member of B1: not the A1 supervisor's",
    ),
    AccessRow(
        "supervision/sampled/<int:pk>/",
        lambda f: f"/supervision/sampled/{data.a1_sampled(f).pk}/",
        {"anonymous": LOGIN, **EVERYONE_404, "supervisor": 302},
        default=302,
        method="post",
        data=_assessment_data,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/members/<int:member_pk>/assess/",
        lambda f: f"/supervision/c/{_c(f)}/members/{f.cast.member_record.pk}/assess/",
        {"anonymous": LOGIN, **NOT_SUPERVISION, **READERS_ONLY, "gb_secretary": 200},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/members/<int:member_pk>/assess/",
        lambda f: f"/supervision/c/{_c(f)}/members/{f.cast.other_member_record.pk}/assess/",
        {"anonymous": LOGIN, **NOT_SUPERVISION, **READERS_ONLY, "gb_secretary": 404},
        default=200,
        note="a member of the other general branch",
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/members/<int:member_pk>/assess/",
        lambda f: f"/supervision/c/{_c(f)}/members/{f.cast.member_record.pk}/assess/",
        {"anonymous": LOGIN, **NOT_SUPERVISION, **READERS_ONLY, "gb_secretary": 302},
        default=302,
        method="post",
        data=_assessment_data,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/note-types/",
        lambda f: f"/supervision/c/{_c(f)}/note-types/",
        {"anonymous": LOGIN, **NOT_SUPERVISION},
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/note-types/",
        lambda f: f"/supervision/c/{_c(f)}/note-types/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=lambda f: {"name": "摘录型", "description": "摘抄原文", "order": "1"},
    ),
    AccessRow(
        "supervision/note-types/<int:pk>/edit/",
        lambda f: f"/supervision/note-types/{data.note_type(f).pk}/edit/",
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=lambda f: {
            f"t{data.note_type(f).pk}-name": "心得体会型",
            f"t{data.note_type(f).pk}-description": "谈体会",
            f"t{data.note_type(f).pk}-order": "2",
        },
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/exemplars/",
        lambda f: (data.exemplar(f), f"/supervision/c/{_c(f)}/exemplars/")[1],
        {"anonymous": LOGIN},
        default=200,
        note="every member of the campaign reads the exemplars",
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/exemplars/new/",
        lambda f: f"/supervision/c/{_c(f)}/exemplars/new/",
        COMMITTEE_ONLY,
        default=200,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/exemplars/new/",
        lambda f: (data.assessment(f), f"/supervision/c/{_c(f)}/exemplars/new/")[1],
        COMMITTEE_ONLY,
        default=302,
        method="post",
        data=lambda f: {
            "work": data.note(f, f.cast.member_record).pk,
            "note_type": data.note_type(f).pk,
            "consent": "anonymised",
            "comment": "结合实际",
        },
    ),
    AccessRow(
        "supervision/exemplars/<int:pk>/",
        lambda f: f"/supervision/exemplars/{data.exemplar(f).pk}/",
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "supervision/exemplars/<int:pk>/withdraw/",
        lambda f: f"/supervision/exemplars/{data.exemplar(f).pk}/withdraw/",
        {
            "anonymous": LOGIN,
            **READERS_ONLY,
            "group_leader": 403,
            "member": 403,
            "other_member": 403,
        },
        default=302,
        method="post",
        data=lambda f: {},
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/notes/figures/",
        lambda f: f"/supervision/c/{_c(f)}/notes/figures/",
        {
            "anonymous": LOGIN,
            **NOT_SUPERVISION,
            **READERS_ONLY,
            "supervisor": 200,
            "gb_secretary": 200,
        },
        default=200,
    ),
    # --- API -----------------------------------------------------------------------
    AccessRow(
        "api/v1/supervision/samples",
        lambda f: (data.sample(f), "/api/v1/supervision/samples")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/samples",
        lambda f: (data.cast_notes(f), "/api/v1/supervision/samples")[1],
        {
            "anonymous": UNAUTHORISED,
            **READERS_ONLY,
            **NOT_SUPERVISION,
        },
        default=201,
        method="post",
        data=lambda f: {"campaign_id": data.campaign(f).pk, "title": "接口抽查", "seed": 7},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/supervision/samples/<int:sample_id>",
        lambda f: f"/api/v1/supervision/samples/{data.sample(f).pk}",
        {"anonymous": UNAUTHORISED, **EVERYONE_404, "supervisor": 200, "observer": 200},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/assessments",
        lambda f: (data.assessment(f), "/api/v1/supervision/assessments")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/assessments",
        lambda f: "/api/v1/supervision/assessments",
        {"anonymous": UNAUTHORISED, **EVERYONE_404, "supervisor": 201},
        default=201,
        method="post",
        data=_api_assessment,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/supervision/note-types",
        lambda f: (data.note_type(f), "/api/v1/supervision/note-types")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/supervision/exemplars",
        lambda f: (data.exemplar(f), "/api/v1/supervision/exemplars")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
]
