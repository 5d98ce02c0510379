"""Builders for the stage summary's tests and access rows: the cast's branch (A1, under
the general branch 光电系党总支) with a phase's work recorded in every app — study
plan, sessions and works; meetings; opinions by channel; self-analyses; a closed vote
and approved grades; rectification plans and items — and its summaries in each state.
Each builder returns the same rows when called again within a test."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from vanguard.campaigns.models import Campaign, Phase
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.grading.tests.factories import held_vote
from vanguard.materials.stage_summary import services
from vanguard.materials.stage_summary.models import SECTION_NAMES, StageSummary
from vanguard.meetings.models import Meeting
from vanguard.meetings.tests.factories import at, education_campaign, meeting
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member
from vanguard.rectification.models import Item, Plan
from vanguard.rectification.tests import factories as rectification
from vanguard.reviews.models import SelfAnalysis
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork


def campaign(f: Any) -> Campaign:
    return education_campaign(f.org.committee)


def phase(f: Any, key: str = Phase.Key.ANALYSIS) -> Phase:
    return campaign(f).phases.get(key=key)


def members(f: Any) -> list[Member]:
    """A1's active members: 李书记 (the secretary), 王小明, 张丽."""
    return list(Member.objects.filter(branch=f.org.branch_a1, is_active=True).order_by("number"))


def study_data(f: Any) -> None:
    c, branch = campaign(f), f.org.branch_a1
    if StudyPlan.objects.filter(campaign=c, branch=branch).exists():
        return
    StudyPlan.objects.create(
        campaign=c, branch=branch, title="学习讨论计划", submitted_at=timezone.now()
    )
    people = members(f)
    for day, present in (
        (datetime.date(2026, 3, 10), people),
        (datetime.date(2026, 4, 2), people[:2]),
    ):
        session = StudySession.objects.create(
            campaign=c, unit=branch, topic="学习党章", starts_at=at(day)
        )
        Attendance.objects.bulk_create(
            Attendance(session=session, member=m, status="present", method="manual")
            for m in present
        )
    works = [
        (f.cast.member_record, StudyWork.Kind.READING_NOTE),
        (f.cast.member_record, StudyWork.Kind.READING_NOTE),
        (f.cast.member_record, StudyWork.Kind.REFLECTION),
        (f.cast.colleague_record, StudyWork.Kind.READING_NOTE),
    ]
    for member, kind in works:
        work = StudyWork.objects.create(
            campaign=c, member=member, kind=kind, title="笔记", material="党章"
        )
        # Handed in during the study phase, which the phase's summary counts.
        StudyWork.objects.filter(pk=work.pk).update(submitted_at=at(datetime.date(2026, 3, 20)))
    meeting(
        branch, kind=Meeting.Kind.ALL_MEMBER, title="全体党员大会", day=datetime.date(2026, 3, 5)
    )


def analysis_data(f: Any) -> None:
    c, branch = campaign(f), f.org.branch_a1
    if Opinion.objects.filter(campaign=c, branch=branch).exists():
        return
    meeting(
        branch, kind=Meeting.Kind.MOBILISATION, title="支部动员会", day=datetime.date(2026, 5, 8)
    )
    meeting(
        branch,
        kind=Meeting.Kind.DEMOCRATIC_APPRAISAL,
        title="民主评议会",
        day=datetime.date(2026, 5, 20),
    )
    box, email, talk = Opinion.Channel.SUGGESTION_BOX, Opinion.Channel.EMAIL, Opinion.Channel.TALK
    for channel, status, kind in (
        (box, Opinion.Status.SORTED, Opinion.Kind.PRAISE),
        (box, Opinion.Status.SORTED, Opinion.Kind.PRAISE),
        (box, Opinion.Status.NEW, Opinion.Kind.UNSORTED),
        (email, Opinion.Status.SORTED, Opinion.Kind.CRITICISM),
        (email, Opinion.Status.SORTED, Opinion.Kind.SUGGESTION),
        (talk, Opinion.Status.MERGED, Opinion.Kind.UNSORTED),
    ):
        rectification.opinion(c, branch, channel=channel, status=status, kind=kind)
    SelfAnalysis.objects.create(campaign=c, member=f.cast.member_record)
    SelfAnalysis.objects.create(
        campaign=c, member=f.cast.colleague_record, state=SelfAnalysis.State.SUBMITTED
    )
    SelfAnalysis.objects.create(
        campaign=c,
        member=members(f)[0],
        state=SelfAnalysis.State.WITH_COMMITTEE,
        current_round=2,
    )
    held_vote(branch, [{}, {}, {}])
    grading = BranchGrading.objects.create(
        campaign=c, branch=branch, status=BranchGrading.Status.APPROVED
    )
    for member, grade in zip(members(f), ("excellent", "qualified", "qualified"), strict=True):
        GradeProposal.objects.create(grading=grading, member=member, grade=grade, rationale="表现")


def rectification_data(f: Any) -> None:
    c, branch = campaign(f), f.org.branch_a1
    if Plan.objects.filter(campaign=c, member=f.cast.member_record).exists():
        return
    today = timezone.localdate()
    own = rectification.member_plan(
        c, f.cast.member_record, status=Plan.Status.SUBMITTED, submitted_at=timezone.now()
    )
    rectification.done(rectification.item(own, deadline=today))
    rectification.item(own, deadline=today - datetime.timedelta(days=3))  # overdue
    colleague = rectification.member_plan(
        c,
        f.cast.colleague_record,
        status=Plan.Status.APPROVED,
        submitted_at=timezone.now(),
        approved_at=timezone.now(),
    )
    rectification.done(rectification.item(colleague, deadline=today), verified=True)
    branch_plan = rectification.unit_plan(c, branch, status=Plan.Status.DRAFT)
    rectification.item(
        branch_plan, deadline=today + datetime.timedelta(days=30), status=Item.Status.IN_PROGRESS
    )


def summary(f: Any, key: str = Phase.Key.ANALYSIS) -> StageSummary:
    """A1's summary of the phase, drafted from the data."""
    return services.stage_summary_draft(
        campaign=campaign(f), branch=f.org.branch_a1, phase=phase(f, key)
    )


def finished(found: StageSummary) -> StageSummary:
    """Every section written out (no prompt left), saved."""
    data = {
        name: f"{getattr(found, name).split('【')[0]}本支部的{name}。" for name in SECTION_NAMES
    }
    for name in SECTION_NAMES:
        setattr(found, name, data[name])
    found.version += 1
    found.save()
    return found


def in_state(f: Any, state: str) -> StageSummary:
    """A1's analysis summary, submitted and moved to `state` directly (the reviewers'
    pages are under test, not the steps there)."""
    found = summary(f)
    if found.state == state:
        return found
    if not found.versions.exists():
        finished(found)
        services.stage_summary_submit(
            summary=found, base_version=found.version, actor=f.cast.secretary
        )
    found.refresh_from_db()
    if found.state != state:
        found.state = state
        found.save()
    return found
