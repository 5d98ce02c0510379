"""A bundle's job (材料包生成任务): who asked for which campaign's materials of which
unit — one branch's three materials, or every branch under a general branch or the
committee — its progress, and the zip once built."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.materials.jobs import MaterialJob, job_file_path

# Named by migration 0004.
bundle_path = job_file_path


class BundleJob(MaterialJob):
    """One bundle, built in the background (`jobs.bundle_build`)."""

    FILE_FOLDER = "bundles"
    FILE_EXTENSION = "zip"

    class Kind(models.TextChoices):
        BRANCH = "branch", _("支部材料包")
        COLLEGE = "college", _("各支部材料汇总包")

    # The branch (kind branch), or the general branch or committee whose branches are
    # bundled (kind college).
    unit = models.ForeignKey(
        "organization.Unit", verbose_name=_("范围"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    # What the zip holds and lacks, for the page: branches, forms, missing parts, timings.
    summary = models.JSONField(_("结果"), default=dict, blank=True)

    class Meta(MaterialJob.Meta):
        verbose_name = _("材料包生成任务")
        verbose_name_plural = _("材料包生成任务")

    @property
    def scope_label(self) -> str:
        return self.unit.name
