"""Hand-made campaign data for the progress tests: a campaign of three phases whose
study phase asks every member for 2 reading notes and 1 reflection and every
branch for a plan and a study session, and whose analysis phase asks for the three
branch meetings. Dates are relative to today, so "held so far" holds."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from vanguard.campaigns import requirements
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition, Requirement
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

STUDY_REQUIREMENTS = (
    ("member_study_works", {"kind": "reading_note", "min": 2}),
    ("member_study_works", {"kind": "reflection", "min": 1}),
    ("branch_study_plan", {}),
    ("branch_study_sessions", {"min": 1}),
)
ANALYSIS_REQUIREMENTS = (
    ("branch_meeting", {"kind": "mobilisation"}),
    ("branch_meeting", {"kind": "democratic_appraisal"}),
    ("branch_meeting", {"kind": "grade_rating"}),
)


def today() -> datetime.date:
    return timezone.localdate()


def at(day: datetime.date, hour: int = 15) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_campaign(unit: Unit, *, status: str = Campaign.Status.ACTIVE) -> Campaign:
    campaign = Campaign.objects.create(
        name="2026年先进性教育活动",
        kind=Campaign.Kind.EDUCATION,
        unit=unit,
        year=today().year,
        status=status,
    )
    t = today()
    study = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.STUDY,
        name="学习动员",
        order=1,
        starts_on=t - datetime.timedelta(days=60),
        ends_on=t - datetime.timedelta(days=20),
        status=Phase.Status.CLOSED,
    )
    analysis = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.ANALYSIS,
        name="分析评议",
        order=2,
        starts_on=t - datetime.timedelta(days=19),
        ends_on=t + datetime.timedelta(days=30),
        status=Phase.Status.OPEN,
    )
    Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.RECTIFICATION,
        name="整改提高",
        order=3,
        starts_on=t + datetime.timedelta(days=31),
        ends_on=t + datetime.timedelta(days=90),
    )
    for phase, specs in ((study, STUDY_REQUIREMENTS), (analysis, ANALYSIS_REQUIREMENTS)):
        for order, (kind, params) in enumerate(specs, start=1):
            Requirement.objects.create(
                phase=phase,
                kind=kind,
                scope=requirements.scope_of(kind),
                params=requirements.validate_params(kind, params),
                label=requirements.default_label(kind, params),
                order=order,
            )
    return campaign


def phase(campaign: Campaign, key: str) -> Phase:
    return campaign.phases.get(key=key)


def work(campaign: Campaign, member: Member, kind: str = "reading_note", **extra: Any) -> StudyWork:
    return StudyWork.objects.create(
        campaign=campaign, member=member, kind=kind, title="学习笔记", material="党章", **extra
    )


def plan(campaign: Campaign, branch: Unit, *, submitted: bool = True) -> StudyPlan:
    return StudyPlan.objects.create(
        campaign=campaign,
        branch=branch,
        title="学习讨论计划",
        submitted_at=timezone.now() if submitted else None,
    )


def session(campaign: Campaign, branch: Unit, *, days_ago: int = 30) -> StudySession:
    return StudySession.objects.create(
        campaign=campaign,
        unit=branch,
        topic="学习党章",
        starts_at=at(today() - datetime.timedelta(days=days_ago)),
    )


def attend(session_: StudySession, member: Member, status: str = "present") -> Attendance:
    return Attendance.objects.create(
        session=session_, member=member, status=status, method=Attendance.Method.MANUAL
    )


def meeting(campaign: Campaign, branch: Unit, kind: str, *, day: datetime.date) -> Meeting:
    held_at = at(day) if day != today() else timezone.now() - datetime.timedelta(minutes=1)
    return Meeting.objects.create(
        campaign=campaign, unit=branch, kind=kind, title="支部会议", held_at=held_at
    )


def move_on(campaign: Campaign, branch: Unit, key: str = Phase.Key.ANALYSIS) -> PhaseTransition:
    return PhaseTransition.objects.create(
        campaign=campaign,
        branch=branch,
        from_phase=phase(campaign, Phase.Key.STUDY),
        to_phase=phase(campaign, key),
        reason="学习阶段要求已完成",
    )


def complete_study(campaign: Campaign, branch: Unit) -> None:
    """Everything the study phase asks of the branch and its active members."""
    plan(campaign, branch)
    held = session(campaign, branch)
    for member in Member.objects.filter(branch=branch, is_active=True):
        work(campaign, member)
        work(campaign, member)
        work(campaign, member, "reflection")
        attend(held, member)


def grow_org(parent: Unit, *, branches: int, members: int, prefix: str) -> list[Unit]:
    """More branches under `parent`, each with members, for the two-size tests."""
    made = []
    for b in range(branches):
        branch = Unit.objects.create(
            name=f"{prefix}第{b + 1}支部", kind=Unit.Kind.BRANCH, parent=parent
        )
        for m in range(members):
            Member.objects.create(
                name=f"党员{b}-{m}",
                number=f"{prefix}{b:03d}{m:03d}",
                branch=branch,
                category=Member.Category.FACULTY,
            )
        made.append(branch)
    return made
