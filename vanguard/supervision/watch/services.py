"""The watch list (重点支部、重点人) and its talk records (谈话).

Secret: nothing here tells anyone (no notification), and `WatchEntry.__str__` names
neither the person nor the reason, so the audit trail's summaries do not either. Who
may act is the caller's to check (`supervision.access.can_add_watch_entry`,
`can_keep_watch_entry`)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.lib.text import checked_text
from vanguard.organization.models import Member, Unit
from vanguard.supervision.models import Talk, WatchEntry

TEXT_MAX = 2000
NAME_MAX = 100


@transaction.atomic
def watch_add(
    *,
    campaign: Campaign,
    kind: str,
    branch: Unit,
    reason: str,
    actor: User,
    member: Member | None = None,
) -> WatchEntry:
    """Put a branch, or one of its members, on the watch list."""
    errors: dict[str, str] = {}
    if branch.kind != Unit.Kind.BRANCH or not branch.path.startswith(campaign.unit.path):
        errors["branch"] = _("所选支部不在本次活动范围内。")
    if kind == WatchEntry.Kind.PERSON:
        if member is None:
            errors["member"] = _("请选择党员。")
        elif member.branch_id != branch.pk or not member.is_active:
            errors["member"] = _("所选党员不在%(branch)s。") % {"branch": branch.name}
    elif kind == WatchEntry.Kind.BRANCH:
        member = None
    else:
        errors["kind"] = _("请选择类别：重点支部或重点人。")
    try:
        reason = checked_text(reason, "reason", _("列入原因"), required=True, limit=TEXT_MAX)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if not errors:
        open_entries = WatchEntry.objects.filter(
            campaign=campaign, kind=kind, branch=branch, member=member, closed_at__isnull=True
        )
        if open_entries.exists():
            errors["kind"] = _("已在重点关注名单中。")
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        entry = WatchEntry(
            campaign=campaign,
            kind=kind,
            branch=branch,
            member=member,
            reason=reason,
            added_by=actor,
        )
        entry.save()
    return entry


@transaction.atomic
def talk_record(
    *,
    entry: WatchEntry,
    held_on: datetime.date | None,
    talked_by: str,
    gist: str,
    actor: User,
    follow_up: str = "",
) -> Talk:
    """Record a talk with the key person (or the key branch's committee)."""
    errors: dict[str, str] = {}
    if entry.closed_at is not None:
        errors["entry"] = _("已解除的重点关注不能再添加谈话记录。")
    if held_on is None:
        errors["held_on"] = _("请填写谈话日期。")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("谈话日期不能晚于今天。")
    cleaned: dict[str, str] = {}
    for field, label, value, required, limit in (
        ("talked_by", _("谈话人"), talked_by, True, NAME_MAX),
        ("gist", _("谈话要点"), gist, True, TEXT_MAX),
        ("follow_up", _("后续跟进"), follow_up, False, TEXT_MAX),
    ):
        try:
            cleaned[field] = checked_text(value, field, label, required=required, limit=limit)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors or held_on is None:
        raise ValidationError(errors)
    with acting_as(actor):
        talk = Talk(entry=entry, held_on=held_on, recorded_by=actor, **cleaned)
        talk.save()
    return talk


@transaction.atomic
def watch_close(*, entry: WatchEntry, note: str, actor: User) -> WatchEntry:
    """Take an entry off the list, saying why; its talks are kept."""
    if entry.closed_at is not None:
        raise ValidationError({"note": _("这项重点关注已经解除。")})
    note = checked_text(note, "note", _("解除说明"), required=True, limit=TEXT_MAX)
    with acting_as(actor):
        entry.closed_at = timezone.now()
        entry.closed_note = note
        entry.save(update_fields=["closed_at", "closed_note"])
    return entry
