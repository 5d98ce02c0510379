"""Small builders for the meeting tests and access rows: an active education campaign
over a unit (its three phases, the analysis phase asking for the three branch
meetings), and a recorded meeting."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.models import Member, Unit

STUDY = (datetime.date(2026, 3, 1), datetime.date(2026, 5, 1))
ANALYSIS = (datetime.date(2026, 5, 2), datetime.date(2026, 5, 31))
RECTIFICATION = (datetime.date(2026, 6, 1), datetime.date(2026, 7, 15))


def at(day: datetime.date, hour: int = 14) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def education_campaign(unit: Unit) -> Campaign:
    campaign, created = Campaign.objects.get_or_create(
        unit=unit,
        kind=Campaign.Kind.EDUCATION,
        year=2026,
        defaults={"name": "保持共产党员先进性教育活动", "status": Campaign.Status.ACTIVE},
    )
    if not created:
        return campaign
    study = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.STUDY,
        name="学习动员",
        order=1,
        starts_on=STUDY[0],
        ends_on=STUDY[1],
        status=Phase.Status.CLOSED,
    )
    analysis = Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.ANALYSIS,
        name="分析评议",
        order=2,
        starts_on=ANALYSIS[0],
        ends_on=ANALYSIS[1],
        status=Phase.Status.OPEN,
    )
    Phase.objects.create(
        campaign=campaign,
        key=Phase.Key.RECTIFICATION,
        name="整改提高",
        order=3,
        starts_on=RECTIFICATION[0],
        ends_on=RECTIFICATION[1],
    )
    Requirement.objects.create(
        phase=study,
        kind="branch_study_plan",
        scope=Requirement.Scope.BRANCH,
        label="支部制定学习讨论计划",
    )
    for order, kind in enumerate(("mobilisation", "democratic_appraisal", "grade_rating")):
        Requirement.objects.create(
            phase=analysis,
            kind="branch_meeting",
            scope=Requirement.Scope.BRANCH,
            params={"kind": kind},
            label=f"召开{Meeting.Kind(kind).label}",
            order=order,
        )
    return campaign


def meeting(
    unit: Unit,
    *,
    kind: str = Meeting.Kind.MOBILISATION,
    title: str = "支部动员会",
    day: datetime.date = datetime.date(2026, 5, 8),
    absent: dict[Member, str] | None = None,
) -> Meeting:
    """A meeting written directly (not through the service), with attendance for the
    branch's active members."""
    campaign = Campaign.objects.filter(status=Campaign.Status.ACTIVE).first()
    found = Meeting.objects.filter(unit=unit, kind=kind, title=title).first()
    if found is not None:
        return found
    made = Meeting.objects.create(
        unit=unit,
        kind=kind,
        title=title,
        held_at=at(day),
        campaign=campaign,
        place="教学楼 201",
        host="李书记",
        recorder="张丽",
    )
    absent = absent or {}
    members: Any = Member.objects.filter(branch__path__startswith=unit.path, is_active=True)
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(
            meeting=made,
            member=m,
            status="absent" if m in absent else "present",
            reason=absent.get(m, ""),
        )
        for m in members
    )
    return made
