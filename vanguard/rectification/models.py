"""Rectification (整改提高): written plans for every member, every branch and the
committee, each made of items with the five clarities (五个明确: the problem, the
measure, the person responsible, the standard of done, the deadline), tracked to done
and verified; branch measures that are activities (a donation, golden ideas, an
initiative).

Secrecy kept by the shape of the tables:
- An item answers opinions and findings through `ItemLink` rows that point at the
  record (an Opinion, a BranchReview, a CheckFinding, a RemediationOrder) and copy
  nothing of it: what a link may show is decided in `access.py`/`links.py`, and an
  opinion is never shown with more than its text, kind and aspect (no source, no
  channel, no date), whoever reads it.
- A donation line's amount is hidden from the audit trail (`audit_hidden_fields`):
  who gave how much is for the member and the activity's treasurer only.
- An anonymous idea has no author at all (a check constraint), and is written with
  no audit actor, like the suggestion box.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """One written plan (整改计划): a member's, a branch's, or the committee's (the
    campaign's unit) in one campaign."""

    class Level(models.TextChoices):
        MEMBER = "member", _("党员个人")
        BRANCH = "branch", _("党支部")
        COMMITTEE = "committee", _("党委")

    class Status(models.TextChoices):
        DRAFT = "draft", _("撰写中")
        SUBMITTED = "submitted", _("已提交，待审阅")
        RETURNED = "returned", _("退回修改")
        APPROVED = "approved", _("已审核通过")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="rectification_plans"
    )
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    # A member's plan names the member (their branch is read through them, so a member
    # who moves takes their plan along); a branch's or the committee's names the unit.
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("党员"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rectification_plans",
    )
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("组织"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rectification_plans",
    )
    summary = models.TextField(_("整改思路"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default="draft")
    # The last return's reason, shown to the author until the next submission (the
    # whole history is in PlanDecision).
    return_reason = models.TextField(_("退回理由"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency on edits

    class Meta:
        verbose_name = _("整改计划")
        verbose_name_plural = _("整改计划")
        ordering = ["campaign", "level", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level="member", member__isnull=False, unit__isnull=True)
                    | Q(level__in=["branch", "committee"], member__isnull=True, unit__isnull=False)
                ),
                name="plan_owner_matches_level",
            ),
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(member__isnull=False),
                name="plan_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                condition=Q(unit__isnull=False),
                name="plan_once_per_unit",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="plan_approved_has_time",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "level", "status"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.member_id or self.unit_id}"


class PlanDecision(models.Model):
    """A reviewer's word on a submitted plan: approved, or returned with a reason, with
    the plan as it was decided on. What it shares with the self-analysis review loop
    (comparing versions, reminders) and what not: README.md of this app."""

    class Verdict(models.TextChoices):
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回修改")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="decisions")
    verdict = models.CharField(_("结论"), max_length=10, choices=Verdict.choices)
    reason = models.TextField(_("理由"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # The plan as the reviewer decided on it (its summary and its items' five
    # clarities and tags; see plans/versions.py), frozen as the review loop freezes a
    # submitted version: after a return, the next review shows what changed since.
    snapshot = models.JSONField(_("审阅时的计划"), default=dict, blank=True)

    class Meta:
        verbose_name = _("整改计划审核")
        verbose_name_plural = _("整改计划审核")
        ordering = ["plan", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(verdict="return") | ~Q(reason=""),
                name="plan_return_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.verdict}"


class Tag(models.TextChoices):
    """What a teacher's item is tied to (the seed: 年度考核、聘岗、教学科研、培养学生)."""

    ANNUAL_ASSESSMENT = "annual_assessment", _("年度考核")
    POST_APPOINTMENT = "post_appointment", _("聘岗")
    TEACHING = "teaching", _("教学")
    RESEARCH = "research", _("科研")
    TRAINING_STUDENTS = "training_students", _("培养学生")


class Activity(models.Model):
    """A branch measure that is an activity: a special Party-dues donation, a golden-ideas
    (金点子) collection, an initiative such as 文明离校, or another."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("特殊党费捐助")
        IDEAS = "ideas", _("金点子征集")
        INITIATIVE = "initiative", _("倡议活动")
        OTHER = "other", _("其他活动")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="rectification_activities"
    )
    branch = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("组织单位"),
        on_delete=models.CASCADE,
        related_name="rectification_activities",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    held_on = models.DateField(_("日期"), null=True, blank=True)
    participants = models.ManyToManyField(
        "organization.Member", verbose_name=_("参加党员"), blank=True, related_name="+"
    )
    participants_note = models.CharField(_("其他参加人员"), max_length=300, blank=True)
    outcomes = models.TextField(_("成效"), blank=True)
    # Who keeps the donation's lines (there is no treasurer role): named per activity by
    # the branch; while nobody is named, the branch secretary keeps them.
    treasurer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经管人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("整改活动")
        verbose_name_plural = _("整改活动")
        ordering = ["campaign", "branch", "-held_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """One item of a plan, with the five clarities (五个明确)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        IN_PROGRESS = "in_progress", _("进行中")
        DONE = "done", _("已完成")
        VERIFIED = "verified", _("已验收")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    problem = models.TextField(_("存在问题"))
    measure = models.TextField(_("整改措施"))
    responsible = models.ForeignKey(
        "organization.Member",
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectification_items",
    )
    standard = models.TextField(_("完成标准"))
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default="planned")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verify_note = models.TextField(_("验收意见"), blank=True)
    tags = models.JSONField(_("关联"), default=list, blank=True)  # [Tag value, …]
    # The measure is an activity of the branch (a donation, golden ideas, an initiative).
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("活动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # An API client's Idempotency-Key (`accounts.idempotency.token`, naming no one): the
    # same create sent again after a lost answer finds this item instead of adding one.
    submission_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["done", "verified"]) | Q(done_at__isnull=False),
                name="item_done_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="verified") | Q(verified_at__isnull=False),
                name="item_verified_has_time",
            ),
        ]
        indexes = [models.Index(fields=["plan", "status", "deadline"])]

    def __str__(self) -> str:
        return self.problem[:40]


