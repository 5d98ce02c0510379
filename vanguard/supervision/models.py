"""Supervision (督查): the groups the committee forms to check the branches' work,
their inspection rounds and per-branch checks, the reproducible sample of members'
reading notes and its assessment, note types and exemplary formats, the make-up
work (补课) ordered from findings, face-to-face guidance, the watch list of key
branches and key persons with its talk records, and the supervision group's
sign-off on a branch's move to the next phase (转段).

"督查与指导相结合，重在落实": every finding can lead to an order, every order is
tracked to done and re-checked by the supervisor who gave it.

Who sees what is in `access.py`; the watch list and its talks are the committee's
and the supervisors' alone, never the member's or their branch's.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SupervisionGroup(models.Model):
    """A supervision group (督查小组): its members are the supervisors of its branches.
    The Role.SUPERVISOR grants over those branches are made from the group
    (`GroupGrant`), so that every app's access reads one truth."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="supervision_groups"
    )
    phase = models.ForeignKey(
        "campaigns.Phase",
        verbose_name=_("阶段"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("督查组名称"), max_length=60)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组长"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), related_name="supervision_groups"
    )
    branches = models.ManyToManyField(
        "organization.Unit", verbose_name=_("负责的支部"), related_name="supervision_groups"
    )
    remit = models.TextField(_("工作要求"), blank=True)
    formed_on = models.DateField(_("成立日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督查组")
        verbose_name_plural = _("督查组")
        ordering = ["campaign", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="supervision_group_name"),
        ]

    def __str__(self) -> str:
        return self.name


class GroupGrant(models.Model):
    """A Role.SUPERVISOR grant made because of a group: taken away again when the member
    or the branch leaves the group and no other group needs it. Grants made by hand
    are never listed here, so never taken away by a group."""

    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="grants")
    assignment = models.ForeignKey(
        "accounts.RoleAssignment", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "assignment"], name="group_grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.assignment_id}"


class CheckItem(models.TextChoices):
    """What an inspection looks at, as the seed lists it; a round chooses its items."""

    STUDY_PLAN = "study_plan", _("学习计划")
    STUDY_RECORDS = "study_records", _("学习记录")
    STUDY_MATERIALS = "study_materials", _("学习材料")
    NOTES = "notes", _("读书笔记")
    OPINIONS = "opinions", _("征求意见")
    SUMMARY_DRAFTS = "summary_drafts", _("个人总结初稿")
    APPRAISAL_MEETING = "appraisal_meeting", _("民主评议会")
    GRADING = "grading", _("等级评定")


class Finding(models.TextChoices):
    GOOD = "good", _("较好")
    NEEDS_WORK = "needs_work", _("需改进")
    MISSING = "missing", _("缺失")


