"""Writes for meetings: recording a meeting with its attendance, and changing it.

A meeting belongs to the campaign active for its unit and to a phase: the one
chosen, or the one its kind belongs to (the three branch meetings belong to the
analysis phase), or else the phase whose dates contain the meeting date. A meeting
dated outside the phase it belongs to is refused, naming the date. An end time, if
given, is after the start and within 24 hours of it.

Attendance is one row per member on the meeting's list (`selectors.expected_attendees`):
everyone is present unless the record names them absent, with a reason.
Callers fetch the meeting or its unit with `need=can_keep_records` (or
`can_edit_meeting`) first; these functions trust them on access and check the data.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record_many, snapshot
from vanguard.campaigns.models import Campaign, Phase
from vanguard.lib.dates import check_in_range
from vanguard.meetings import selectors
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.models import Member, Unit

Status = MeetingAttendance.Status
# The fields a person writes (the rest are derived: campaign, phase, created_by).
MEETING_FIELDS = (
    "kind",
    "title",
    "held_at",
    "ends_at",
    "place",
    "host",
    "recorder",
    "agenda",
    "minutes",
    "decisions",
)
# The longest a meeting runs: the end time is after the start and within a day of it.
LONGEST_MEETING = datetime.timedelta(hours=24)
REASON_MAX_LENGTH = MeetingAttendance._meta.get_field("reason").max_length or 200


@dataclass
class _Checked:
    campaign: Campaign | None
    phase: Phase | None
    attendees: list[Member]
    absences: dict[int, str]


def _day(held_at: datetime.datetime) -> datetime.date:
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    return timezone.localdate(held_at)


def _check(
    *,
    unit: Unit,
    kind: str,
    title: str,
    held_at: datetime.datetime,
    phase: Phase | None,
    absences: Mapping[int, str],
    attendees: list[Member],
    ends_at: datetime.datetime | None = None,
) -> _Checked:
    """Every rule, before anything is written; all errors at once, each on its field."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in Meeting.Kind.values:
        fail("kind", _("请选择会议类型。"))
    if not (title or "").strip():
        fail("title", _("请填写会议名称。"))
    if kind == Meeting.Kind.PARTY_GROUP and unit.kind != Unit.Kind.PARTY_GROUP:
        fail("unit", _("党小组会由党小组召开，请选择一个党小组。"))
    if kind in selectors.BRANCH_MEETING_KINDS and unit.kind != Unit.Kind.BRANCH:
        fail(
            "unit",
            _("%(kind)s由党支部召开，请选择一个党支部。") % {"kind": Meeting.Kind(kind).label},
        )

    try:  # year 1 or 9999 would overflow on the way to the database
        check_in_range(held_at, Meeting._meta.get_field("held_at").verbose_name)
    except ValidationError as refused:
        fail("held_at", refused.messages[0])
    if ends_at is not None and "held_at" not in errors:
        _check_end(held_at, ends_at, fail)
    campaign = selectors.campaign_for_unit(unit)
    if phase is not None and (campaign is None or phase.campaign_id != campaign.pk):
        fail("phase", _("所选阶段不属于本单位正在进行的活动。"))
        phase = None
    if campaign is not None and "kind" not in errors and "held_at" not in errors:
        belongs = phase or selectors.phase_for_kind(campaign=campaign, kind=kind)
        day = _day(held_at)
        if belongs is not None:
            if not belongs.starts_on <= day <= belongs.ends_on:
                fail(
                    "held_at",
                    _(
                        "会议时间有误：%(date)s 不在“%(phase)s”阶段（%(start)s 至 %(end)s）内。"
                        "请核对会议日期，或选择会议所属的阶段。"
                    )
                    % {
                        "date": formats.date_format(day, "Y-m-d"),
                        "phase": belongs.name,
                        "start": formats.date_format(belongs.starts_on, "Y-m-d"),
                        "end": formats.date_format(belongs.ends_on, "Y-m-d"),
                    },
                )
            phase = belongs
        else:
            phase = selectors.phase_on(campaign=campaign, day=day)

    by_id = {member.pk: member for member in attendees}
    cleaned: dict[int, str] = {}
    for member_id, reason in absences.items():
        member = by_id.get(member_id)
        if member is None:
            fail("attendance", _("应到名单中没有编号为 %(id)s 的党员。") % {"id": member_id})
            continue
        reason = (reason or "").strip()
        if not reason:
            fail("attendance", _("%(name)s：请填写缺席原因。") % {"name": member.name})
        elif len(reason) > REASON_MAX_LENGTH:
            fail(
                "attendance",
                _("%(name)s：缺席原因过长（最多 %(max)d 字）。")
                % {"name": member.name, "max": REASON_MAX_LENGTH},
            )
        cleaned[member_id] = reason
    if errors:
        raise ValidationError(errors)
    return _Checked(campaign=campaign, phase=phase, attendees=attendees, absences=cleaned)


