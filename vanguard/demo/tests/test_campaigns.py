"""The demo campaign stands where the seed's stood in May: the study phase done in
almost every branch, every branch moved on to the analysis phase on 2 May, most
mobilisation meetings held, and a few branches deliberately behind."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Count

from vanguard.campaigns import progress
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition
from vanguard.campaigns.selectors import current_phases
from vanguard.demo.campaigns import CAMPAIGN_NAME, MEETING_PENDING_BRANCHES, TRANSITION_REASON
from vanguard.demo.common import LAGGING_BRANCHES
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    """The demo, kept for this module (kept_demo: built once per worker, each test's
    writes rolled back before the next test)."""
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def branches() -> list[Unit]:
    return list(Unit.objects.filter(kind=Unit.Kind.BRANCH))


def test_the_college_runs_an_active_education_campaign_in_its_analysis_phase(demo):
    assert demo.status == Campaign.Status.ACTIVE
    assert demo.unit.name == "信息学院党委"
    phases = {p.key: p for p in demo.phases.all()}
    assert phases["study"].status == Phase.Status.CLOSED
    assert phases["study"].ends_on == datetime.date(2026, 5, 1)
    assert phases["analysis"].status == Phase.Status.OPEN
    assert phases["analysis"].starts_on == datetime.date(2026, 5, 2)
    assert phases["rectification"].status == Phase.Status.PENDING


def test_every_branch_was_moved_to_the_analysis_phase_by_the_committee_on_2_may(demo):
    all_branches = branches()
    assert len(all_branches) == 41
    current = current_phases(campaign=demo, branch_ids=[b.pk for b in all_branches])
    assert {phase.key for phase in current.values()} == {"analysis"}
    transitions = PhaseTransition.objects.filter(campaign=demo).select_related("approved_by")
    assert transitions.count() == 41
    assert {t.reason for t in transitions} == {TRANSITION_REASON}
    assert {t.approved_by.username for t in transitions} == {"committee"}
    assert {t.at.date() for t in transitions} == {datetime.date(2026, 5, 2)}


def test_every_branch_has_a_plan_and_at_least_two_sessions_with_attendance(demo):
    assert StudyPlan.objects.filter(campaign=demo, submitted_at__isnull=False).count() == 41
    per_branch = dict(
        StudySession.objects.filter(campaign=demo, kind="session")
        .values_list("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    assert len(per_branch) == 41 and min(per_branch.values()) >= 2
    assert (
        Attendance.objects.filter(session__kind="session", status="absent", reason="").count() == 0
    )
    assert Attendance.objects.filter(session__kind="session").count() > 1000


def test_the_college_heard_chu_jians_lecture_and_signed_in_with_the_qr_code(demo):
    lecture = StudySession.objects.get(campaign=demo, kind="lecture")
    assert "褚健" in lecture.speaker
    assert "三个代表" in lecture.topic
    assert lecture.attendance.filter(method="qr").count() > 400


def test_the_meetings_the_seed_lists_are_there(demo):
    college = demo.unit
    kinds = dict(
        Meeting.objects.filter(unit=college)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    assert kinds == {"all_member": 2, "secretary": 3, "leading_group": 5}
    all_member = Meeting.objects.filter(unit=college, kind="all_member").first()
    assert all_member.attendance.count() == Member.objects.filter(is_active=True).count()


def test_most_branches_held_their_mobilisation_meeting_in_the_analysis_phase(demo):
    held = set(
        Meeting.objects.filter(kind="mobilisation", phase__key="analysis").values_list(
            "unit__name", flat=True
        )
    )
    everyone = {b.name for b in branches()}
    assert everyone - held == set(LAGGING_BRANCHES) | set(MEETING_PENDING_BRANCHES)
    assert len(held) >= 35


def test_nearly_every_member_wrote_their_notes_and_the_blind_spots_are_in_the_lagging_branches(
    demo,
):
    members = Member.objects.filter(is_active=True)
    with_notes = members.filter(study_works__kind="reading_note").distinct()
    assert with_notes.count() / members.count() > 0.95
    silent = members.exclude(study_works__campaign=demo)
    assert silent.exists()
    assert set(silent.values_list("branch__name", flat=True)) <= set(LAGGING_BRANCHES)


def test_lagging_branches_show_as_behind_in_progress(demo):
    study = demo.phases.get(key="study")
    lagging = Unit.objects.get(name=LAGGING_BRANCHES[0])
    met, unmet = progress.branch_requirements_met(campaign=demo, branch=lagging, phase=study)
    assert not met and unmet
    praised = Unit.objects.get(name="光电博士生党支部")
    assert progress.branch_requirements_met(campaign=demo, branch=praised, phase=study)[0]


def test_notes_are_readable_chinese_on_the_materials_of_the_time_and_varied(demo):
    notes = list(StudyWork.objects.filter(kind="reading_note").values_list("material", "body"))
    materials = {material for material, _body in notes}
    assert "《保持共产党员先进性教育读本》" in materials and "《中国共产党章程》" in materials
    bodies = [body for _material, body in notes]
    assert len(set(bodies)) / len(bodies) > 0.9
    assert all(body.startswith("<p>") and "lorem" not in body.lower() for body in bodies)
    assert StudyWork.objects.filter(submitted_at__date__gt=datetime.date(2026, 5, 1)).count() == 0


def test_the_demo_members_notes_are_still_editable(demo):
    works = StudyWork.objects.filter(member__user__username="member")
    assert works.count() >= 3
    assert not works.filter(reviewed_at__isnull=False).exists()
