"""Reads for meetings: who is expected at a meeting, the phase a meeting belongs to,
and meeting lists with their attendance counts (one query, whatever the number of
meetings or members)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from vanguard.accounts.access import Person, holders
from vanguard.accounts.models import Role
from vanguard.campaigns.models import Campaign, Phase
from vanguard.meetings import access
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.models import Member, Unit

Kind = Meeting.Kind

# The three branch meetings (三次会议) of party-spirit analysis and appraisal: held by
# a branch, and counted toward that phase's requirements.
BRANCH_MEETING_KINDS = frozenset({Kind.MOBILISATION, Kind.DEMOCRATIC_APPRAISAL, Kind.GRADE_RATING})
# The phase a branch meeting belongs to when the campaign's requirements do not say.
PHASE_KEYS_OF_KIND = {
    kind: (Phase.Key.ANALYSIS, Phase.Key.APPRAISAL) for kind in BRANCH_MEETING_KINDS
}
# Who is called to a meeting of a unit above the branches, by kind.
ATTENDING_ROLES: dict[str, tuple[str, ...]] = {
    Kind.SECRETARY: (Role.BRANCH_SECRETARY,),
    Kind.LEADING_GROUP: (Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY),
}


def expected_attendees(*, unit: Unit, kind: str) -> QuerySet[Member]:
    """The members on a meeting's attendance list: a party-group meeting, the group's
    members; a branch-secretary or leading-group meeting above the branches, those who
    hold those roles in the unit; any other meeting, the active members of the unit's
    branch or branches."""
    members = Member.objects.filter(is_active=True).select_related("branch", "party_group")
    if kind == Kind.PARTY_GROUP and unit.kind == Unit.Kind.PARTY_GROUP:
        members = members.filter(party_group=unit)
    elif kind in ATTENDING_ROLES and unit.kind != Unit.Kind.BRANCH:
        called = holders(unit, ATTENDING_ROLES[kind], within=True).values("pk")
        members = members.filter(user_id__in=called)
    elif unit.kind == Unit.Kind.PARTY_GROUP:
        members = members.filter(party_group=unit)
    else:
        members = members.filter(branch__path__startswith=unit.path)
    return members.order_by("branch__path", "party_group__sort_order", "number")


def campaign_for_unit(unit: Unit) -> Campaign | None:
    from vanguard.campaigns.selectors import active_campaign_for_unit

    return active_campaign_for_unit(unit.path)


def phase_for_kind(*, campaign: Campaign, kind: str) -> Phase | None:
    """The phase a kind of meeting belongs to: the phase whose requirements ask for it
    (a `branch_meeting` requirement naming the kind), else, for the three branch
    meetings, the analysis or appraisal phase. None for the other kinds."""
    phases = list(campaign.phases.prefetch_related("requirements").order_by("order"))
    for phase in phases:
        for requirement in phase.requirements.all():
            if (
                requirement.kind == "branch_meeting"
                and (requirement.params or {}).get("kind") == kind
            ):
                return phase
    keys = PHASE_KEYS_OF_KIND.get(kind)  # type: ignore[call-overload]
    if keys:
        for phase in phases:
            if phase.key in keys:
                return phase
    return None


def phase_on(*, campaign: Campaign, day: Any) -> Phase | None:
    """The campaign's phase whose dates contain the day (the first, if they overlap)."""
    return campaign.phases.filter(starts_on__lte=day, ends_on__gte=day).order_by("order").first()


def with_counts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.annotate(
        expected_count=Count("attendance"),
        present_count=Count(
            "attendance", filter=Q(attendance__status=MeetingAttendance.Status.PRESENT)
        ),
        absent_count=Count(
            "attendance", filter=Q(attendance__status=MeetingAttendance.Status.ABSENT)
        ),
    )


def meeting_list(
    user: Person,
    *,
    unit: Unit | None = None,
    kind: str | None = None,
    campaign_id: int | None = None,
) -> QuerySet[Meeting]:
    """The meetings the person may see, newest first, with attendance counts."""
    meetings = access.visible_meetings(user)
    if unit is not None:
        meetings = meetings.filter(unit__path__startswith=unit.path)
    if kind:
        meetings = meetings.filter(kind=kind)
    if campaign_id is not None:
        meetings = meetings.filter(campaign_id=campaign_id)
    meetings = meetings.select_related("unit", "campaign", "phase")
    return with_counts(meetings).order_by("-held_at", "-pk")


def meeting_attendance(meeting: Meeting) -> list[MeetingAttendance]:
    return list(
        meeting.attendance.select_related(
            "member", "member__branch", "member__party_group"
        ).order_by("status", "member__branch__path", "member__number")
    )


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    rows = dict(
        meeting.attendance.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    present = rows.get(MeetingAttendance.Status.PRESENT, 0)
    absent = rows.get(MeetingAttendance.Status.ABSENT, 0)
    return {"expected": present + absent, "present": present, "absent": absent}
