"""Self-analysis (党性分析材料) and personal summary (个人总结), reviewed in
"three up, three down" (三上三下).

Each member has one `SelfAnalysis` per campaign: a draft in four parts — the
self-analysis's three sections, finding problems (查找问题), tracing their roots
(剖析根源) and the direction of effort (明确努力方向), and the personal summary —
saved with a version number so that two saves from the same base never overwrite
each other silently. Every submission freezes the draft as an immutable
`SubmittedVersion`. The three `ReviewRound`s go up and down:

1. up: opinions gathered, self-summary submitted → down: committee guidance (指导意见)
2. up: democratic appraisal held, initial grade reported → down: committee opinion
3. up: grade decided → down: committee approval (审批)

In each round the branch judges the three criteria (`BranchReview`) and passes the
version up or returns it for revision; the committee's word comes back down
(`CommitteeResponse`) and closes the round.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SECTIONS = (
    ("problems", _("查找问题")),
    ("roots", _("剖析根源")),
    ("direction", _("明确努力方向")),
    ("summary", _("个人总结")),
)
CRITERIA = (
    ("problem_found", _("问题是否找准")),
    ("understanding_clear", _("认识是否清楚")),
    ("direction_clear", _("整改方向是否明确")),
)
GUIDANCE_LENGTH = 3000  # 字: the usual length, shown as guidance, never enforced


class SelfAnalysis(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("撰写中")
        SUBMITTED = "submitted", _("已提交，待支部审阅")
        RETURNED = "returned", _("退回修改")
        WITH_COMMITTEE = "with_committee", _("支部已通过，待党委意见")
        APPROVED = "approved", _("党委已审批")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="self_analyses"
    )
    member = models.ForeignKey(
        "organization.Member", on_delete=models.CASCADE, related_name="self_analyses"
    )
    problems = models.TextField(_("查找问题"), blank=True)
    roots = models.TextField(_("剖析根源"), blank=True)
    direction = models.TextField(_("明确努力方向"), blank=True)
    summary = models.TextField(_("个人总结"), blank=True)
    # Optimistic concurrency: a save names the version it started from, and is
    # refused (never silently applied) when someone saved in between.
    draft_version = models.PositiveIntegerField(default=0)
    draft_saved_at = models.DateTimeField(null=True, blank=True)
    current_round = models.PositiveSmallIntegerField(_("当前轮次"), default=1)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)

    class Meta:
        verbose_name = _("党性分析材料")
        verbose_name_plural = _("党性分析材料")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="one_self_analysis"),
        ]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.campaign}"


class SubmittedVersion(models.Model):
    """An immutable submission: what the member sent up, as it was."""

    document = models.ForeignKey(SelfAnalysis, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    round = models.PositiveSmallIntegerField(_("轮次"))
    problems = models.TextField(blank=True)
    roots = models.TextField(blank=True)
    direction = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("提交版本")
        verbose_name_plural = _("提交版本")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class ReviewRound(models.Model):
    """One of the three rounds of a member's review, with the facts it reports up."""

    class Number(models.IntegerChoices):
        FIRST = 1, _("第一轮：征求意见与自我总结")
        SECOND = 2, _("第二轮：民主评议与等级初评")
        THIRD = 3, _("第三轮：等级评定与党委审批")

    document = models.ForeignKey(SelfAnalysis, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("轮次"), choices=Number.choices)
    # Round 2 and 3 report grade facts up: the text drawn from the appraisal data
    # (votes, initial and approved grade) when the branch passes the round. Rounds
    # before that data existed hold what the branch typed by hand.
    grade_fact = models.CharField(_("评议与等级情况"), max_length=300, blank=True)
    # What the system cannot know (the vote held on paper elsewhere, a member away on
    # the day …): the branch's only typing about the round's facts.
    note = models.CharField(_("补充说明"), max_length=300, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("审阅轮次")
        verbose_name_plural = _("审阅轮次")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="review_round_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} round {self.number}"


class BranchReview(models.Model):
    """The branch's judgement of one submitted version: the three criteria, each yes/no
    with a comment, the verdict, and the written feedback to the member
    (肯定成绩、指出问题、提出整改方向)."""

    class Verdict(models.TextChoices):
        PASS = "pass", _("通过，报党委")
        RETURN = "return", _("退回修改")

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="branch_reviews")
    version = models.ForeignKey(
        SubmittedVersion, on_delete=models.CASCADE, related_name="branch_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    criteria = models.JSONField(default=dict)  # {criterion: {"ok": bool, "comment": str}}
    verdict = models.CharField(_("结论"), max_length=10, choices=Verdict.choices)
    reasons = models.TextField(_("退回理由"), blank=True)
    achievements = models.TextField(_("肯定成绩"), blank=True)
    problems = models.TextField(_("指出问题"), blank=True)
    directions = models.TextField(_("提出整改方向"), blank=True)
    at = models.DateTimeField(_("审阅时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("支部审阅")
        verbose_name_plural = _("支部审阅")
        ordering = ["round", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.verdict}"


class CommitteeResponse(models.Model):
    """The committee's word that comes back down and closes a round: guidance (指导意见)
    in round 1, opinion (党委意见) in round 2, approval (审批意见) in round 3."""

    round = models.OneToOneField(
        ReviewRound, on_delete=models.CASCADE, related_name="committee_response"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("党委意见"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党委意见")
        verbose_name_plural = _("党委意见")

    def __str__(self) -> str:
        return f"{self.round_id}"
