"""Who may open the meeting pages and the meetings API (see tests/access.py).

The meeting is branch A1's mobilisation meeting. Those who keep A1's records
(committee admin, general-branch secretary of A, secretary and committee member of
A1) record and change it; its supervisor and the observer read it (403 on a
change); its members read it; the group leader (of a group below A1) and the member
of branch B1 are told it does not exist."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.meetings.tests.factories import meeting

UNAUTHORISED = 401
KEEPERS = ("committee_admin", "gb_secretary", "secretary", "branch_committee")
# Hold no unit whose meetings they record: 403 on the record form.
NOT_KEEPERS = {
    "supervisor": 403,
    "group_leader": 403,
    "observer": 403,
    "member": 403,
    "other_member": 403,
}
OUTSIDERS = {"group_leader": 404, "other_member": 404}
READERS = {"supervisor": 403, "observer": 403, "member": 403}


def _meeting(f):
    return meeting(f.org.branch_a1)


def _group_appraisal(f):
    return meeting(f.org.group_a1, kind="democratic_appraisal", title="第一党小组民主评议会")


def _form_data(f):
    return {
        "unit": f.org.branch_a1.pk,
        "kind": "mobilisation",
        "title": "支部动员会",
        "held_on": "2026-05-08",
        "held_time": "14:00",
        "place": "光电楼 305",
        "host": "李书记",
        "recorder": "张丽",
        "phase": "",
        "minutes": "",
        "decisions": "",
        "absent": [str(f.cast.colleague_record.pk)],
        f"reason_{f.cast.colleague_record.pk}": "出差",
    }


def _api_data(f):
    return {
        "unit_id": f.org.branch_a1.pk,
        "kind": "mobilisation",
        "title": "支部动员会",
        "held_at": "2026-05-08T14:00:00+08:00",
        "absent": [{"member_id": f.cast.colleague_record.pk, "reason": "出差"}],
    }


ROWS = [
    AccessRow("meetings/", lambda f: reverse("meetings:list"), {"anonymous": LOGIN}, default=200),
    AccessRow(
        "meetings/new/",
        lambda f: reverse("meetings:create"),
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=200,
    ),
    AccessRow(
        "meetings/new/",
        lambda f: reverse("meetings:create"),
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=302,
        method="post",
        data=_form_data,
        note="recorded, then shown",
    ),
    AccessRow(
        "meetings/new/attendance/",
        lambda f: reverse("meetings:attendance_rows") + f"?unit={f.org.branch_a1.pk}",
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=200,
    ),
    AccessRow(
        "meetings/<int:pk>/",
        lambda f: reverse("meetings:detail", args=[_meeting(f).pk]),
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "meetings/<int:pk>/edit/",
        lambda f: reverse("meetings:edit", args=[_meeting(f).pk]),
        {"anonymous": LOGIN, **OUTSIDERS, **READERS},
        default=200,
    ),
    AccessRow(
        "meetings/<int:pk>/edit/",
        lambda f: reverse("meetings:edit", args=[_meeting(f).pk]),
        {"anonymous": LOGIN, **OUTSIDERS, **READERS},
        default=302,
        method="post",
        data=lambda f: {**_form_data(f), "title": "支部动员大会"},
    ),
    AccessRow(
        "meetings/<int:pk>/attend/",
        lambda f: reverse("meetings:attend", args=[_group_appraisal(f).pk]),
        # Only an officer of the branch who is a member of it but not of the group:
        # the secretary. Those who keep the records without a member record in the
        # branch, readers and the group's own member: 403; the other branch: 404.
        {"anonymous": LOGIN, "secretary": 302, "other_member": 404},
        default=403,
        method="post",
        data=lambda f: {"attended": "1"},
        note="a branch officer records their own attendance at a party group's appraisal",
    ),
    # --- API -----------------------------------------------------------------------
    AccessRow(
        "api/v1/meetings/",
        lambda f: "/api/v1/meetings/",
        {"anonymous": UNAUTHORISED},
        default=200,
    ),
    AccessRow(
        "api/v1/meetings/",
        lambda f: "/api/v1/meetings/",
        # Those who may read A1's records but not keep them: 403; those who cannot see
        # A1 at all: 404.
        {"anonymous": UNAUTHORISED, **OUTSIDERS, **READERS},
        default=201,
        method="post",
        data=_api_data,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/meetings/<int:meeting_id>",
        lambda f: f"/api/v1/meetings/{_meeting(f).pk}",
        {"anonymous": UNAUTHORISED, **OUTSIDERS},
        default=200,
    ),
]