class Round(models.Model):
    """An inspection round (检查): a phase, the branches it covers, the items it checks
    and when it is due. Two passes over every branch are two rounds."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="supervision_rounds"
    )
    phase = models.ForeignKey(
        "campaigns.Phase", verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("检查名称"), max_length=120)
    items = models.JSONField(_("检查项目"), default=list)  # CheckItem values, in order
    branches = models.ManyToManyField(
        "organization.Unit", verbose_name=_("检查范围"), related_name="+"
    )
    starts_on = models.DateField(_("开始日期"))
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督查轮次")
        verbose_name_plural = _("督查轮次")
        ordering = ["campaign", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")), name="round_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Check(models.Model):
    """One branch in one round: each item's finding, and what the supervisor saw."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待检查")
        DONE = "done", _("已检查")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="checks")
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        SupervisionGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="checks"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    summary = models.TextField(_("检查情况"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_on = models.DateField(_("检查日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency on edits

    class Meta:
        verbose_name = _("支部检查")
        verbose_name_plural = _("支部检查")
        ordering = ["round", "branch__path", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "branch"], name="check_round_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.branch_id}"


class CheckFinding(models.Model):
    check_record = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField(_("检查项目"), max_length=30, choices=CheckItem.choices)
    finding = models.CharField(_("检查结论"), max_length=20, choices=Finding.choices)
    note = models.TextField(_("具体情况"), blank=True)

    class Meta:
        verbose_name = _("检查结论")
        verbose_name_plural = _("检查结论")
        constraints = [
            models.UniqueConstraint(fields=["check_record", "item"], name="finding_check_item"),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.get_finding_display()}"


class Sample(models.Model):
    """A stratified random sample of the members who have written reading notes: a
    share of each branch (at least `minimum_per_branch`), drawn with a recorded seed
    and method so that anyone can draw it again and get the same members. Frozen when
    drawn: the sampled members are stored, never drawn again."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="note_samples"
    )
    round = models.ForeignKey(
        Round, on_delete=models.SET_NULL, null=True, blank=True, related_name="samples"
    )
    title = models.CharField(_("抽查名称"), max_length=120)
    share = models.DecimalField(
        _("抽查比例"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    minimum_per_branch = models.PositiveSmallIntegerField(_("每支部至少"), default=1)
    seed = models.BigIntegerField(_("随机种子"))
    method = models.CharField(_("抽样方法"), max_length=40)  # a key of sampling.METHODS
    branches = models.ManyToManyField("organization.Unit", verbose_name=_("范围"), related_name="+")
    # The population it was drawn from: [[branch id, [member ids ascending]], …] in the
    # order of the branches' paths, as the method reads it; with the seed, anyone can
    # draw the sample again (notes/sampling.py) and compare.
    strata = models.JSONField(_("抽样总体"), default=list)
    population = models.PositiveIntegerField(_("有读书笔记的党员数"), default=0)
    size = models.PositiveIntegerField(_("抽中人数"), default=0)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("笔记抽查")
        verbose_name_plural = _("笔记抽查")
        ordering = ["campaign", "-drawn_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SampledMember(models.Model):
    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="drawn")
    member = models.ForeignKey("organization.Member", on_delete=models.CASCADE, related_name="+")
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()  # the order of the draw within its branch

    class Meta:
        ordering = ["sample", "branch__path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "member"], name="sampled_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sample_id}: {self.member_id}"


class NoteType(models.Model):
    """A type of reading note found when they are read (摘录型, 心得型, 联系实际型 …)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="note_types"
    )
    name = models.CharField(_("类型名称"), max_length=40)
    description = models.TextField(_("特点"), blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("笔记类型")
        verbose_name_plural = _("笔记类型")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="note_type_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(models.TextChoices):
    GOOD = "good", _("好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("差")


class NoteAssessment(models.Model):
    """A reader's assessment of one member's reading notes, by content and never by
    length: the books (书目), the content (内容), the link to practice (联系实际) and the
    attitude (态度), a quality grade and a type. The general branch reads all its
    members' notes first (level general_branch); the college reads its sample."""

    class Level(models.TextChoices):
        GENERAL_BRANCH = "general_branch", _("党总支")
        COLLEGE = "college", _("学院督查组")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优")
        GOOD = "good", _("良")
        PASS = "pass", _("合格")
        INSUFFICIENT = "insufficient", _("需补课")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="note_assessments"
    )
    member = models.ForeignKey("organization.Member", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    sampled = models.ForeignKey(
        SampledMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
    )
    books = models.CharField(_("书目"), max_length=10, choices=Criterion.choices)
    content = models.CharField(_("内容"), max_length=10, choices=Criterion.choices)
    practice = models.CharField(_("联系实际"), max_length=10, choices=Criterion.choices)
    attitude = models.CharField(_("态度"), max_length=10, choices=Criterion.choices)
    grade = models.CharField(_("质量等级"), max_length=20, choices=Grade.choices)
    note_type = models.ForeignKey(
        NoteType,
        verbose_name=_("笔记类型"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
    )
    comment = models.TextField(_("评语"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assessed_at = models.DateTimeField(_("评阅时间"), auto_now=True)

    class Meta:
        verbose_name = _("笔记评阅")
        verbose_name_plural = _("笔记评阅")
        ordering = ["campaign", "member", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "member", "level"], name="note_assessment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.get_level_display()}: {self.get_grade_display()}"


class Exemplar(models.Model):
    """A reading note published to the branches as a form worth learning from (范例),
    with its author's consent recorded, or anonymised."""

    class Consent(models.TextChoices):
        CONSENTED = "consented", _("本人同意署名")
        ANONYMISED = "anonymised", _("匿名展示")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="exemplars"
    )
    work = models.ForeignKey("study.StudyWork", on_delete=models.CASCADE, related_name="+")
    note_type = models.ForeignKey(
        NoteType, on_delete=models.SET_NULL, null=True, blank=True, related_name="exemplars"
    )
    consent = models.CharField(_("署名方式"), max_length=20, choices=Consent.choices)
    comment = models.TextField(_("推荐理由"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("笔记范例")
        verbose_name_plural = _("笔记范例")
        ordering = ["campaign", "-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.work_id}"


class RemediationOrder(models.Model):
    """Make-up work (补课) ordered from a finding, for a branch or one member: the reason,
    the deadline, the person responsible; reported done by them and re-checked
    (verified, or sent back) by whoever ordered it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        REPORTED = "reported", _("已报完成")
        VERIFIED = "verified", _("复查通过")
        REOPENED = "reopened", _("复查未通过")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="remediation_orders"
    )
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        "organization.Member",
        verbose_name=_("党员"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    check_record = models.ForeignKey(
        Check, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    assessment = models.ForeignKey(
        NoteAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    reason = models.TextField(_("补课原因"))
    deadline = models.DateField(_("完成期限"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ordered_at = models.DateTimeField(_("下达时间"), auto_now_add=True)
    report = models.TextField(_("完成情况"), blank=True)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verify_note = models.TextField(_("复查意见"), blank=True)
    verified_at = models.DateTimeField(_("复查时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("补课通知")
        verbose_name_plural = _("补课通知")
        ordering = ["campaign", "deadline", "pk"]
        indexes = [models.Index(fields=["campaign", "branch", "status"])]

    def __str__(self) -> str:
        return f"{self.branch_id} · {self.deadline}"


class GuidanceSession(models.Model):
    """Face-to-face guidance (面对面指导) given to a branch committee: who gave it, when,
    the instructions passed on and what was agreed."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="guidance_sessions"
    )
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("指导日期"))
    given_by = models.CharField(_("指导人"), max_length=100)
    attendees = models.CharField(_("参加人员"), max_length=200, blank=True)
    report = models.TextField(_("支部汇报"), blank=True)
    instructions = models.TextField(_("传达的要求"), blank=True)
    agreed = models.TextField(_("商定的措施"))
    lagging = models.BooleanField(_("进度滞后的支部"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("面对面指导")
        verbose_name_plural = _("面对面指导")
        ordering = ["campaign", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.branch_id} · {self.held_on}"


class WatchEntry(models.Model):
    """A key branch or key person (重点支部、重点人). Seen by the committee and the
    branch's supervisors only: never by the member, nor by anyone of their branch."""

    class Kind(models.TextChoices):
        BRANCH = "branch", _("重点支部")
        PERSON = "person", _("重点人")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="watch_entries"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        "organization.Member", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("列入原因"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    closed_note = models.TextField(_("解除说明"), blank=True)

    class Meta:
        verbose_name = _("重点关注")
        verbose_name_plural = _("重点关注")
        ordering = ["campaign", "branch__path", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="branch", member__isnull=True)
                    | models.Q(kind="person", member__isnull=False)
                ),
                name="watch_entry_member_for_person",
            ),
        ]

    def __str__(self) -> str:  # nothing about the person or the reason
        return f"{self.get_kind_display()} #{self.pk}"


class Talk(models.Model):
    """A talk (谈话) with a key person or a key branch's committee: who talked, when, the
    gist and the follow-up."""

    entry = models.ForeignKey(WatchEntry, on_delete=models.CASCADE, related_name="talks")
    held_on = models.DateField(_("谈话日期"))
    talked_by = models.CharField(_("谈话人"), max_length=100)
    gist = models.TextField(_("谈话要点"))
    follow_up = models.TextField(_("后续跟进"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("谈话记录")
        verbose_name_plural = _("谈话记录")
        ordering = ["entry", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.held_on}"


class PhaseSignoff(models.Model):
    """The supervision group's sign-off (签字同意) on a branch leaving a phase; a phase
    asks for it through the requirement kind `branch_supervision_signed_off`."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="supervision_signoffs"
    )
    branch = models.ForeignKey("organization.Unit", on_delete=models.CASCADE, related_name="+")
    phase = models.ForeignKey("campaigns.Phase", on_delete=models.CASCADE, related_name="+")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("督查签字")
        verbose_name_plural = _("督查签字")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch", "phase"], name="signoff_once_per_phase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch_id} · {self.phase_id}"
