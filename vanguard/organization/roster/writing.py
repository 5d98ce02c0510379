"""Writing checked roster rows: the second pass of an import, in one transaction, with
bulk writes, the transfer history and the audit trail (bulk writes fire no signals)."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record_many, snapshot
from vanguard.organization.models import Member, MemberTransfer
from vanguard.organization.roster.reading import (
    FULL,
    ErrorList,
    Row,
    existing_members,
    refuse_unmanaged,
)
from vanguard.organization.services import MEMBER_EDITABLE_FIELDS, transfer_for

# What a roster row can change: the details a person can edit, and the branch (a move).
MEMBER_FIELDS = (*MEMBER_EDITABLE_FIELDS, "branch")


def _member_values(member: Member) -> tuple[Any, ...]:
    return (
        member.name,
        member.category,
        member.standing,
        member.joined_on,
        member.phone,
        member.email,
        member.is_active,
        member.branch_id,
        member.party_group_id,
    )


def _keep_what_the_file_leaves_out(row: Row, member: Member) -> None:
    """A column the file does not have (an optional one left out) changes nothing: the
    member keeps its value. A member moved to another branch leaves its party group."""
    if row.present is FULL:
        return
    present = row.present
    if "joined_on" not in present:
        row.joined_on = member.joined_on
    if "phone" not in present:
        row.phone = member.phone
    if "email" not in present:
        row.email = member.email
    if "is_active" not in present:
        row.is_active = member.is_active
    if "party_group" not in present and member.branch_id == row.branch.pk:
        row.party_group = member.party_group


def write_rows(*, rows: list[Row], actor: User, note: str) -> dict[str, int]:
    """The second pass: one transaction, bulk writes, the audit trail, transfer history."""
    reason = _("名册导入")
    counts = {"created": 0, "updated": 0, "moved": 0, "unchanged": 0}
    with transaction.atomic():
        # Looked up again inside the transaction: what was checked is what is written.
        existing = existing_members(
            [row.number for row in rows],
            with_groups=any(row.present is not FULL for row in rows[:1]),
        )
        errors = ErrorList()
        refuse_unmanaged(
            [(row.row, row.number) for row in rows],
            {number: member.branch_id for number, member in existing.items()},
            actor,
            errors,
        )
        if errors:
            raise errors.fail()
        now = timezone.now()
        created: list[Member] = []
        changed: list[tuple[Member, dict[str, Any]]] = []
        transfers: list[MemberTransfer] = []
        for row in rows:
            member = existing.get(row.number)
            if member is None:
                created.append(
                    Member(
                        name=row.name,
                        number=row.number,
                        category=row.category,
                        standing=row.standing,
                        joined_on=row.joined_on,
                        phone=row.phone,
                        email=row.email,
                        is_active=row.is_active,
                        branch=row.branch,
                        party_group=row.party_group,
                    )
                )
                continue
            _keep_what_the_file_leaves_out(row, member)
            if _member_values(member) == row.values():
                counts["unchanged"] += 1
                continue
            before = snapshot(member)
            if member.branch_id != row.branch.pk:
                transfers.append(
                    transfer_for(member=member, to_branch=row.branch, reason=reason, actor=actor)
                )
                counts["moved"] += 1
            else:
                counts["updated"] += 1
            member.name, member.category, member.standing = row.name, row.category, row.standing
            member.joined_on, member.phone, member.email = row.joined_on, row.phone, row.email
            member.is_active, member.branch, member.party_group = (
                row.is_active,
                row.branch,
                row.party_group,
            )
            member.updated_at = now  # bulk_update does not touch auto_now fields
            changed.append((member, before))
        counts["created"] = len(created)
        Member.objects.bulk_create(created, batch_size=1000)
        _update_members([member for member, _before in changed], [*MEMBER_FIELDS, "updated_at"])
        MemberTransfer.objects.bulk_create(transfers, batch_size=1000)
        audit_record_many(
            action=AuditEntry.Action.CREATE,
            actor=actor,
            note=note,
            changes=((member, None, snapshot(member)) for member in created),
        )
        audit_record_many(
            action=AuditEntry.Action.UPDATE,
            actor=actor,
            note=note,
            changes=((member, before, snapshot(member)) for member, before in changed),
        )
        audit_record_many(
            action=AuditEntry.Action.CREATE,
            actor=actor,
            note=note,
            changes=((transfer, None, snapshot(transfer)) for transfer in transfers),
        )
    return counts


def _update_members(members: list[Member], fields: list[str]) -> None:
    """Save the given fields of many members: one parameterised UPDATE, run for each.

    Django's `bulk_update` builds a CASE expression per field per row, which costs
    about 2 s per thousand rows here; `executemany` of one plain statement is ~50×
    faster on SQLite and PostgreSQL alike. Values go through each field's own
    conversion, as `save()` would send them."""
    if not members:
        return
    meta = Member._meta
    concrete: list[Any] = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    pk_column: str = meta.pk.column  # type: ignore[union-attr, assignment]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 - names from the model
        f"WHERE {quote(pk_column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(member, field.attname), connection) for field in concrete]
        + [member.pk]
        for member in members
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start : start + 1000])
