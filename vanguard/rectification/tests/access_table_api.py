"""Who may use the plans API's writes and update reads (see tests/access.py and
access_table_plans.py, whose API rows list the plans' reads and the item writes). The
plan is the cast member's (王小明, branch A1) in the committee's campaign.

As on the pages: an anonymous caller is a 401; the party-group leader and a member
of another branch never learn the plan exists (404); everyone else who reads the plan
but lacks the capability is a 403. Only the member submits their plan, moves its items
and records updates (with a file too); A1's officers (secretary, branch committee)
review it and verify its items; whoever reads the plan lists its updates and
downloads their evidence."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.access import AccessRow
from vanguard.rectification.tests.factories_plans import (
    done_item,
    evidence_update,
    in_days,
    member_plan,
    plan_item,
    png_bytes,
    submitted_plan,
)

UNAUTHORISED = 401
API_SEES: dict[str, int | str] = {
    "anonymous": UNAUTHORISED,
    "group_leader": 404,
    "other_member": 404,
}
JSON = "application/json"


def _photo(f):
    return {
        "on": in_days(0).isoformat(),
        "text": "谈心照片",
        "evidence": SimpleUploadedFile("谈心.png", png_bytes(), content_type="image/png"),
    }


ROWS = [
    AccessRow(
        "api/v1/rectification/plans/<int:plan_id>/submit",
        lambda f: f"/api/v1/rectification/plans/{member_plan(f).pk}/submit",
        {**API_SEES, "member": 200},
        default=403,
        method="post",
        data=lambda f: {"summary": "从学习和联系群众两方面整改"},
        content_type=JSON,
    ),
    AccessRow(
        "api/v1/rectification/plans/<int:plan_id>/review",
        lambda f: f"/api/v1/rectification/plans/{submitted_plan(f).pk}/review",
        {**API_SEES, "secretary": 200, "branch_committee": 200},
        default=403,
        method="post",
        data=lambda f: {"verdict": "return", "reason": "措施不够具体"},
        content_type=JSON,
        note="the member sees their plan but never reviews it (403)",
    ),
    AccessRow(
        "api/v1/rectification/items/<int:item_id>/status",
        lambda f: f"/api/v1/rectification/items/{plan_item(f).pk}/status",
        {**API_SEES, "member": 200},
        default=403,
        method="post",
        data=lambda f: {"status": "in_progress"},
        content_type=JSON,
    ),
    AccessRow(
        "api/v1/rectification/items/<int:item_id>/verify",
        lambda f: f"/api/v1/rectification/items/{done_item(f).pk}/verify",
        {**API_SEES, "secretary": 200, "branch_committee": 200},
        default=403,
        method="post",
        data=lambda f: {"outcome": "verified", "note": "记录齐全"},
        content_type=JSON,
        note="the member responsible never verifies their own item (403)",
    ),
    AccessRow(
        "api/v1/rectification/items/<int:item_id>/updates",
        lambda f: (evidence_update(f), f"/api/v1/rectification/items/{plan_item(f).pk}/updates")[1],
        API_SEES,
        default=200,
    ),
    AccessRow(
        "api/v1/rectification/updates/<int:update_id>",
        lambda f: f"/api/v1/rectification/updates/{evidence_update(f).pk}",
        API_SEES,
        default=200,
    ),
    AccessRow(
        "api/v1/rectification/items/<int:item_id>/updates/upload",
        lambda f: f"/api/v1/rectification/items/{plan_item(f).pk}/updates/upload",
        {**API_SEES, "member": 201},
        default=403,
        method="post",
        data=_photo,  # multipart/form-data, as a phone's form sends it
    ),
    AccessRow(
        "api/v1/rectification/updates/<int:update_id>/evidence",
        lambda f: f"/api/v1/rectification/updates/{evidence_update(f).pk}/evidence",
        API_SEES,
        default=200,
    ),
]
