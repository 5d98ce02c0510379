"""The branch's stage summary (支部阶段工作小结), one of the three materials (三份材料)
a branch hands in: one per branch and campaign phase, drafted from the data, edited
by the branch's officers, reviewed by the general branch's secretary (where the branch
has a general branch) and then the committee, and exported as PDF and Word.

    draft ──submit──▶ submitted (党总支) ──pass──▶ with_committee ──accept──▶ accepted
      ▲   └──────────(no general branch)──────────────▲       │
      └──────── returned (with a reason) ◀── either reviewer ──┘

Every submit freezes the five sections as an immutable `StageSummaryVersion`; every
reviewer's decision is a `StageSummaryDecision` naming the version it decided on. A
save names the `version` it started from and is refused when someone saved since.
`data_draft` keeps the sections as last drafted from the data, so a redraft can tell
which sections the officers have edited (kept) from those they have not (updated).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The five parts of a stage summary, in the order it is written and printed.
SECTIONS = (
    ("work_done", _("工作开展情况")),
    ("figures", _("主要数据")),
    ("good_practice", _("好的做法")),
    ("problems", _("存在问题")),
    ("next_steps", _("下一步打算")),
)
SECTION_NAMES = tuple(name for name, _label in SECTIONS)


class StageSummary(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("撰写中")
        SUBMITTED = "submitted", _("已提交，待党总支审阅")
        WITH_COMMITTEE = "with_committee", _("待党委审阅")
        RETURNED = "returned", _("退回修改")
        ACCEPTED = "accepted", _("党委已审定")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="stage_summaries"
    )
    branch = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("党支部"),
        on_delete=models.PROTECT,
        related_name="stage_summaries",
    )
    phase = models.ForeignKey(
        "campaigns.Phase",
        verbose_name=_("阶段"),
        on_delete=models.CASCADE,
        related_name="stage_summaries",
    )
    work_done = models.TextField(_("工作开展情况"), blank=True)
    figures = models.TextField(_("主要数据"), blank=True)
    good_practice = models.TextField(_("好的做法"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步打算"), blank=True)
    data_draft = models.JSONField(default=dict, blank=True)  # {section: text} last drafted
    drafted_at = models.DateTimeField(_("数据起草时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    return_reason = models.TextField(_("退回理由"), blank=True)
    # Optimistic concurrency: a save names the version it started from.
    version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(_("保存时间"), null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支部阶段工作小结")
        verbose_name_plural = _("支部阶段工作小结")
        ordering = ["campaign", "branch__path", "phase__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch", "phase"], name="stage_summary_once_per_phase"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self) -> str:
        return f"{self.branch_id} · {self.phase_id}"

    @property
    def editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.RETURNED)


class StageSummaryVersion(models.Model):
    """What the branch handed in, as it was: frozen at each submit."""

    summary = models.ForeignKey(StageSummary, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    work_done = models.TextField(blank=True)
    figures = models.TextField(blank=True)
    good_practice = models.TextField(blank=True)
    problems = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阶段工作小结提交版本")
        verbose_name_plural = _("阶段工作小结提交版本")
        ordering = ["summary", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "number"], name="stage_summary_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.summary_id} v{self.number}"


class StageSummaryDecision(models.Model):
    """A reviewer's word on a submitted version: the general branch passes it up to the
    committee or returns it; the committee accepts it or returns it."""

    class Level(models.TextChoices):
        GENERAL_BRANCH = "general_branch", _("党总支")
        COMMITTEE = "committee", _("党委")

    class Verdict(models.TextChoices):
        PASS = "pass", _("同意，报党委")
        ACCEPT = "accept", _("审定通过")
        RETURN = "return", _("退回修改")

    summary = models.ForeignKey(StageSummary, on_delete=models.CASCADE, related_name="decisions")
    version = models.ForeignKey(
        StageSummaryVersion, on_delete=models.CASCADE, related_name="decisions"
    )
    level = models.CharField(_("审阅层级"), max_length=20, choices=Level.choices)
    verdict = models.CharField(_("结论"), max_length=10, choices=Verdict.choices)
    reason = models.TextField(_("意见或退回理由"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阶段工作小结审阅")
        verbose_name_plural = _("阶段工作小结审阅")
        ordering = ["summary", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.summary_id}: {self.verdict}"
