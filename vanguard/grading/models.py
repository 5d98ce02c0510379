"""Grading (等级评定): the branch proposes each formal member's grade (初评) with a
rationale, beside the secret ballot's tally, the feedback sheet and the review status;
the committee approves or returns the branch's proposals (审批). A proposal of
unqualified (不合格) opens the handling procedure (`UnqualifiedCase`): a talk with the
member, pre-review by the level above, a branch vote, the committee's approval and the
outcome (限期改正 / 劝退 / 除名), each step recorded with who and when.

Grades are not secret from the people in scope (the audit trail records every change);
only how each voter graded is (that is the ballots app).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vanguard.ballots.models import Grade


class GradingRule(models.Model):
    """Per campaign: the cap on excellent (优秀) as a fraction of the branch's formal
    members, by default one third. Kept as a fraction so one third is exact."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="grading_rule"
    )
    excellent_numerator = models.PositiveSmallIntegerField(_("优秀比例分子"), default=1)
    excellent_denominator = models.PositiveSmallIntegerField(_("优秀比例分母"), default=3)

    class Meta:
        verbose_name = _("等级评定规则")
        verbose_name_plural = _("等级评定规则")

    def __str__(self) -> str:
        return f"{self.excellent_numerator}/{self.excellent_denominator}"

    @property
    def cap_label(self) -> str:
        return f"{self.excellent_numerator}/{self.excellent_denominator}"

    def excellent_cap(self, formal_members: int) -> int:
        return formal_members * self.excellent_numerator // self.excellent_denominator


class BranchGrading(models.Model):
    """One branch's grade proposals in one campaign, submitted and decided as a whole."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("拟定中")
        SUBMITTED = "submitted", _("已报党委")
        RETURNED = "returned", _("党委退回")
        APPROVED = "approved", _("党委已审批")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.PROTECT, related_name="branch_gradings"
    )
    branch = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("党支部"),
        on_delete=models.PROTECT,
        related_name="gradings",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # Required when the proposals exceed the cap on excellent.
    excellent_explanation = models.TextField(_("优秀超出比例的说明"), blank=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        verbose_name = _("支部等级评定")
        verbose_name_plural = _("支部等级评定")
        ordering = ["campaign", "branch__path"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "branch"], name="grading_once_per_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.branch_id}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class GradeProposal(models.Model):
    """The branch's proposed grade for one formal member, with its rationale. Once the
    committee approves the branch's proposals, this is the member's grade."""

    grading = models.ForeignKey(BranchGrading, on_delete=models.CASCADE, related_name="proposals")
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="grade_proposals",
    )
    grade = models.CharField(_("等次"), max_length=20, choices=Grade.choices)
    rationale = models.TextField(_("评定理由"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("等级初评")
        verbose_name_plural = _("等级初评")
        ordering = ["grading", "member__number"]
        constraints = [
            models.UniqueConstraint(fields=["grading", "member"], name="grade_proposal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.grade}"


class UnqualifiedCase(models.Model):
    """The handling of a member proposed unqualified (不合格党员的组织处置). Steps are
    recorded in order; a step once recorded is not changed. If the branch changes the
    proposal, the case is withdrawn (kept, with its steps); proposing unqualified
    again takes it up where it stood."""

    class Outcome(models.TextChoices):
        RECTIFY = "rectify", _("限期改正")
        PERSUADE = "persuade", _("劝退")
        EXPEL = "expel", _("除名")

    proposal = models.OneToOneField(
        GradeProposal, on_delete=models.CASCADE, related_name="unqualified_case"
    )
    withdrawn = models.BooleanField(_("已撤回"), default=False)

    talk_on = models.DateField(_("谈话日期"), null=True, blank=True)
    talk_note = models.TextField(_("谈话情况"), blank=True)
    talk_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    prereview_on = models.DateField(_("预审日期"), null=True, blank=True)
    prereview_agrees = models.BooleanField(_("上级预审同意"), null=True, blank=True)
    prereview_note = models.TextField(_("预审意见"), blank=True)
    prereview_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    vote_on = models.DateField(_("支部表决日期"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("反对"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("弃权"), null=True, blank=True)
    proposed_outcome = models.CharField(
        _("支部建议处置"), max_length=12, choices=Outcome.choices, blank=True
    )
    vote_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    committee_on = models.DateField(_("党委审批日期"), null=True, blank=True)
    committee_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    outcome = models.CharField(_("处置结果"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("处置日期"), null=True, blank=True)
    outcome_note = models.TextField(_("处置说明"), blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("不合格党员处置")
        verbose_name_plural = _("不合格党员处置")

    def __str__(self) -> str:
        return f"case {self.proposal_id}"

    @property
    def next_step(self) -> str:
        """The first step not yet recorded ("" once the outcome is recorded)."""
        if self.talk_on is None:
            return "talk"
        if self.prereview_on is None:
            return "prereview"
        if self.vote_on is None:
            return "vote"
        if self.committee_on is None:
            return "committee"
        if not self.outcome:
            return "outcome"
        return ""

    @property
    def ready_for_committee(self) -> bool:
        return self.next_step in ("committee", "outcome", "")
