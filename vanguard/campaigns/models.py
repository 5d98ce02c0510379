"""Campaigns (活动), their phases (阶段) and the requirements each phase sets.

A campaign runs inside one unit (a college's committee) and everything below
it. Its phases follow one another; each branch moves from one phase to the
next on its own (转段, `PhaseTransition`) once its requirements are met and a
supervisor or the committee approves. Requirements are data: a `kind` naming an
evaluator in `campaigns/requirements.py`, with parameters, so the committee can
edit them per campaign and the system checks them from the data itself.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The fewest ballots with which a vote's per-candidate results may ever be shown: with
# two, each voter can subtract their own ballot and read the other's (DESIGN.md).
BALLOT_SECRECY_FLOOR = 3


class Campaign(models.Model):
    class Kind(models.TextChoices):
        EDUCATION = "education", _("先进性教育活动")
        ANNUAL_APPRAISAL = "annual_appraisal", _("年度民主评议党员")

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        ACTIVE = "active", _("进行中")
        CLOSED = "closed", _("已结束")

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("组织范围"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(_("说明"), blank=True)
    # A vote's per-candidate results are shown only with at least this many ballots
    # (electronic + confirmed paper): with fewer, voters could subtract their own ballots
    # from the counts and learn another's. A campaign may ask for more, never fewer.
    ballot_secrecy_minimum = models.PositiveSmallIntegerField(
        _("公布得票所需最少选票数"),
        default=BALLOT_SECRECY_FLOOR,
        validators=[
            MinValueValidator(
                BALLOT_SECRECY_FLOOR,
                message=_(
                    "不能少于 %(limit_value)s 张：选票太少时，"
                    "投票人减去自己的选票就能推知他人的投票。"
                ),
            ),
            MaxValueValidator(1000),
        ],
        help_text=_("收回选票少于这个数时，只公布收回选票张数，不公布各人得票。不能少于 3。"),
    )
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="clones"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ballot_secrecy_minimum__gte=BALLOT_SECRECY_FLOOR),
                name="campaign_ballot_secrecy_minimum_floor",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    class Key(models.TextChoices):
        STUDY = "study", _("学习动员")
        ANALYSIS = "analysis", _("分析评议")
        RECTIFICATION = "rectification", _("整改提高")
        APPRAISAL = "appraisal", _("民主评议")

    class Status(models.TextChoices):
        PENDING = "pending", _("未开始")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    key = models.CharField(_("阶段"), max_length=20, choices=Key.choices)
    name = models.CharField(_("名称"), max_length=60)
    order = models.PositiveSmallIntegerField(_("顺序"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["campaign", "order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="phase_unique_order"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.name}"


class Requirement(models.Model):
    """One thing a phase asks of every member or every branch, checked from the data."""

    class Scope(models.TextChoices):
        MEMBER = "member", _("每名党员")
        BRANCH = "branch", _("每个支部")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("检查项"), max_length=40)  # a key of requirements.REGISTRY
    scope = models.CharField(_("对象"), max_length=10, choices=Scope.choices)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    label = models.CharField(_("要求"), max_length=120)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("阶段要求")
        verbose_name_plural = _("阶段要求")
        ordering = ["phase", "order", "pk"]

    def __str__(self) -> str:
        return self.label


class PhaseTransition(models.Model):
    """A branch moving on to the next phase (转段), with who approved it and why."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="transitions")
    branch = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="phase_transitions"
    )
    from_phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="+")
    to_phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("理由"), max_length=300)
    requirements_met = models.BooleanField(_("要求均已完成"), default=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("转段")
        verbose_name_plural = _("转段")
        ordering = ["campaign", "branch", "at", "pk"]
        indexes = [models.Index(fields=["campaign", "branch"])]

    def __str__(self) -> str:
        return f"{self.branch_id}: {self.from_phase_id} → {self.to_phase_id}"
