"""The study phase (学习动员): branch study-and-discussion plans (学习讨论计划),
study sessions and lectures (专题报告) with attendance, and members' written
work — reading notes (读书笔记), reflections (学习心得) and essays (论文)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.models import Role
from vanguard.lib.uploads import clean_name


class StudyPlan(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="study_plans"
    )
    branch = models.ForeignKey(
        "organization.Unit", on_delete=models.CASCADE, related_name="study_plans"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)  # sanitised HTML
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("学习讨论计划")
        verbose_name_plural = _("学习讨论计划")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "branch"], name="one_plan_per_branch"),
        ]

    def __str__(self) -> str:
        return self.title


class StudySession(models.Model):
    """A study session of a branch, or a lecture (专题报告) for a wider unit."""

    class Kind(models.TextChoices):
        SESSION = "session", _("学习讨论")
        LECTURE = "lecture", _("专题报告")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="study_sessions"
    )
    plan = models.ForeignKey(
        StudyPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("组织单位"),
        on_delete=models.CASCADE,
        related_name="study_sessions",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.SESSION)
    topic = models.CharField(_("主题"), max_length=200)
    materials = models.TextField(_("学习材料"), blank=True)
    speaker = models.CharField(_("主讲人"), max_length=100, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学习活动")
        verbose_name_plural = _("学习活动")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.topic


class Attendance(models.Model):
    """Who came to a study session; one row per member per session."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")

    class Method(models.TextChoices):
        QR = "qr", _("扫码签到")
        MANUAL = "manual", _("手工登记")

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "organization.Member", on_delete=models.CASCADE, related_name="study_attendance"
    )
    status = models.CharField(_("出勤"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("缺席原因"), max_length=200, blank=True)
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("学习出勤")
        verbose_name_plural = _("学习出勤")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="one_attendance_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.member_id}: {self.status}"


def work_upload_path(instance: StudyWork, filename: str) -> str:
    # The stored name never carries the uploader's file name (it may hold anything).
    return f"study/{instance.campaign_id}/{instance.member_id}/{instance.upload_token}"


class StudyWork(models.Model):
    """A member's written study work: a reading note, a reflection or an essay."""

    class Kind(models.TextChoices):
        READING_NOTE = "reading_note", _("读书笔记")
        REFLECTION = "reflection", _("学习心得")
        ESSAY = "essay", _("论文")

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="study_works"
    )
    member = models.ForeignKey(
        "organization.Member", on_delete=models.CASCADE, related_name="study_works"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    material = models.CharField(_("所学书目或材料"), max_length=200)
    body = models.TextField(_("正文"), blank=True)  # sanitised HTML
    attachment = models.FileField(_("附件"), upload_to=work_upload_path, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=20, blank=True)  # sniffed from content
    upload_token = models.CharField(max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)  # optimistic concurrency on edits
    # Entered on the member's behalf (代录) by an officer who keeps the branch's records
    # (an elderly member without a phone hands in a handwritten note): who typed it, and
    # the role they acted in, kept even if their login is removed. It counts for the
    # member's requirement like any other work; the member sees it as their own.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by_role = models.CharField(
        _("代录人身份"), max_length=30, choices=Role.choices, blank=True
    )

    class Meta:
        verbose_name = _("学习成果")
        verbose_name_plural = _("学习成果")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "member", "kind"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        """A member edits their own work until a reviewer has looked at it."""
        return self.reviewed_at is not None

    @property
    def is_entered_on_behalf(self) -> bool:
        return bool(self.entered_by_role)

    @property
    def entered_on_behalf_text(self) -> str:
        """ "由支部书记李书记代录" (the name left out once the login is gone)."""
        if not self.is_entered_on_behalf:
            return ""
        role = self.get_entered_by_role_display()
        if self.entered_by is None:
            return gettext("由%(role)s代录") % {"role": role}
        return gettext("由%(role)s%(name)s代录") % {"role": role, "name": self.entered_by}

    @property
    def attachment_shown_name(self) -> str:
        """The file's name as shown: names stored before uploads were cleaned may hide
        their real extension behind a right-to-left mark."""
        return clean_name(self.attachment_name)
