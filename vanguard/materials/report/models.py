"""The committee's choice of examples (典型事例) for the drafted report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportSelection(models.Model):
    """One example the committee ticked for the report's 主要做法和经验: a candidate
    drawn from a branch record, named by its kind and a reference to the record
    (`candidates.Candidate.ref`), never an opinion's key. A record that no longer
    yields a candidate (deleted, out of the campaign) simply drops out of the draft."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("活动"),
        on_delete=models.CASCADE,
        related_name="report_selections",
    )
    kind = models.CharField(_("事例类型"), max_length=30)
    ref = models.CharField(_("记录"), max_length=60)
    order = models.PositiveIntegerField(_("顺序"), default=0)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("选定人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    chosen_at = models.DateTimeField(_("选定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工作总结选用事例")
        verbose_name_plural = _("工作总结选用事例")
        ordering = ("order", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("campaign", "kind", "ref"), name="materials_report_selection_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"
