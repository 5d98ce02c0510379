"""The archive's job (归档包生成任务): who asked for which campaign's archive, its
progress, and the zip once built."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.materials.jobs import MaterialJob, job_file_path

# Named by migration 0005.
archive_path = job_file_path


class ArchiveJob(MaterialJob):
    """One archive, built in the background (`jobs.archive_build_task`)."""

    FILE_FOLDER = "archives"
    FILE_EXTENSION = "zip"

    step_label = models.CharField(_("当前步骤"), max_length=200, blank=True)
    # What the zip holds: files, bytes, branches, personal files, seconds.
    summary = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta(MaterialJob.Meta):
        verbose_name = _("归档包生成任务")
        verbose_name_plural = _("归档包生成任务")
