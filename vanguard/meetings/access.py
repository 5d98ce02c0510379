"""Who may see and do what in meetings: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Entry points fetch every meeting, and the unit a meeting is recorded for, here:
`get_*_for_user(user, pk, need=...)` is a 404 outside the person's sight and a 403 in
sight without the capability `need`."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from vanguard.accounts.access import (
    GROUP_ROLES,
    READ_ROLES,
    Person,
    covers,
    get_for_user,
    paths,
    under,
)
from vanguard.campaigns.access import can_keep_records, record_units
from vanguard.lib.paths import path_ids
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.access import member_of
from vanguard.organization.models import Unit

# Meetings of the units above a member's branch that are for officers only: a member
# reads the college's all-member meeting, not its leading group's minutes (unless
# they attended).
OFFICER_MEETING_KINDS = frozenset({"secretary", "leading_group"})


def visible_meetings(user: Person) -> QuerySet[Meeting]:
    """Meetings of the units an officer, observer or group leader covers; for a member,
    the meetings of their branch and party group, the open meetings of the units above
    it, and any meeting they are on the attendance list of."""
    query = under(paths(user, READ_ROLES | GROUP_ROLES), "unit__path")
    member = member_of(user)
    if member is not None:
        branch_path = member.branch.path
        above = path_ids(branch_path)[:-1]
        query |= Q(unit_id=member.branch_id)
        if member.party_group_id:
            query |= Q(unit_id=member.party_group_id)
        query |= Q(unit_id__in=above) & ~Q(kind__in=OFFICER_MEETING_KINDS)
        query |= Q(pk__in=MeetingAttendance.objects.filter(member=member).values("meeting_id"))
    return Meeting.objects.filter(query)


def can_view_meeting_attendance(user: Person, meeting: Meeting) -> bool:
    """Who was absent, and why: for officers and observers over the meeting's unit (a
    member sees the counts and their own line)."""
    return covers(paths(user, READ_ROLES | GROUP_ROLES), meeting.unit.path)


def can_edit_meeting(user: Person, meeting: Meeting) -> bool:
    """May change the record and its attendance: those who keep its unit's records."""
    return can_keep_records(user, meeting.unit)


def get_meeting_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, Meeting], bool] | None = None,
) -> Meeting:
    """A meeting this person sees. `write=True` is `need=can_edit_meeting`."""
    if write and need is None:
        need = can_edit_meeting
    return get_for_user(
        visible_meetings(user).select_related("unit", "campaign", "phase", "created_by"),
        user,
        pk,
        need=need,
    )


def recordable_units(user: Person) -> QuerySet[Unit]:
    """Units whose meetings the person may record, in tree order."""
    return record_units(user).select_related("parent").order_by("path")


def get_default_record_unit_for_user(user: Person) -> Unit:
    """The unit a new meeting's form starts with: the first branch whose records the
    person keeps, else the first such unit. A 403 for a person who keeps none."""
    units = recordable_units(user)
    unit = units.filter(kind=Unit.Kind.BRANCH).first() or units.first()
    if unit is None:
        raise PermissionDenied
    return unit


def get_record_unit_for_user(user: Person, pk: object) -> Unit:
    """One of the units whose meetings the person records (the unit chosen on the
    form): a 403 for a person who records none, a 404 for a unit not among theirs."""
    units = recordable_units(user)
    if not units.exists():
        raise PermissionDenied
    return get_for_user(units, user, pk)


def list_filter_units(user: Person) -> QuerySet[Unit]:
    """The general branches and branches an officer may narrow the meeting list to:
    those inside the units they read (a member, or an officer of one branch, gets
    at most one and is shown no filter)."""
    return Unit.objects.filter(
        under(paths(user, READ_ROLES), "path"),
        kind__in=(Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH),
        is_active=True,
    ).order_by("path")


def list_filter_unit_for_user(user: Person, raw: object) -> Unit | None:
    """The unit chosen in the meeting list's filter, if it is one of
    `list_filter_units`; anything else (a stale link, a hand-typed number) shows the
    whole list rather than an error."""
    try:
        pk = int(str(raw)) if raw else None
    except ValueError:
        return None
    return list_filter_units(user).filter(pk=pk).first() if pk is not None else None


def can_attend_as_officer(user: Person, meeting: Meeting) -> bool:
    """May record that they themselves took part in a party group's appraisal meeting
    as an officer of its branch (the seed: a branch secretary attended all three of
    the branch's party groups' appraisals): a member of the group's branch who keeps
    its records, and is not in the group (those are on its roll)."""
    if meeting.unit.kind != Unit.Kind.PARTY_GROUP or meeting.kind not in (
        "democratic_appraisal",
        "grade_rating",
    ):
        return False
    member = member_of(user)
    return (
        member is not None
        and member.branch_id == meeting.unit.parent_id
        and member.party_group_id != meeting.unit_id
        and can_keep_records(user, meeting.unit)
    )
