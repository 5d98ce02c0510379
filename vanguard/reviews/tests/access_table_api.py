"""Who may call the reviews API (see tests/access.py). The document is 王小明's
(member, branch A1). Reading follows `permissions.visible_self_analyses` (outsiders:
404); only the author saves and submits; only A1's secretary and committee member
give the branch verdict; only the committee admin responds (others who see it: 403)."""

from tests.access import AccessRow
from vanguard.reviews.tests import factories_member as fm

UNAUTHORISED = 401
OUTSIDERS = {"group_leader": 404, "other_member": 404}
API = "/api/v1/reviews"


def _campaign_then(url):
    def build(f):
        fm.campaign(f.org)
        return url

    return build


def _doc(f):
    return f"{API}/documents/{fm.document(f).pk}"


ROWS = [
    AccessRow(
        "api/v1/reviews/mine",
        _campaign_then(f"{API}/mine"),
        {"anonymous": UNAUTHORISED, "secretary": 200, "member": 200, "other_member": 200},
        default=404,
        note="404 for those without a member record.",
    ),
    AccessRow(
        "api/v1/reviews/documents",
        _campaign_then(f"{API}/documents"),
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/reviews/documents/<int:document_id>",
        _doc,
        {"anonymous": UNAUTHORISED, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "api/v1/reviews/documents/<int:document_id>/versions/<int:number>",
        lambda f: f"{API}/documents/{fm.submitted(f)[0].pk}/versions/1",
        {"anonymous": UNAUTHORISED, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "api/v1/reviews/documents/<int:document_id>/draft",
        lambda f: f"{_doc(f)}/draft",
        {"anonymous": UNAUTHORISED, "member": 200, **OUTSIDERS},
        default=403,
        method="put",
        data=lambda f: {**fm.TEXT, "base_version": 0},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/reviews/documents/<int:document_id>/submit",
        lambda f: f"{API}/documents/{fm.filled(f).pk}/submit",
        {"anonymous": UNAUTHORISED, "member": 201, **OUTSIDERS},
        default=403,
        method="post",
        data=lambda f: {"base_version": 1},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/reviews/documents/<int:document_id>/reviews",
        lambda f: f"{API}/documents/{fm.submitted(f)[0].pk}/reviews",
        {"anonymous": UNAUTHORISED, "secretary": 201, "branch_committee": 201, **OUTSIDERS},
        default=403,
        method="post",
        data=lambda f: {"version": 1, "criteria": fm.ALL_OK, "verdict": "pass"},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/reviews/documents/<int:document_id>/committee-response",
        lambda f: f"{API}/documents/{fm.with_committee(f).pk}/committee-response",
        {"anonymous": UNAUTHORISED, "committee_admin": 201, **OUTSIDERS},
        default=403,
        method="post",
        data=lambda f: {"text": "请联系思想实际进一步修改"},
        content_type="application/json",
    ),
]
