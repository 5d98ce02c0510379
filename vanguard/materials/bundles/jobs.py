"""Bundle jobs: a request for a branch's three materials, or for every branch's under a
general branch or the committee, stored as a job and built by a background task that
keeps its progress on the job; the zip stored under a random name for the asker alone.

`bundle_job_submit` creates the job and enqueues `bundle_build`, which takes the job's
key and calls `bundle_job_run`; with no worker configured (the default ImmediateBackend)
the task runs inline, as the roster import's and the workbook's do. With
VANGUARD_TASKS=database the queue stores the task by its path,
`vanguard.materials.bundles.jobs.bundle_build`, and `make worker` runs it.

A zip is kept KEEP_DAYS days: each new job first deletes the jobs (and files) that
finished before then (`materials.jobs.jobs_expire`), so no scheduler is needed.
"""

from __future__ import annotations

import logging
import tempfile
import time
from typing import Any

from django.core.files import File
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.materials import access
from vanguard.materials.bundles import build
from vanguard.materials.bundles.models import BundleJob
from vanguard.materials.jobs import job_update, jobs_expire
from vanguard.organization.models import Unit

logger = logging.getLogger(__name__)

# A progress write is one UPDATE; a branch's hundreds of forms report at most this often.
PROGRESS_EVERY_SECONDS = 0.5


def kind_of(unit: Unit) -> str:
    return BundleJob.Kind.BRANCH if unit.kind == Unit.Kind.BRANCH else BundleJob.Kind.COLLEGE


def bundle_job_create(*, user: User, campaign: Campaign, unit: Unit) -> BundleJob:
    """A queued job. The caller fetched `campaign` and `unit` through
    `access.get_bundle_campaign_for_user` and `access.get_bundle_unit_for_user`."""
    # The job is the bookkeeping of a download, not a change to the campaign's records.
    with acting_as(None):
        return BundleJob.objects.create(
            created_by=user, campaign=campaign, unit=unit, kind=kind_of(unit)
        )


def bundle_job_submit(*, user: User, campaign: Campaign, unit: Unit) -> BundleJob:
    """Delete the expired bundles, create the job and hand it to the background task
    (inline without a worker)."""
    jobs_expire(BundleJob)
    job = bundle_job_create(user=user, campaign=campaign, unit=unit)
    # No transaction is open here (views run in autocommit), so a worker finds the row.
    bundle_build.enqueue(job.pk)
    job.refresh_from_db()
    return job


def bundle_branches(job: BundleJob) -> list[Unit] | None:
    """The branches the job bundles, decided again when it runs (the asker's roles may
    have changed since they asked); None when the asker may no longer have it."""
    actor = job.created_by
    unit = job.unit
    if not actor.is_active or not unit.is_active or not access.can_bundle(actor, unit):
        return None
    if not access.campaign_covers(job.campaign, unit):
        return None
    if unit.kind == Unit.Kind.BRANCH:
        return [unit]
    inside = max(unit.path, job.campaign.unit.path, key=len)
    return list(
        Unit.objects.filter(
            kind=Unit.Kind.BRANCH, is_active=True, path__startswith=inside
        ).order_by("path")
    )


