"""Roster import jobs: an upload stored as a job, run as a background task, its progress
and outcome kept on the job.

`import_job_submit` stores the upload and enqueues `roster_import`, which takes the
job's key and calls `import_job_run`; with no worker configured (the default
ImmediateBackend) the task runs inline. With VANGUARD_TASKS=database the queue stores
the task by its path, `vanguard.organization.roster.jobs.roster_import`
(`organization.tasks` keeps the older path working).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.lib.database import refresh_planner_statistics
from vanguard.organization import access
from vanguard.organization.models import ImportJob, Unit
from vanguard.organization.roster.reading import (
    ImportFailed,
    Scope,
    check_upload,
    error_entry,
    read_rows,
)
from vanguard.organization.roster.writing import write_rows

logger = logging.getLogger(__name__)


def import_job_create(*, user: User, unit: Unit, upload: UploadedFile) -> ImportJob:
    """Store an uploaded roster as a pending job. The cheap checks (size, file type) are
    made here, so a bad file is refused before anything is stored.

    The caller has fetched `unit` for `user` through `access.can_import_roster`."""
    check_upload(upload)
    original_name = (upload.name or "roster.xlsx")[:255]
    upload.name = "roster.xlsx"  # stored under a generated name; the original is kept apart
    # The job row is itself the record of the import (who, when, which file, what came of
    # it) and is not audited: re-importing an unchanged file must leave the trail as it was.
    with acting_as(None):
        return ImportJob.objects.create(
            created_by=user,
            unit=unit,
            file=upload,
            original_name=original_name,
        )


def import_job_submit(*, user: User, unit: Unit, upload: UploadedFile) -> ImportJob:
    """Create the job and hand it to the background task (inline without a worker)."""
    job = import_job_create(user=user, unit=unit, upload=upload)
    # No transaction is open here (views run in autocommit), so a worker finds the row.
    roster_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _job_update(job: ImportJob, **fields: Any) -> None:
    # UPDATE, not save(): progress is bookkeeping, not an audited change.
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def import_job_run(*, job_id: int) -> ImportJob:
    """Check and write one stored roster. Every outcome ends the job as done or failed."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.PENDING:
        return job  # already run (a retried task)
    _job_update(job, status=ImportJob.Status.VALIDATING)
    actor = job.created_by
    timings: dict[str, float] = {}
    try:
        if actor is None or not actor.is_active or not access.can_manage_roster(actor, job.unit):
            raise ImportFailed(
                [
                    error_entry(
                        None, "", _("您已无权导入“%(unit)s”的名册。") % {"unit": job.unit.name}
                    )
                ]
            )
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            _job_update(job, processed_rows=done, total_rows=total)

        notes: list[str] = []
        with job.file.open("rb") as handle:
            rows = read_rows(
                handle,
                name=job.original_name,
                scope=Scope(job.unit),
                actor=actor,
                progress=progress,
                notes=notes,
            )
        timings["validate"] = round(time.perf_counter() - started, 3)
        _job_update(job, status=ImportJob.Status.WRITING)
        started = time.perf_counter()
        note = _("名册导入 #%(job)s：%(name)s") % {"job": job.pk, "name": job.original_name}
        counts = write_rows(rows=rows, actor=actor, note=note)
        refresh_planner_statistics()  # a new roster changes what the planner should know
        timings["write"] = round(time.perf_counter() - started, 3)
    except ImportFailed as failure:
        _finish(
            job,
            ImportJob.Status.FAILED,
            errors=failure.errors,
            summary={"error_count": failure.error_count},
        )
        return job
    except Exception:
        logger.exception("Roster import job %s failed", job.pk)
        _finish(
            job,
            ImportJob.Status.FAILED,
            errors=[
                error_entry(
                    None, "", _("导入时发生系统错误，名册没有任何改动。请稍后再试，或联系管理员。")
                )
            ],
            summary={},
        )
        raise
    _finish(
        job,
        ImportJob.Status.DONE,
        errors=[],
        summary={
            **counts,
            "rows": len(rows),
            "notes": notes,
            "seconds": timings,
        },
    )
    return job


@task()
def roster_import(job_id: int) -> str:
    """Check and write one uploaded roster (名册导入); returns the job's final status.
    Thin (habit 6): it takes the job's key and runs the job."""
    return import_job_run(job_id=job_id).status


def _finish(job: ImportJob, status: str, *, errors: list[dict[str, Any]], summary: dict) -> None:
    name = job.file.name
    _job_update(
        job,
        status=status,
        errors=errors,
        summary=summary,
        finished_at=timezone.now(),
        file="",
    )
    # The uploaded file holds personal data and is no longer needed: the job keeps the
    # outcome, the members the data.
    if name:
        job.file.storage.delete(name)


def recent_jobs(user: User, limit: int = 10) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(created_by=user).select_related("unit")[:limit]
