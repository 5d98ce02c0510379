"""The college statistics workbook's job (统计表生成任务): who asked for which campaign's
workbook over which scope, its progress sheet by sheet, and the file once built."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.materials.jobs import MaterialJob, job_file_path

# Named by migration 0006.
workbook_path = job_file_path


class WorkbookJob(MaterialJob):
    """One workbook, built in the background (`jobs.workbook_build`)."""

    FILE_FOLDER = "workbooks"
    FILE_EXTENSION = "xlsx"

    # Unlike the other jobs, kept (the asker emptied) when the asker's account is deleted.
    created_by = models.ForeignKey(  # type: ignore[assignment]  # nullable here
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
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
    step_label = models.CharField(_("当前步骤"), max_length=100, blank=True)
    scope_name = models.CharField(_("统计范围名称"), max_length=255, blank=True)
    seconds = models.FloatField(_("用时（秒）"), null=True, blank=True)

    class Meta(MaterialJob.Meta):
        verbose_name = _("统计表生成任务")
        verbose_name_plural = _("统计表生成任务")

    @property
    def scope_label(self) -> str:
        """The scope as the pages name it ("" for a whole scope not yet built)."""
        return self.scope_name or (self.unit.name if self.unit else "")