def bundle_job_run(*, job_id: int) -> BundleJob:
    """Build one job's zip. Every outcome ends the job as done or failed; a failed job
    keeps no file, not even part of one."""
    job = BundleJob.objects.select_related("campaign__unit", "unit", "created_by").get(pk=job_id)
    if job.state != BundleJob.State.QUEUED:
        return job  # already run (a retried task)
    started, started_cpu = time.perf_counter(), time.process_time()
    job_update(job, state=BundleJob.State.RUNNING, done=0, total=0)
    branches = bundle_branches(job)
    if branches is None:
        return _failed(job, _("您已无权生成这个范围的材料包。"))
    if job.kind == BundleJob.Kind.COLLEGE:
        job_update(job, total=len(branches))
    try:
        with tempfile.TemporaryFile() as scratch:
            summary = _write(job, branches, scratch)
            scratch.seek(0)
            file_name = build.zip_name(job.kind, job.unit, job.campaign)
            job.file.save("bundle.zip", File(scratch), save=False)
    except build.PartFailed as failure:
        logger.exception("Bundle job %s failed", job.pk)
        _discard(job)
        return _failed(job, failure.message)
    except Exception:
        logger.exception("Bundle job %s failed", job.pk)
        _discard(job)
        _failed(job, _("生成材料包时发生系统错误，材料包没有生成。请稍后再试，或联系管理员。"))
        raise
    summary["seconds"]["total"] = round(time.perf_counter() - started, 3)
    summary["cpu_seconds"]["total"] = round(time.process_time() - started_cpu, 3)
    job_update(
        job,
        state=BundleJob.State.DONE,
        done=job.total,
        file=job.file.name,
        file_name=file_name,
        summary=summary,
        finished_at=timezone.now(),
    )
    return job


def _write(job: BundleJob, branches: list[Unit], scratch: Any) -> dict[str, Any]:
    writer = build.Writer(scratch)
    last = 0.0

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.perf_counter()
        if done == total or now - last >= PROGRESS_EVERY_SECONDS:
            job_update(job, done=done, total=total)
            last = now

    try:
        built = _write_branches(job, branches, writer, report)
    finally:
        writer.close()  # after a failure too: the scratch file is then thrown away
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    for _folder, contents in built:
        for key, value in contents.seconds.items():
            seconds[key] = seconds.get(key, 0.0) + value
        for key, value in contents.cpu_seconds.items():
            cpu_seconds[key] = cpu_seconds.get(key, 0.0) + value
    return {
        "branches": len(built),
        "forms": sum(contents.forms for _folder, contents in built),
        "missing": [
            {"branch": contents.branch.name, "lines": contents.missing}
            for _folder, contents in built
            if contents.missing
        ],
        "seconds": {key: round(value, 3) for key, value in seconds.items()},
        "cpu_seconds": {key: round(value, 3) for key, value in cpu_seconds.items()},
    }


def _write_branches(
    job: BundleJob, branches: list[Unit], writer: build.Writer, report: build.Progress
) -> list[tuple[str, build.BranchContents]]:
    """A branch job's one folder, reporting each document; a college job's folder per
    branch, reporting each branch, and its README.txt above them."""
    if job.kind == BundleJob.Kind.BRANCH:
        folder = build.safe_name(job.unit.name)
        contents = build.branch_build(
            writer, folder, campaign=job.campaign, branch=job.unit, progress=report
        )
        return [(folder, contents)]
    built: list[tuple[str, build.BranchContents]] = []
    for folder, branch in build.branch_folders(job.unit, branches):
        contents = build.branch_build(writer, folder, campaign=job.campaign, branch=branch)
        built.append((folder, contents))
        report(len(built), len(branches))
    top = build.safe_name(job.unit.name)
    readme = build.college_readme(job.unit, campaign=job.campaign, branches=built)
    writer.add(f"{top}/README.txt", readme)
    return built


def _discard(job: BundleJob) -> None:
    """Remove whatever of the zip reached the storage: no half file is left."""
    name = job.file.name
    if name:
        job.file.storage.delete(name)
    job.file.name = ""


def _failed(job: BundleJob, message: str) -> BundleJob:
    job_update(
        job, state=BundleJob.State.FAILED, error=message, file="", finished_at=timezone.now()
    )
    return job


@task()
def bundle_build(job_id: int) -> str:
    """Build one bundle (材料包); returns the job's final state. Thin (habit 6): it
    takes the job's key and runs the job."""
    return bundle_job_run(job_id=job_id).state


def recent_jobs(user: User, limit: int = 10) -> QuerySet[BundleJob]:
    return BundleJob.objects.filter(created_by=user).select_related("campaign", "unit")[:limit]
