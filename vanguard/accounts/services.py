"""Writes for accounts: personal API tokens, role grants and new logins. Keyword-only
arguments, one transaction each; the audit trail records them through the model
signals (never the key).

Who may do what is decided by the caller, through `accounts.access` (the token page
fetches the token with `get_token_for_user`; the back office checks a grant with
`check_role_grant` and a new login with `check_new_login`). These functions keep only
the rules of the records themselves."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import access
from vanguard.accounts.access import MemberRecord, Person, Placed
from vanguard.accounts.models import ApiToken, RoleAssignment, User, hash_token

# Enough for a person's phone, laptop and a few scripts; more is a sign of keys left lying about.
MAX_ACTIVE_TOKENS = 20
TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


@transaction.atomic
def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
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
def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of `user`'s own tokens; from now on it is refused. Revoking twice is harmless.

    A key is its owner's alone, whoever calls (the page, a script, a test): the token is
    read again through the access layer, and someone else's is a 403."""
    access.get_for_user(ApiToken.objects.all(), user, token.pk, need=access.can_revoke_token)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# --- Role grants and logins (the back office) ---------------------------------------


@transaction.atomic
def role_grant_save(*, assignment: RoleAssignment) -> RoleAssignment:
    """Save a new or changed role grant. The caller has checked it lies inside the
    granter's scope, as it was and as it will be (`access.check_role_grant`)."""
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def user_attach(
    *,
    actor: Person,
    user: User,
    member: MemberRecord | None = None,
    role: str | None = None,
    unit: Placed | None = None,
) -> None:
    """Tie a new login to what it is for: a member record without a login, and/or a first
    role over a unit. The caller has checked both lie inside the actor's scope
    (`access.check_new_login`)."""
    if member is not None:
        member.user = user
        member.save(update_fields=["user", "updated_at"])
    if role and unit is not None:
        role_grant_save(assignment=RoleAssignment(user=user, role=role, unit=unit))  # type: ignore[misc]
    access.forget_scopes(actor)
