"""Writes to the organisation. Every function takes keyword-only arguments and runs
in one transaction; the audit trail is written by the signal handlers (single
saves) or explicitly (bulk writes)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.organization.models import Member, MemberTransfer, Unit

MEMBER_EDITABLE_FIELDS = (
    "name",
    "category",
    "standing",
    "joined_on",
    "phone",
    "email",
    "is_active",
    "party_group",
)


def _check_group_in_branch(*, party_group: Unit | None, branch: Unit) -> None:
    if party_group is not None and party_group.parent_id != branch.pk:
        raise ValidationError(
            {
                "party_group": _("党小组“%(group)s”不属于“%(branch)s”。")
                % {"group": party_group.name, "branch": branch.name}
            }
        )


@transaction.atomic
def member_update(*, member: Member, data: dict[str, Any]) -> Member:
    """Change a member's details (not their branch: see `member_move`)."""
    for field, value in data.items():
        if field not in MEMBER_EDITABLE_FIELDS:
            raise ValueError(f"member_update cannot change {field!r}")
        setattr(member, field, value)
    _check_group_in_branch(party_group=member.party_group, branch=member.branch)
    member.full_clean()
    member.save()
    return member


def transfer_for(
    *, member: Member, to_branch: Unit, reason: str, actor: User | None
) -> MemberTransfer:
    """The history row for a move; not saved, so bulk imports can save many at once."""
    return MemberTransfer(
        member=member,
        from_branch_id=member.branch_id,
        to_branch=to_branch,
        reason=reason,
        moved_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@transaction.atomic
def member_move(
    *,
    member: Member,
    to_branch: Unit,
    reason: str = "",
    actor: User | None = None,
    party_group: Unit | None = None,
) -> Member:
    """Move a member to another branch (组织关系转接), keeping the history."""
    if to_branch.kind != Unit.Kind.BRANCH:
        raise ValidationError({"to_branch": _("只能转入党支部。")})
    if to_branch.pk == member.branch_id:
        return member
    _check_group_in_branch(party_group=party_group, branch=to_branch)
    transfer_for(member=member, to_branch=to_branch, reason=reason, actor=actor).save()
    member.branch = to_branch
    member.party_group = party_group
    member.save()
    return member


@transaction.atomic
def unit_move(*, unit: Unit, parent: Unit | None) -> Unit:
    """Put a unit (and everything below it) under another parent. `Unit.save` refuses a
    move under the unit's own subtree or under a parent of the wrong kind, and rewrites
    the stored paths of the whole subtree in this transaction."""
    unit.parent = parent
    unit.full_clean()
    unit.save()
    return unit
