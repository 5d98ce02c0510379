"""Reads for the study pages, each with the joins it needs so that a page's query
count does not grow with the number of branches, sessions or members."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from vanguard.accounts.access import Person
from vanguard.accounts.models import User
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.campaigns.selectors import current_phases
from vanguard.lib.paths import path_ids
from vanguard.organization.models import Member, Unit
from vanguard.study import access
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

BRANCH_LIST_LIMIT = 300


def session_members(session: StudySession) -> QuerySet[Member]:
    """Who is expected at a session: the active members of its unit and everything below
    it (a branch session: the branch; a lecture for the college: every member under it)."""
    return (
        Member.objects.filter(is_active=True, branch__path__startswith=session.unit.path)
        .select_related("branch")
        .order_by("branch__path", "number")
    )


def is_expected_at(member: Member, session: StudySession) -> bool:
    return (
        member.is_active
        and session.unit.is_active
        and member.branch.path.startswith(session.unit.path)
    )


def get_session(pk: Any) -> StudySession | None:
    return StudySession.objects.filter(pk=pk).select_related("unit", "campaign", "plan").first()


def attendance_by_member(session: StudySession) -> dict[int, Attendance]:
    return {row.member_id: row for row in session.attendance.all()}


def signed_in(session: StudySession) -> QuerySet[Attendance]:
    return (
        session.attendance.filter(status=Attendance.Status.PRESENT)
        .select_related("member")
        .order_by("recorded_at", "pk")
    )


def sessions_for_member(member: Member, campaign: Campaign) -> QuerySet[StudySession]:
    """The sessions a member is expected at: their branch's and lectures above it."""
    return (
        StudySession.objects.filter(campaign=campaign, unit_id__in=path_ids(member.branch.path))
        .select_related("unit")
        .order_by("-starts_at", "-pk")
    )


def sessions_of_unit(unit: Unit, campaign: Campaign) -> QuerySet[StudySession]:
    return (
        StudySession.objects.filter(campaign=campaign, unit=unit)
        .select_related("unit")
        .annotate(present=Count("attendance", filter=Q(attendance__status="present")))
        .order_by("starts_at", "pk")
    )


def branch_plan(branch: Unit, campaign: Campaign) -> StudyPlan | None:
    return (
        StudyPlan.objects.filter(branch=branch, campaign=campaign)
        .select_related("submitted_by")
        .first()
    )


def member_works(member: Member, campaign: Campaign) -> QuerySet[StudyWork]:
    return (
        StudyWork.objects.filter(member=member, campaign=campaign)
        .select_related("entered_by")
        .order_by("-submitted_at", "-pk")
    )


def member_requirements(member: Member, campaign: Campaign) -> tuple[Phase | None, list[str]]:
    """The phase the member's branch is in, and what that phase asks of each member."""
    phase = current_phases(campaign=campaign, branch_ids=[member.branch_id]).get(member.branch_id)
    if phase is None:
        return None, []
    labels = list(
        Requirement.objects.filter(phase=phase, scope=Requirement.Scope.MEMBER)
        .order_by("order", "pk")
        .values_list("label", flat=True)
    )
    return phase, labels


def kept_branches(user: Person) -> QuerySet[Unit]:
    """Branches whose study records this person keeps."""
    return campaigns_access.record_units(user).filter(kind=Unit.Kind.BRANCH).order_by("path")


def branch_overview(branches: QuerySet[Unit]) -> list[dict[str, Any]]:
    """Each branch with its plan and its number of sessions in active campaigns;
    three queries whatever the number of branches."""
    rows = list(branches[:BRANCH_LIST_LIMIT])
    ids = [branch.pk for branch in rows]
    plans = {
        plan.branch_id: plan
        for plan in StudyPlan.objects.filter(
            branch_id__in=ids, campaign__status=Campaign.Status.ACTIVE
        )
    }
    sessions = dict(
        StudySession.objects.filter(unit_id__in=ids, campaign__status=Campaign.Status.ACTIVE)
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return [
        {"branch": branch, "plan": plans.get(branch.pk), "sessions": sessions.get(branch.pk, 0)}
        for branch in rows
    ]


def lectures_kept(user: Person) -> QuerySet[StudySession]:
    """Lectures and sessions held for units above branch level that this person keeps."""
    return (
        StudySession.objects.filter(
            campaign__status=Campaign.Status.ACTIVE,
            unit__in=campaigns_access.record_units(user).exclude(kind=Unit.Kind.BRANCH),
        )
        .select_related("unit")
        .order_by("-starts_at", "-pk")
    )


def works_to_review(user: User) -> QuerySet[StudyWork]:
    """Work a reviewer covers (not their own), newest first."""
    return (
        access.visible_study_works(user)
        .exclude(member__user=user)
        .select_related("entered_by")
        .order_by("reviewed_at", "-submitted_at", "-pk")
    )
