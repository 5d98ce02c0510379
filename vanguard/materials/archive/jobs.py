"""Archive jobs: a committee admin's request for a campaign's archive stored as a job,
built by a background task that keeps its progress on the job; the zip stored under a
random name for the asker alone, kept KEEP_DAYS days (each new job deletes the older
ones' files first, as the bundles do).

`archive_job_submit` creates the job and enqueues `archive_build_task`, which takes the
job's key and calls `archive_job_run`; with no worker configured (the default
ImmediateBackend) the task runs inline. The management command `archive_campaign`
calls `build.archive_build` directly, writing to a file of the operator's choosing.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import time

from django.core.files import File
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.materials import access
from vanguard.materials.archive import build
from vanguard.materials.archive.models import ArchiveJob
from vanguard.materials.jobs import job_update, jobs_expire

logger = logging.getLogger(__name__)

PROGRESS_EVERY_SECONDS = 0.5


def archive_file_name(campaign: Campaign, day: datetime.date | None = None) -> str:
    day = day or timezone.localdate()
    return _("%(unit)s-%(campaign)s-归档-%(date)s.zip") % {
        "unit": build.safe_name(campaign.unit.name),
        "campaign": build.safe_name(campaign.name),
        "date": day.strftime("%Y%m%d"),
    }


def archive_job_create(*, user: User, campaign: Campaign) -> ArchiveJob:
    """A queued job. The caller fetched `campaign` through
    `access.get_archive_campaign_for_user`."""
    # The job is the bookkeeping of a download, not a change to the campaign's records.
    with acting_as(None):
        return ArchiveJob.objects.create(created_by=user, campaign=campaign)


def archive_job_submit(*, user: User, campaign: Campaign) -> ArchiveJob:
    """Delete the expired archives, create the job and hand it to the background task
    (inline without a worker)."""
    jobs_expire(ArchiveJob)
    job = archive_job_create(user=user, campaign=campaign)
    # No transaction is open here (views run in autocommit), so a worker finds the row.
    archive_build_task.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _failed(job: ArchiveJob, message: str) -> ArchiveJob:
    job_update(job, state=ArchiveJob.State.FAILED, error=message, finished_at=timezone.now())
    return job


def archive_job_run(*, job_id: int) -> ArchiveJob:
    """Build one job's archive. Every outcome ends the job as done or failed; a failed
    job keeps no file, not even part of one."""
    job = ArchiveJob.objects.select_related("campaign__unit", "created_by").get(pk=job_id)
    if job.state != ArchiveJob.State.QUEUED:
        return job  # already run (a retried task)
    started = time.perf_counter()
    job_update(job, state=ArchiveJob.State.RUNNING)
    # Decided again when it runs: the asker's roles may have changed since they asked.
    if not job.created_by.is_active or not access.can_archive_campaign(
        job.created_by, job.campaign
    ):
        return _failed(job, _("您已无权生成这个活动的归档包。"))
    last = 0.0

    def progress(done: int, total: int, label: str) -> None:
        nonlocal last
        now = time.perf_counter()
        if done == total or now - last >= PROGRESS_EVERY_SECONDS:
            job_update(job, done=done, total=total, step_label=label[:200])
            last = now

    try:
        with tempfile.TemporaryFile() as scratch:
            summary = build.archive_build(campaign=job.campaign, out=scratch, progress=progress)
            scratch.seek(0)
            job.file.save("archive.zip", File(scratch), save=False)
    except Exception:
        logger.exception("Archive job %s failed", job.pk)
        name = job.file.name
        if name:
            job.file.storage.delete(name)
        _failed(job, _("生成归档包时发生系统错误，归档包没有生成。请稍后再试，或联系管理员。"))
        raise
    job_update(
        job,
        state=ArchiveJob.State.DONE,
        done=job.total,
        step_label="",
        file=job.file.name,
        file_name=archive_file_name(job.campaign),
        summary={
            "files": summary.files,
            "bytes": summary.bytes,
            "branches": summary.branches,
            "personal_files": summary.personal_files,
            "seconds": round(time.perf_counter() - started, 3),
        },
        finished_at=timezone.now(),
    )
    return job


@task()
def archive_build_task(job_id: int) -> str:
    """Build one campaign archive (归档包); returns the job's final state. Thin (habit
    6): it takes the job's key and runs the job."""
    return archive_job_run(job_id=job_id).state


def recent_jobs(user: User, limit: int = 10) -> QuerySet[ArchiveJob]:
    return ArchiveJob.objects.filter(created_by=user).select_related("campaign")[:limit]