class ItemLink(models.Model):
    """What an item answers: exactly one record, by reference, nothing copied."""

    class Target(models.TextChoices):
        OPINION = "opinion", _("意见")
        REVIEW = "review", _("审阅意见")
        CHECK_FINDING = "check_finding", _("督查检查结论")
        REMEDIATION = "remediation", _("补课通知")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links")
    target = models.CharField(_("对象"), max_length=20, choices=Target.choices)
    opinion = models.ForeignKey(
        "opinions.Opinion", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    review = models.ForeignKey(
        "reviews.BranchReview", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    check_finding = models.ForeignKey(
        "supervision.CheckFinding",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    remediation = models.ForeignKey(
        "supervision.RemediationOrder",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("整改依据")
        verbose_name_plural = _("整改依据")
        ordering = ["item", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        target="opinion",
                        opinion__isnull=False,
                        review__isnull=True,
                        check_finding__isnull=True,
                        remediation__isnull=True,
                    )
                    | Q(
                        target="review",
                        opinion__isnull=True,
                        review__isnull=False,
                        check_finding__isnull=True,
                        remediation__isnull=True,
                    )
                    | Q(
                        target="check_finding",
                        opinion__isnull=True,
                        review__isnull=True,
                        check_finding__isnull=False,
                        remediation__isnull=True,
                    )
                    | Q(
                        target="remediation",
                        opinion__isnull=True,
                        review__isnull=True,
                        check_finding__isnull=True,
                        remediation__isnull=False,
                    )
                ),
                name="item_link_one_target",
            ),
            models.UniqueConstraint(
                fields=["item", "opinion"],
                condition=Q(opinion__isnull=False),
                name="item_link_opinion_once",
            ),
            models.UniqueConstraint(
                fields=["item", "review"],
                condition=Q(review__isnull=False),
                name="item_link_review_once",
            ),
            models.UniqueConstraint(
                fields=["item", "check_finding"],
                condition=Q(check_finding__isnull=False),
                name="item_link_finding_once",
            ),
            models.UniqueConstraint(
                fields=["item", "remediation"],
                condition=Q(remediation__isnull=False),
                name="item_link_order_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.target}"


def evidence_path(instance: Update, filename: str) -> str:
    # The stored name never carries the uploader's file name (it may hold anything).
    campaign_id = instance.item.plan.campaign_id
    return f"rectification/{campaign_id}/{instance.item_id}/{instance.upload_token}"


class Update(models.Model):
    """Progress on an item: a dated note, with evidence — a file (cleaned through
    `lib.uploads`, like study's attachments), or a record Vanguard already holds."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("日期"))
    text = models.TextField(_("进展情况"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_type = models.CharField(max_length=20, blank=True)  # sniffed from content
    upload_token = models.CharField(max_length=40, blank=True, default="")
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("会议"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    study_session = models.ForeignKey(
        "study.StudySession",
        verbose_name=_("学习活动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("整改活动"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="updates",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # As `Item.submission_token`: a phone's upload resent after a lost answer is
    # recorded (and its file stored) once.
    submission_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["item", "on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    ~Q(text="")
                    | ~Q(evidence="")
                    | Q(meeting__isnull=False)
                    | Q(study_session__isnull=False)
                    | Q(activity__isnull=False)
                ),
                name="update_says_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.on}"


class Donation(models.Model):
    """One member's gift to a donation activity. The amount is private to the member and
    the activity's treasurer; the activity's total is public."""

    # Who gave how much is not for the audit trail's readers.
    audit_hidden_fields = ("amount",)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="donations")
    member = models.ForeignKey("organization.Member", on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    given_on = models.DateField(_("日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("捐助记录")
        verbose_name_plural = _("捐助记录")
        ordering = ["activity", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="donation_once_per_member"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.member_id}"


class Idea(models.Model):
    """A golden idea (金点子): its text, its author unless given anonymously (then no
    author is stored at all), the branch's decision, and the item it became."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("待研究")
        ADOPTED = "adopted", _("采纳")
        DECLINED = "declined", _("暂不采纳")

    # A random key: not even the order of insertion follows the order of submission.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ideas")
    text = models.TextField(_("建议内容"))
    anonymous = models.BooleanField(_("匿名"), default=False)
    author = models.ForeignKey(
        "organization.Member",
        verbose_name=_("提出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField(
        _("研究结果"), max_length=20, choices=Decision.choices, default="pending"
    )
    decision_note = models.TextField(_("说明"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    became = models.ForeignKey(
        Item,
        verbose_name=_("转为整改事项"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
    )
    # A date, never a time: the order of submission must not point at an anonymous author.
    received_on = models.DateField(_("收到日期"))

    class Meta:
        verbose_name = _("金点子")
        verbose_name_plural = _("金点子")
        ordering = ["activity", "received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(anonymous=True) | Q(author__isnull=True),
                name="idea_anonymous_has_no_author",
            ),
            models.CheckConstraint(
                condition=~Q(decision="pending") | Q(became__isnull=True),
                name="idea_item_only_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]
