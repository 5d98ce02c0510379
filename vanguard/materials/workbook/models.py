"""The college statistics workbook's job (统计表生成任务): who asked for which campaign's
workbook over which scope, its progress sheet by sheet, and the file once built."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.materials.jobs import random_file_name


def workbook_path(_job: WorkbookJob, _filename: str) -> str:
    return random_file_name("workbooks", "xlsx")


class WorkbookJob(models.Model):
    """One workbook, built in the background (`jobs.workbook_build`). The shape of the
    roster's ImportJob: a status, progress as done/total, the outcome on the row."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待处理")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未能生成")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("活动"), on_delete=models.CASCADE, related_name="+"
    )
    # None: the person's whole scope in the campaign (a supervisor's several branches).
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("统计范围"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    steps_done = models.PositiveIntegerField(_("已完成步骤"), default=0)
    steps_total = models.PositiveIntegerField(_("总步骤"), default=0)
    step_label = models.CharField(_("当前步骤"), max_length=100, blank=True)
    # Stored under MEDIA_ROOT, which has no public URL: downloaded through the job's page.
    file = models.FileField(_("文件"), upload_to=workbook_path, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    scope_name = models.CharField(_("统计范围名称"), max_length=255, blank=True)
    error = models.TextField(_("错误"), blank=True)
    seconds = models.FloatField(_("用时（秒）"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("统计表生成任务")
        verbose_name_plural = _("统计表生成任务")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def scope_label(self) -> str:
        """The scope as the pages name it ("" for a whole scope not yet built)."""
        return self.scope_name or (self.unit.name if self.unit else "")

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(100, round(self.steps_done * 100 / self.steps_total))