def _aware(value: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _check_end(held_at: datetime.datetime, ends_at: datetime.datetime, fail: Any) -> None:
    """The end time: after the start, and within LONGEST_MEETING of it."""
    try:
        check_in_range(ends_at, Meeting._meta.get_field("ends_at").verbose_name)
    except ValidationError as refused:
        fail("ends_at", refused.messages[0])
        return
    start, end = _aware(held_at), _aware(ends_at)
    if end <= start:
        fail(
            "ends_at",
            _("结束时间须晚于开始时间（%(start)s）。")
            % {"start": formats.date_format(timezone.localtime(start), "Y-m-d H:i")},
        )
    elif end - start > LONGEST_MEETING:
        fail("ends_at", _("结束时间有误：会议从开始到结束不能超过 24 小时。"))


def meeting_create(
    *,
    unit: Unit,
    kind: str,
    title: str,
    held_at: datetime.datetime,
    actor: User,
    place: str = "",
    host: str = "",
    recorder: str = "",
    minutes: str = "",
    decisions: str = "",
    phase: Phase | None = None,
    absences: Mapping[int, str] | None = None,
    submission_token: str = "",
    ends_at: datetime.datetime | None = None,
    agenda: str = "",
) -> Meeting:
    """Record a meeting held by `unit`. `absences` maps a member's id to the reason they
    were absent; everyone else on the attendance list was present. A form's
    `submission_token` makes the create happen once: posted again (or twice at once),
    it returns the meeting the first post recorded."""
    token = submission_token or None
    if token is not None:
        first = Meeting.objects.filter(submission_token=token).first()
        if first is not None:
            return first
    try:
        return _meeting_create(
            unit=unit,
            kind=kind,
            title=title,
            held_at=held_at,
            ends_at=ends_at,
            actor=actor,
            place=place,
            host=host,
            recorder=recorder,
            agenda=agenda,
            minutes=minutes,
            decisions=decisions,
            phase=phase,
            absences=absences,
            token=token,
        )
    except IntegrityError:
        # The same form posted at the same moment: the other post's meeting stands.
        first = Meeting.objects.filter(submission_token=token).first() if token else None
        if first is None:
            raise
        return first


def _meeting_create(
    *,
    unit: Unit,
    kind: str,
    title: str,
    held_at: datetime.datetime,
    ends_at: datetime.datetime | None,
    actor: User,
    place: str,
    host: str,
    recorder: str,
    agenda: str,
    minutes: str,
    decisions: str,
    phase: Phase | None,
    absences: Mapping[int, str] | None,
    token: str | None,
) -> Meeting:
    with transaction.atomic():
        attendees = list(selectors.expected_attendees(unit=unit, kind=kind))
        checked = _check(
            unit=unit,
            kind=kind,
            title=title,
            held_at=held_at,
            ends_at=ends_at,
            phase=phase,
            absences=absences or {},
            attendees=attendees,
        )
        meeting = Meeting(
            unit=unit,
            kind=kind,
            title=title.strip(),
            held_at=held_at,
            ends_at=ends_at,
            place=place.strip(),
            host=host.strip(),
            recorder=recorder.strip(),
            agenda=agenda,
            minutes=minutes,
            decisions=decisions,
            campaign=checked.campaign,
            phase=checked.phase,
            created_by=actor if getattr(actor, "pk", None) else None,
            submission_token=token,
        )
        meeting.full_clean(exclude=["campaign", "phase", "created_by", "unit", "submission_token"])
        meeting.save()
        rows = [
            MeetingAttendance(
                meeting=meeting,
                member=member,
                status=Status.ABSENT if member.pk in checked.absences else Status.PRESENT,
                reason=checked.absences.get(member.pk, ""),
            )
            for member in attendees
        ]
        MeetingAttendance.objects.bulk_create(rows, batch_size=1000)
        audit_record_many(
            action=AuditEntry.Action.CREATE,
            actor=actor,
            changes=((row, None, snapshot(row)) for row in rows),
        )
    return meeting


def meeting_update(
    *,
    meeting: Meeting,
    actor: User,
    data: Mapping[str, Any],
    phase: Phase | None = None,
    absences: Mapping[int, str] | None = None,
) -> Meeting:
    """Change a meeting's details and attendance. `data` holds MEETING_FIELDS; the unit
    stays. The attendance list is the one recorded, plus anyone now expected who was
    not on it (say, a member who joined the branch); `absences` replaces who was absent."""
    with transaction.atomic():
        existing = {row.member_id: row for row in meeting.attendance.select_related("member").all()}
        kind = data.get("kind", meeting.kind)
        attendees = [row.member for row in existing.values()]
        attendees += [
            m
            for m in selectors.expected_attendees(unit=meeting.unit, kind=kind)
            if m.pk not in existing
        ]
        checked = _check(
            unit=meeting.unit,
            kind=kind,
            title=data.get("title", meeting.title),
            held_at=data.get("held_at", meeting.held_at),
            ends_at=data.get("ends_at", meeting.ends_at),
            phase=phase,
            absences=absences or {},
            attendees=attendees,
        )
        for name in MEETING_FIELDS:
            if name in data:
                value = data[name]
                setattr(meeting, name, value.strip() if name in ("title", "place") else value)
        meeting.campaign = checked.campaign
        meeting.phase = checked.phase
        meeting.full_clean(exclude=["campaign", "phase", "created_by", "unit", "submission_token"])
        meeting.save()

        created: list[MeetingAttendance] = []
        changed: list[tuple[MeetingAttendance, dict]] = []
        for member in attendees:
            status = Status.ABSENT if member.pk in checked.absences else Status.PRESENT
            reason = checked.absences.get(member.pk, "")
            row = existing.get(member.pk)
            if row is None:
                created.append(
                    MeetingAttendance(meeting=meeting, member=member, status=status, reason=reason)
                )
            elif (row.status, row.reason) != (status, reason):
                before = snapshot(row)
                row.status, row.reason = status, reason
                changed.append((row, before))
        MeetingAttendance.objects.bulk_create(created, batch_size=1000)
        MeetingAttendance.objects.bulk_update(
            [row for row, _before in changed], ["status", "reason"], batch_size=1000
        )
        audit_record_many(
            action=AuditEntry.Action.CREATE,
            actor=actor,
            changes=((row, None, snapshot(row)) for row in created),
        )
        audit_record_many(
            action=AuditEntry.Action.UPDATE,
            actor=actor,
            changes=((row, before, snapshot(row)) for row, before in changed),
        )
    return meeting
