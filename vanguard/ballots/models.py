"""The secret ballot of the democratic appraisal (民主评议). See README.md in this
folder for what is promised and how each promise is kept.

The one rule of this file: a `Ballot` row holds the grades and the session, and
nothing else — no voter, no code, no receipt, no time, no sequential id.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASICALLY_QUALIFIED = "basically_qualified", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class AppraisalSession(models.Model):
    """One vote of one branch (or party group of a large branch) at its democratic
    appraisal meeting (民主评议会)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("未开始")
        OPEN = "open", _("投票中")
        CLOSED = "closed", _("已结束")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("活动"),
        on_delete=models.PROTECT,
        related_name="appraisal_sessions",
    )
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("支部或党小组"),
        on_delete=models.PROTECT,
        related_name="appraisal_sessions",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("民主评议会"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appraisal_sessions",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Turnout must be MORE than this fraction of the voters on the roll.
    quorum = models.DecimalField(
        _("有效投票比例（须超过）"), max_digits=4, decimal_places=3, default=Decimal("0.5")
    )
    allow_login_voting = models.BooleanField(_("允许登录投票"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Session-level times: they say nothing about any ballot.
    opened_at = models.DateTimeField(_("开始投票时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束投票时间"), null=True, blank=True)
    # Random salt of the key that seals this session's ballots while it is open (with
    # the server's secret key, never stored: see sealing.py). Set when the vote opens.
    seal_salt = models.CharField(max_length=32, blank=True, default="", editable=False)
    # When the storage scrub after the close finished (ballots/README.md): until then
    # earlier copies of the ballots may still be in the database's storage.
    storage_scrubbed_at = models.DateTimeField(_("存储清理完成时间"), null=True, blank=True)
    # PostgreSQL: the closing transaction's id (every rewritten row carries it anyway),
    # so the scrub can tell which readers may still see the rows the close deleted.
    closed_xid = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("民主评议投票")
        verbose_name_plural = _("民主评议投票")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.campaign_id} #{self.pk}"


class RollEntry(models.Model):
    """A voter on the roll, frozen when the session opens."""

    session = models.ForeignKey(AppraisalSession, on_delete=models.CASCADE, related_name="roll")
    member = models.ForeignKey(
        "organization.Member", on_delete=models.PROTECT, related_name="appraisal_roll_entries"
    )
    # Formal members are graded; probationary members vote but are not graded (不定等次).
    is_candidate = models.BooleanField(_("参评"), default=True)
    present = models.BooleanField(_("到会"), default=False)
    # The "has voted" mark of logged-in voting only; card voting leaves no mark.
    login_voted = models.BooleanField(_("已登录投票"), default=False)
    # Set when the member is first ticked present (and so may have drawn a card) and
    # never cleared: unticking them later does not let them vote by logging in too.
    card_drawn = models.BooleanField(_("曾到会领卡"), default=False)

    class Meta:
        verbose_name = _("投票名册")
        verbose_name_plural = _("投票名册")
        ordering = ["session", "member__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], name="ballots_roll_unique_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.member_id}"


class VotingCard(models.Model):
    """A printed anonymous voting card. Nothing links a card to a member."""

    session = models.ForeignKey(AppraisalSession, on_delete=models.CASCADE, related_name="cards")
    # SHA-256 of the normalised single-use code; the code itself is only on the card.
    code_hash = models.CharField(max_length=64, unique=True)
    receipt = models.CharField(_("回执码"), max_length=16)
    used = models.BooleanField(_("已使用"), default=False)
    void = models.BooleanField(_("已作废"), default=False)

    class Meta:
        verbose_name = _("投票卡")
        verbose_name_plural = _("投票卡")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "receipt"], name="ballots_card_unique_receipt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.receipt}"


class Ballot(models.Model):
    """One cast ballot: {candidate member id: grade} for every candidate. Nothing else.

    The key is a random UUID; the grades are stored with their keys sorted, so not even
    the order in which the voter filled the form survives. While the vote is open a
    ballot is `sealed` (encrypted, see sealing.py) and `grades` is empty; the close
    opens every seal and writes the ballots again in plain, in an order that says
    nothing about the voting.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(AppraisalSession, on_delete=models.CASCADE, related_name="ballots")
    grades = models.JSONField(null=True, blank=True)
    sealed = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grades__isnull=True, sealed__isnull=False)
                | models.Q(grades__isnull=False, sealed__isnull=True),
                name="ballots_ballot_sealed_or_plain",
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class PaperTally(models.Model):
    """The paper ballots of a session (纸质选票), as totals: entered by the secretary after
    the close, counted only once a second committee member (a committee admin other than
    the person who entered them) has confirmed them. Aggregates only, so no secrecy
    problem: entry and confirmation are recorded in the audit trail."""

    session = models.OneToOneField(AppraisalSession, on_delete=models.CASCADE, related_name="paper")
    ballots = models.PositiveIntegerField(_("纸质选票张数"))
    # {candidate member id as text: {grade value: n}}: every candidate, all four grades.
    # A candidate's four counts add up to at most `ballots`; the rest left them blank.
    counts = models.JSONField(_("各等次票数"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纸质选票票数")
        verbose_name_plural = _("纸质选票票数")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.ballots}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by_id is not None
