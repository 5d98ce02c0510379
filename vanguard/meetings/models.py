"""Meetings (会议) with attendance, minutes and decisions. The three branch meetings
of the analysis phase — mobilisation (支部动员会), democratic appraisal
(民主评议会) and grade rating (等级评定会) — count toward phase requirements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MOBILISATION = "mobilisation", _("支部动员会")
        DEMOCRATIC_APPRAISAL = "democratic_appraisal", _("民主评议会")
        GRADE_RATING = "grade_rating", _("等级评定会")
        ALL_MEMBER = "all_member", _("全体党员大会")
        SECRETARY = "secretary", _("支部书记会议")
        LEADING_GROUP = "leading_group", _("领导小组会议")
        PARTY_GROUP = "party_group", _("党小组会")
        SYMPOSIUM = "symposium", _("座谈会")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("活动"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
    )
    phase = models.ForeignKey(
        "campaigns.Phase",
        verbose_name=_("阶段"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
    )
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("组织单位"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField(_("会议类型"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    held_at = models.DateTimeField(_("时间"))
    # When it ended (optional): after `held_at`, within 24 hours (the seed's appraisal
    # meeting ran from 6 pm until after 11 pm). The record book prints "18:00—23:00".
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    host = models.CharField(_("主持人"), max_length=50, blank=True)
    recorder = models.CharField(_("记录人"), max_length=50, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    decisions = models.TextField(_("决定事项"), blank=True)
    # The meeting a secret ballot was held at (民主评议会, or 等级评定会): its attendance
    # is the vote's door roll, written once when the vote closes (ballots.services), so
    # nobody records it a second time.
    roll_attendance = models.BooleanField(_("出勤取自投票到会登记"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The one-time token of the form that recorded it: the same form posted twice
    # (a double click, a resent request) finds this meeting instead of making another.
    submission_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "unit", "kind"])]

    def __str__(self) -> str:
        return self.title


class MeetingAttendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "organization.Member", on_delete=models.CASCADE, related_name="meeting_attendance"
    )
    status = models.CharField(_("出勤"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("缺席原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("会议出勤")
        verbose_name_plural = _("会议出勤")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="one_meeting_attendance_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.member_id}: {self.status}"
