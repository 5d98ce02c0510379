"""The archive's job (归档包生成任务): who asked for which campaign's archive, its
progress, and the zip once built — the shape of the bundles' and the workbook's jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.materials.jobs import random_file_name


def archive_path(_job: ArchiveJob, _filename: str) -> str:
    return random_file_name("archives", "zip")


class ArchiveJob(models.Model):
    """One archive, built in the background (`jobs.archive_build_task`). The job and its
    file are only the asker's."""

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
    step_label = models.CharField(_("当前步骤"), max_length=200, blank=True)
    file = models.FileField(_("文件"), upload_to=archive_path, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    # What the zip holds: files, bytes, branches, personal files, seconds.
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("归档包生成任务")
        verbose_name_plural = _("归档包生成任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} ({self.get_state_display()})"

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
