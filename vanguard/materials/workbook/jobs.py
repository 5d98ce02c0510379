"""Workbook jobs: a request for a campaign's statistics workbook stored as a job, built
by a background task with its progress kept on the job, the file stored for download.

`workbook_job_submit` creates the job and enqueues `workbook_build`, which takes the
job's key and calls `workbook_job_run`; with no worker configured (the default
ImmediateBackend) the task runs inline, as the roster import's does
(`organization.roster.jobs`). With VANGUARD_TASKS=database the queue stores the task by
its path, `vanguard.materials.workbook.jobs.workbook_build`.
"""

from __future__ import annotations

import logging
import time

from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.documents.xlsx import workbook_bytes
from vanguard.materials import access
from vanguard.materials import figures as shared
from vanguard.materials.jobs import job_update, jobs_expire
from vanguard.materials.workbook import document
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.organization.models import Unit

logger = logging.getLogger(__name__)

# Gathering each topic, then writing each sheet, then saving the file.
STEPS_TOTAL = len(shared.STEPS) + len(document.SHEETS) + 1

PROGRESS_INTERVAL = 0.25  # seconds between two writes of a job's progress

STEP_LABELS = {
    "units": gettext_lazy("读取组织"),
    "requirements": gettext_lazy("计算各阶段要求"),
    "meetings": gettext_lazy("统计会议"),
    "study": gettext_lazy("统计学习"),
    "opinions": gettext_lazy("统计意见"),
    "reviews": gettext_lazy("统计三上三下"),
    "votes": gettext_lazy("统计民主评议"),
    "grades": gettext_lazy("统计等级评定"),
    "rectification": gettext_lazy("统计整改"),
    "save": gettext_lazy("保存文件"),
}


def scope_name(roots: list[Unit]) -> str:
    if len(roots) == 1:
        return roots[0].name
    return _("%(first)s等 %(count)d 个组织") % {"first": roots[0].name, "count": len(roots)}


def workbook_filename(campaign: Campaign, name: str) -> str:
    today = timezone.localdate().strftime("%Y%m%d")
    return _("%(scope)s统计表-%(campaign)s-%(date)s.xlsx") % {
        "scope": name,
        "campaign": campaign.name,
        "date": today,
    }


def workbook_job_create(*, user: User, campaign: Campaign, unit: Unit | None) -> WorkbookJob:
    """A queued job. The caller fetched `campaign` through
    `access.get_workbook_campaign_for_user` and `unit` (None: the person's whole scope)
    through `access.get_workbook_unit_for_user`."""
    # The job is bookkeeping of a download, not a change to the campaign's records.
    with acting_as(None):
        return WorkbookJob.objects.create(
            created_by=user, campaign=campaign, unit=unit, total=STEPS_TOTAL
        )


def workbook_job_submit(*, user: User, campaign: Campaign, unit: Unit | None) -> WorkbookJob:
    """Create the job and hand it to the background task (inline without a worker);
    workbooks older than KEEP_DAYS days go first."""
    jobs_expire(WorkbookJob)
    job = workbook_job_create(user=user, campaign=campaign, unit=unit)
    # No transaction is open here (views run in autocommit), so a worker finds the row.
    workbook_build.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _roots(job: WorkbookJob) -> list[Unit]:
    """The scope, decided again when the job runs: the person's roles may have changed
    since they asked."""
    actor = job.created_by
    if actor is None or not actor.is_active:
        return []
    roots = access.workbook_roots(actor, job.campaign)
    if job.unit is None:
        return roots
    if job.unit.is_active and any(job.unit.path.startswith(root.path) for root in roots):
        return [job.unit]
    return []


def workbook_job_run(*, job_id: int) -> WorkbookJob:
    """Build one job's workbook. Every outcome ends the job as done or failed."""
    job = WorkbookJob.objects.select_related("campaign__unit", "unit", "created_by").get(pk=job_id)
    if job.state != WorkbookJob.State.QUEUED:
        return job  # already run (a retried task)
    started = time.perf_counter()
    job_update(job, state=WorkbookJob.State.RUNNING, done=0, total=STEPS_TOTAL)
    roots = _roots(job)
    if not roots:
        job_update(
            job,
            state=WorkbookJob.State.FAILED,
            error=_("您已无权生成这个范围的统计表。"),
            finished_at=timezone.now(),
        )
        return job
    done = 0
    written = time.monotonic()

    def step(name: str) -> None:
        # Progress is written at most a few times a second: each write is a commit,
        # and a quick build would otherwise spend its time on its own bookkeeping.
        nonlocal done, written
        if time.monotonic() - written >= PROGRESS_INTERVAL:
            label = STEP_LABELS.get(name, gettext_lazy("写入工作表"))
            job_update(job, done=done, step_label=str(label))
            written = time.monotonic()
        done += 1

    try:
        assert job.created_by is not None  # _roots returned none otherwise
        # The workbook counts members, never names them: no member lines.
        figures = shared.count_figures(
            user=job.created_by, campaign=job.campaign, roots=roots, progress=step, members=False
        )
        name = scope_name(roots)
        workbook = document.workbook_document(figures, scope_name=name, progress=step)
        step("save")
        content = workbook_bytes(workbook)
        filename = workbook_filename(job.campaign, name)
        job.file.save("workbook.xlsx", ContentFile(content), save=False)
    except Exception:
        logger.exception("Workbook job %s failed", job.pk)
        job_update(
            job,
            state=WorkbookJob.State.FAILED,
            error=_("生成统计表时发生系统错误，请稍后再试，或联系管理员。"),
            finished_at=timezone.now(),
        )
        raise
    job_update(
        job,
        state=WorkbookJob.State.DONE,
        done=STEPS_TOTAL,
        step_label="",
        file=job.file.name,
        file_name=filename,
        scope_name=name,
        seconds=round(time.perf_counter() - started, 3),
        finished_at=timezone.now(),
    )
    return job


@task()
def workbook_build(job_id: int) -> str:
    """Build one statistics workbook (统计表); returns the job's final state. Thin
    (habit 6): it takes the job's key and runs the job."""
    return workbook_job_run(job_id=job_id).state


def recent_jobs(user: User, limit: int = 10) -> QuerySet[WorkbookJob]:
    return WorkbookJob.objects.filter(created_by=user).select_related("campaign", "unit")[:limit]
