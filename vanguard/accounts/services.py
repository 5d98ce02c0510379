"""Writes for accounts: personal API tokens. Keyword-only arguments, one transaction
each; the audit trail records them through the model signals (never the key)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import access
from vanguard.accounts.models import ApiToken, RoleAssignment, hash_token

# Enough for a person's phone, laptop and a few scripts; more is a sign of keys left lying about.
MAX_ACTIVE_TOKENS = 20
TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


@transaction.atomic
def token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`. Returns it with the raw key, which is stored nowhere:
    the caller shows it once."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称。")})
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("令牌名称不能超过 %(max)d 个字符。") % {"max": TOKEN_NAME_MAX_LENGTH}}
        )
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("有效令牌已达 %(max)d 个，请先撤销不再使用的令牌。") % {"max": MAX_ACTIVE_TOKENS}
        )
    raw = ApiToken.new_raw_key()
    token = ApiToken.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8])
    return token, raw


@transaction.atomic
def token_revoke(*, user: Any, token: ApiToken) -> ApiToken:
    """Revoke one of `user`'s own tokens; from now on it is refused. Revoking twice is harmless."""
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# --- Role grants and logins (the back office) ---------------------------------------


def _check_grant(*, actor: Any, role: str, unit: Any) -> None:
    if not access.can_grant_role(actor, role, unit):
        raise PermissionDenied(_("不能在您管理的范围之外授予角色。"))


@transaction.atomic
def role_grant_save(*, actor: Any, assignment: RoleAssignment) -> RoleAssignment:
    """Save a new or changed role grant made by `actor`. Both the grant as it was and as
    it will be must lie inside the actor's scope: nobody grants a role over a unit above
    their own, nor moves someone else's grant out of (or into) their reach."""
    _check_grant(actor=actor, role=assignment.role, unit=assignment.unit)
    if assignment.pk is not None:
        before = (
            RoleAssignment.objects.select_for_update()
            .select_related("unit")
            .filter(pk=assignment.pk)
            .first()
        )
        if before is not None:
            _check_grant(actor=actor, role=before.role, unit=before.unit)
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def user_attach(
    *,
    actor: Any,
    user: Any,
    member: Any = None,
    role: str | None = None,
    unit: Any = None,
) -> None:
    """Tie a new login to what it is for: a member record without a login, and/or a first
    role over a unit. Both must lie inside the actor's scope."""
    if member is not None:
        if member.user_id is not None or not access.in_admin_scope(actor, member.branch):
            raise PermissionDenied(_("不能把账号关联到您管理范围之外的党员。"))
        member.user = user
        member.save(update_fields=["user", "updated_at"])
    if role and unit is not None:
        role_grant_save(actor=actor, assignment=RoleAssignment(user=user, role=role, unit=unit))
    access.forget_scopes(actor)
