"""Who may see and do what in meetings: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import GROUP_ROLES, READ_ROLES, covers, paths, under
from vanguard.campaigns.access import can_keep_records
from vanguard.lib.paths import path_ids
from vanguard.organization.access import member_of

if TYPE_CHECKING:
    pass


# Meetings of the units above a member's branch that are for officers only: a member
# reads the college's all-member meeting, not its leading group's minutes (unless
# they attended).
OFFICER_MEETING_KINDS = frozenset({"secretary", "leading_group"})


def visible_meetings(user: Any) -> QuerySet[Any]:
    """Meetings of the units an officer, observer or group leader covers; for a member,
    the meetings of their branch and party group, the open meetings of the units above
    it, and any meeting they are on the attendance list of."""
    from vanguard.meetings.models import Meeting, MeetingAttendance

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


def can_view_meeting_attendance(user: Any, meeting: Any) -> bool:
    """Who was absent, and why: for officers and observers over the meeting's unit (a
    member sees the counts and their own line)."""
    return covers(paths(user, READ_ROLES | GROUP_ROLES), meeting.unit.path)


def get_meeting_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    meeting = (
        visible_meetings(user)
        .filter(pk=pk)
        .select_related("unit", "campaign", "phase", "created_by")
        .first()
    )
    if meeting is None:
        raise Http404
    if write and not can_keep_records(user, meeting.unit):
        raise PermissionDenied
    return meeting
