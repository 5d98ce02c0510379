"""Notices (通知) published to a unit and everything below it, in-app
notifications (提醒) for one person, and the secret of each person's calendar feed."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("发送范围"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=120, blank=True)  # de-duplicates repeated reminders
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it went out by e-mail, on its own or in a daily digest (None: not e-mailed).
    mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_once"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class CalendarFeed(models.Model):
    """The secret in a person's iCal URL: calendar apps cannot log in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return f"{self.user_id}"


class NoticePreference(models.Model):
    """How a person wants their notifications e-mailed; no row is `EACH`."""

    class Email(models.TextChoices):
        EACH = "each", _("每条提醒都发一封邮件")
        DIGEST = "digest", _("每天一封摘要邮件，列出当天的提醒")
        NONE = "none", _("不发邮件，只在系统内提醒")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    email = models.CharField(
        _("邮件提醒"), max_length=10, choices=Email.choices, default=Email.EACH
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("提醒方式")
        verbose_name_plural = _("提醒方式")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class DigestSent(models.Model):
    """A daily digest e-mailed to a person: at most one per person and day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_digests"
    )
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("每日摘要")
        verbose_name_plural = _("每日摘要")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notice_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class ChatRobot(models.Model):
    """A unit's group-chat robot (群机器人) on WeChat Work (企业微信) or DingTalk (钉钉):
    notices and reminders about the unit are also posted to its group by webhook.

    The webhook address and DingTalk's signing secret (加签) let anyone post to the
    group: they are never shown back whole (`masked_url`), logged, or copied into the
    audit trail."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")

    unit = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("所属组织"),
        on_delete=models.CASCADE,
        related_name="chat_robots",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    webhook_url = models.CharField(_("机器人地址（Webhook）"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    audit_hidden_fields = ("webhook_url", "secret")

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["unit__path", "pk"]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()

    @property
    def failing(self) -> bool:
        """The last attempt to post failed (no success since)."""
        if self.last_error_at is None:
            return False
        return self.last_sent_at is None or self.last_error_at > self.last_sent_at


class ChatPost(models.Model):
    """One message for one robot, sent by a background task and retried with backoff.
    The key stops the same reminder being posted twice. It holds only what a group
    chat may read: a title, a short line or two, and a link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    robot = models.ForeignKey(ChatRobot, on_delete=models.CASCADE, related_name="posts")
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=4)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("群消息")
        verbose_name_plural = _("群消息")
        constraints = [
            models.UniqueConstraint(fields=["robot", "key"], name="chat_post_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.title
