"""JSON API for roster import (名册导入): upload a roster, then read the job's outcome.

Authentication is set once on the API (a bearer token or the browser session, see
`vanguard/api/auth.py`); every object is fetched through `organization.access`, the
same as the pages.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from vanguard.lib.api.errors import ApiError, ErrorOut
from vanguard.organization import access
from vanguard.organization.models import ImportJob
from vanguard.organization.roster import jobs, reading

router = Router(tags=["roster"])


class ImportErrorOut(Schema):
    row: int | None
    column: str
    message: str
    cell: str = ""  # the cell or range at fault, e.g. C7 or F4:F5
    sheet: str = ""
    text: str  # the fault as one sentence: 第 5 行「所在支部」：…


class ImportSummaryOut(Schema):
    rows: int | None = None
    created: int | None = None
    updated: int | None = None
    moved: int | None = None
    unchanged: int | None = None
    error_count: int | None = None
    notes: list[str] = []  # what the office should know: columns ignored or left out


class ImportJobOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    original_name: str
    status: str
    status_display: str
    total_rows: int
    processed_rows: int
    summary: ImportSummaryOut
    errors: list[ImportErrorOut]
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


def _caller(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return getattr(request, "auth", None)


def _job_out(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "unit_id": job.unit_id,
        "unit_name": job.unit.name,
        "original_name": job.original_name,
        "status": job.status,
        "status_display": job.get_status_display(),
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "summary": {key: value for key, value in (job.summary or {}).items() if key != "seconds"},
        "errors": [{**error, "text": reading.error_text(error)} for error in job.errors],
        "created_at": job.created_at,
        "finished_at": job.finished_at,
    }


@router.post(
    "/imports",
    response={201: ImportJobOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Import a roster (.xlsx) into a unit",
    description=(
        "Multipart form: `unit` (the id of a unit whose roster the caller keeps) and `file` "
        "(an .xlsx in the template's layout). Every row is checked first; if any is at fault "
        "nothing is written and the job ends `failed` with each fault's row and column. "
        "Without a background worker the job is finished when the answer comes; otherwise "
        "poll `GET /imports/{id}`."
    ),
)
def create_import(request: HttpRequest, unit: Form[int], file: File[UploadedFile]) -> Status:
    user = _caller(request)
    target = access.get_unit_for_user(user, unit, need=access.can_import_roster)
    try:
        job = jobs.import_job_submit(user=user, unit=target, upload=file)
    except ValidationError as error:
        raise ApiError(
            400, error.messages[0], [{"field": "file", "message": m} for m in error.messages]
        ) from None
    job = access.get_import_job_for_user(user, job.pk)
    return Status(201, _job_out(job))


@router.get(
    "/imports/{job_id}",
    response={200: ImportJobOut, 401: ErrorOut, 404: ErrorOut},
    summary="A roster import job: status, counts and errors",
)
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return _job_out(access.get_import_job_for_user(_caller(request), job_id))
