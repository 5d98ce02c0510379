"""What the materials' background jobs (bundles, the workbook, the archive) share: the
abstract job (`MaterialJob`: who asked, the campaign, a state, progress as done/total,
the file and its download name, the error, the times), its progress written as
bookkeeping, and the rule that a generated file is kept KEEP_DAYS
days — each new job of a kind first deletes that kind's older jobs and their files, so
no scheduler is needed (a site that makes none keeps the last ones until the next)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A generated file holds members' forms or the college's figures: kept no longer than
# a week's use needs.
KEEP_DAYS = 7


def random_file_name(folder: str, extension: str) -> str:
    """A random name under MEDIA_ROOT (which has no public URL) for a job's file: reached
    only through its job's download page, its name telling nothing of what it holds."""
    return f"materials/{folder}/{secrets.token_urlsafe(24)}.{extension}"


def job_file_path(job: MaterialJob, _filename: str) -> str:
    """upload_to of every job's file: a random name in its kind's folder."""
    return random_file_name(job.FILE_FOLDER, job.FILE_EXTENSION)


class MaterialJob(models.Model):
    """One generated file, built in the background, in the shape of the roster's
    ImportJob: a state, progress as done/total, the outcome on the row. The job and its
    file are only the asker's. Each kind adds what it alone records (its unit, kind,
    summary, step label…) and names its file's folder and extension."""

    FILE_FOLDER = "jobs"
    FILE_EXTENSION = "bin"

    class State(models.TextChoices):
        QUEUED = "queued", _("等待处理")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未能生成")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("活动"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    # Stored under MEDIA_ROOT, which has no public URL: downloaded through the job's page.
    file = models.FileField(_("文件"), upload_to=job_file_path, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} ({self.get_state_display()})"  # type: ignore[attr-defined]

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, round(self.done * 100 / self.total))

    @property
    def scope_label(self) -> str:
        """What the job covers as the recent-jobs tables name it ("": the campaign)."""
        return ""


def job_update(job: MaterialJob, **fields: Any) -> None:
    """Write fields of a job with an UPDATE, not save(): progress is bookkeeping, not an
    audited change."""
    type(job)._default_manager.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def jobs_expire(model: type[MaterialJob], *, now: datetime.datetime | None = None) -> int:
    """Delete the jobs of `model` finished (or still queued) more than KEEP_DAYS days
    ago, and their files; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    old = model._default_manager.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    count = 0
    for job in old:
        name = job.file.name
        job.delete()
        if name:
            job.file.storage.delete(name)
        count += 1
    return count
