"""Who may use roster import and export (see tests/access.py).

Roster rights (import, export) belong to the committee admin, the general-branch
secretary of A and the secretary of A1. The supervisor, branch committee member,
observer and member of A1 may see branch A1 but not keep its roster: 403. The group
leader and the member of B1 do not see branch A1 at all: 404. An import job is seen
by the person who started it (here the secretary) and committee admins only."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.organization.models import ImportJob
from vanguard.organization.roster.fileformat import HEADERS, zh

ROSTER_KEEPERS = {"committee_admin": 200, "gb_secretary": 200, "secretary": 200}
A1_SEES_NOT_KEEPS = {"supervisor": 403, "branch_committee": 403, "observer": 403, "member": 403}
A1_OUTSIDERS = {"group_leader": 404, "other_member": 404}
NO_ROSTER = {
    "supervisor": 403,
    "branch_committee": 403,
    "observer": 403,
    "member": 403,
    "group_leader": 403,
    "other_member": 403,
}


def _job(f) -> ImportJob:
    return ImportJob.objects.create(
        created_by=f.cast.secretary,
        unit=f.org.branch_a1,
        original_name="名册.xlsx",
        status=ImportJob.Status.FAILED,
    )


def _one_member_roster(f) -> dict:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([zh(header) for header in HEADERS])
    sheet.append(
        ["赵新", "T0099", "教师", "正式党员", "2010-07-01", f.org.branch_a1.name, "", "", "", "是"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {
        "unit": f.org.branch_a1.pk,
        "file": SimpleUploadedFile("名册.xlsx", buffer.getvalue()),
    }


ROWS = [
    AccessRow(
        "org/roster/",
        lambda f: reverse("organization:roster_import"),
        {"anonymous": LOGIN, **ROSTER_KEEPERS},
        default=403,
    ),
    AccessRow(
        "org/roster/",
        lambda f: reverse("organization:roster_import"),
        {"anonymous": LOGIN, **ROSTER_KEEPERS},
        default=403,
        method="post",
        data=lambda f: {},
        note="an empty form is shown again with its errors; nothing is stored",
    ),
    AccessRow(
        "org/roster/template/",
        lambda f: reverse("organization:roster_template"),
        {"anonymous": LOGIN},
        default=200,
        note="the empty template holds no one's data",
    ),
    AccessRow(
        "org/roster/jobs/<int:pk>/",
        lambda f: reverse("organization:roster_job", args=[_job(f).pk]),
        {"anonymous": LOGIN, "secretary": 200, "committee_admin": 200},
        default=404,
    ),
    AccessRow(
        "org/roster/jobs/<int:pk>/progress/",
        lambda f: reverse("organization:roster_job_progress", args=[_job(f).pk]),
        {"anonymous": LOGIN, "secretary": 200, "committee_admin": 200},
        default=404,
    ),
    AccessRow(
        "org/roster/units/<int:pk>/export/",
        lambda f: reverse("organization:roster_export", args=[f.org.branch_a1.pk]),
        {"anonymous": LOGIN, **ROSTER_KEEPERS, **A1_SEES_NOT_KEEPS, **A1_OUTSIDERS},
    ),
    AccessRow(
        "org/roster/units/<int:pk>/export/",
        lambda f: reverse("organization:roster_export", args=[f.org.branch_b1.pk]),
        {
            "anonymous": LOGIN,
            "committee_admin": 200,
            "observer": 403,
            "other_member": 403,
        },
        default=404,
        note="branch B1: only the committee admin keeps it; the observer and its member see it",
    ),
    AccessRow(
        "api/v1/roster/imports",
        lambda f: "/api/v1/roster/imports",
        {
            "anonymous": 401,
            "committee_admin": 201,
            "gb_secretary": 201,
            "secretary": 201,
            **A1_SEES_NOT_KEEPS,
            **A1_OUTSIDERS,
        },
        method="post",
        data=_one_member_roster,
        note="a one-row roster into branch A1",
    ),
    AccessRow(
        "api/v1/roster/imports/<job_id>",
        lambda f: f"/api/v1/roster/imports/{_job(f).pk}",
        {"anonymous": 401, "secretary": 200, "committee_admin": 200},
        default=404,
    ),
]
