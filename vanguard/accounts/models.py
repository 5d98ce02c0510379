"""People who log in, and the roles they hold, each scoped to an organisation unit."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. A member's login is linked from `Member.user`; officers may have none."""

    display_name = models.CharField(_("显示名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    COMMITTEE_ADMIN = "committee_admin", _("党委管理员")
    SUPERVISOR = "supervisor", _("督查组成员")
    GENERAL_BRANCH_SECRETARY = "general_branch_secretary", _("党总支书记")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    BRANCH_COMMITTEE = "branch_committee", _("支委委员")
    GROUP_LEADER = "group_leader", _("党小组长")
    OBSERVER = "observer", _("督导观察员")


class RoleAssignment(models.Model):
    """One role held by one person over one unit and everything below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=40, choices=Role.choices)
    unit = models.ForeignKey(
        "organization.Unit",
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("范围"),
    )
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("角色授予")
        verbose_name_plural = _("角色授予")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its hash is stored; the raw token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw_key() -> str:
        return "vg_" + secrets.token_urlsafe(32)
