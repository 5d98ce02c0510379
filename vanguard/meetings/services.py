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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
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
    reasons_required: bool = True,
) -> _Checked:
    """Every rule, before anything is written; all errors at once, each on its field."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in Meeting.Kind.values:
        fail("kind", _("请选择会议类型。"))
    if kind == Meeting.Kind.PARTY_GROUP and unit.kind != Unit.Kind.PARTY_GROUP:
        fail("unit", _("党小组会由党小组召开，请选择一个党小组。"))
    if (
        kind in selectors.BRANCH_MEETING_KINDS
        and unit.kind != Unit.Kind.BRANCH
        # A large branch holds its democratic appraisal in its party groups.
        and not (kind == Meeting.Kind.DEMOCRATIC_APPRAISAL and unit.kind == Unit.Kind.PARTY_GROUP)
    ):
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
        if not reason and reasons_required:
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


def default_title(*, unit: Unit, kind: str) -> str:
    """The title a meeting gets when none is typed: the unit's name and the kind
    (光学工程教工第一党支部民主评议会). A record's title, not a message: in the site's
    language, whoever records it."""
    label = Meeting.Kind(kind).label if kind in Meeting.Kind.values else ""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(unit)s%(kind)s") % {"unit": unit.name, "kind": label}


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
    title = (title or "").strip() or default_title(unit=unit, kind=kind)
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
            # The door roll knows who was absent, not why: a reason may follow later.
            reasons_required=not meeting.roll_attendance,
        )
        if "title" in data and not (data["title"] or "").strip():
            data = {**data, "title": default_title(unit=meeting.unit, kind=kind)}
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


# --- The meeting a secret ballot is held at ----------------------------------------

# The kinds of meeting a vote is held at: the democratic appraisal meeting (民主评议会),
# or the grade rating meeting (等级评定会) of a branch that discussed first and votes at
# the rating.
VOTE_MEETING_KINDS = (Meeting.Kind.DEMOCRATIC_APPRAISAL, Meeting.Kind.GRADE_RATING)


def meeting_for_vote(
    *,
    unit: Unit,
    campaign: Campaign,
    actor: User | None,
    taken: Iterable[int] = (),
) -> Meeting:
    """The meeting a vote of `unit` opening now is held at, so that nobody records it
    again: the unit's democratic-appraisal or grade-rating meeting of the campaign
    recorded for today, if there is one not already holding a vote (`taken`: the ids
    of meetings that do); else a new one, now, of the right kind — the grade rating
    meeting when the branch already held a democratic appraisal meeting without a
    vote, else the democratic appraisal meeting (a party group's vote is always its
    democratic appraisal). Its attendance is the vote's door roll
    (`meeting_attendance_from_roll`). The phase is the kind's when today is within its
    dates, else the phase of today: a vote is never refused for a meeting's date."""
    now = timezone.now()
    day = timezone.localdate(now)
    free = Meeting.objects.filter(
        unit=unit, campaign=campaign, kind__in=VOTE_MEETING_KINDS
    ).exclude(pk__in=list(taken))
    with transaction.atomic():
        for meeting in free.order_by("held_at", "pk"):
            if timezone.localdate(meeting.held_at) == day:
                if not meeting.roll_attendance:
                    meeting.roll_attendance = True
                    meeting.save(update_fields=["roll_attendance", "updated_at"])
                return meeting
        kind = Meeting.Kind.DEMOCRATIC_APPRAISAL
        if (
            unit.kind == Unit.Kind.BRANCH
            and free.filter(kind=Meeting.Kind.DEMOCRATIC_APPRAISAL, held_at__lt=now).exists()
        ):
            kind = Meeting.Kind.GRADE_RATING
        phase = selectors.phase_for_kind(campaign=campaign, kind=kind)
        if phase is None or not phase.starts_on <= day <= phase.ends_on:
            phase = selectors.phase_on(campaign=campaign, day=day)
        return Meeting.objects.create(
            unit=unit,
            kind=kind,
            title=default_title(unit=unit, kind=kind),
            held_at=now,
            campaign=campaign,
            phase=phase,
            roll_attendance=True,
            created_by=actor if getattr(actor, "pk", None) else None,
        )


def meeting_attendance_from_roll(
    *, meeting: Meeting, present: Mapping[int, bool], actor: User | None = None
) -> None:
    """Write a vote's door roll as the meeting's attendance: {member id: ticked
    present}. Called once, when the vote closes, so the rows carry neither the order nor
    the time of the ticks. A member on the roll is present or absent as the roll says
    (an absence reason already recorded stays); anyone recorded who is not on the roll
    (an officer of the branch attending a party group's appraisal) stays as recorded."""
    with transaction.atomic():
        existing = {row.member_id: row for row in meeting.attendance.all()}
        created: list[MeetingAttendance] = []
        changed: list[tuple[MeetingAttendance, dict]] = []
        for member_id in sorted(present):
            status = Status.PRESENT if present[member_id] else Status.ABSENT
            row = existing.get(member_id)
            if row is None:
                created.append(
                    MeetingAttendance(meeting=meeting, member_id=member_id, status=status)
                )
            elif row.status != status:
                before = snapshot(row)
                row.status = status
                if status == Status.PRESENT:
                    row.reason = ""
                changed.append((row, before))
        MeetingAttendance.objects.bulk_create(created, batch_size=1000)
        MeetingAttendance.objects.bulk_update(
            [row for row, _before in changed], ["status", "reason"], batch_size=1000
        )
        if not meeting.roll_attendance:
            Meeting.objects.filter(pk=meeting.pk).update(roll_attendance=True)
            meeting.roll_attendance = True
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


def meeting_attend_as_officer(*, meeting: Meeting, member: Member, attended: bool) -> bool:
    """Record (or take back) that an officer of the branch — its secretary, say — took
    part in one of its party groups' appraisal meetings (the seed: a secretary attended
    the appraisals of all three of the branch's party groups). The person is the one
    who says so: nothing is typed. A member of the group itself is on the roll and is
    not changed here. Returns whether the attendance is now recorded."""
    if meeting.unit.kind != Unit.Kind.PARTY_GROUP or meeting.kind not in VOTE_MEETING_KINDS:
        raise ValidationError(_("只有党小组的民主评议会可以登记支部委员列席。"))
    if member.party_group_id == meeting.unit_id:
        raise ValidationError(_("您是本党小组的党员，出勤以到会登记为准。"))
    with transaction.atomic():
        rows = MeetingAttendance.objects.filter(meeting=meeting, member=member)
        if attended:
            if not rows.exists():
                MeetingAttendance.objects.create(
                    meeting=meeting, member=member, status=Status.PRESENT
                )
            else:
                rows.update(status=Status.PRESENT, reason="")
        else:
            for row in rows:
                row.delete()
    return attended
