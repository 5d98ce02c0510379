"""The demo's supervision (督查), as the seed tells it: three analysis-phase groups that
cover all 41 branches and made two passes, the study group's two inspections, about
half the members' notes sampled and 300-odd read, make-up orders in every state,
guidance for a lagging branch and a key person whom the member's branch never sees."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign, Phase
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.supervision import (
    ANALYSIS_GROUPS,
    ANALYSIS_ROUND_ONE,
    ANALYSIS_ROUND_TWO,
    GUIDED_BRANCH,
    MIDTERM_ROUND,
    PRESENTING_BRANCHES,
    SECRETARY_MEETING,
    STEP_ONE_ROUND,
    STUDY_GROUP,
)
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit
from vanguard.supervision import access
from vanguard.supervision.models import (
    Check,
    Exemplar,
    GuidanceSession,
    NoteAssessment,
    NoteType,
    RemediationOrder,
    Round,
    Sample,
    SupervisionGroup,
    Talk,
    WatchEntry,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def _branches(campaign: Campaign) -> set[int]:
    return set(
        Unit.objects.filter(kind=Unit.Kind.BRANCH, path__startswith=campaign.unit.path).values_list(
            "pk", flat=True
        )
    )


def test_three_analysis_groups_cover_all_41_branches_and_the_study_group_all(demo):
    every = _branches(demo)
    assert len(every) == 41
    analysis = SupervisionGroup.objects.filter(campaign=demo, phase__key=Phase.Key.ANALYSIS)
    assert sorted(g.name for g in analysis) == sorted(ANALYSIS_GROUPS)
    covered = [set(g.branches.values_list("pk", flat=True)) for g in analysis]
    assert set().union(*covered) == every
    assert sum(len(c) for c in covered) == 41  # each branch in one group
    study = SupervisionGroup.objects.get(campaign=demo, name=STUDY_GROUP)
    assert study.phase.key == Phase.Key.STUDY
    assert set(study.branches.values_list("pk", flat=True)) == every


def test_the_demo_supervisor_sees_only_their_groups_branches(demo):
    supervisor = User.objects.get(username="supervisor")
    (group,) = SupervisionGroup.objects.filter(members=supervisor)
    mine = set(group.branches.values_list("pk", flat=True))
    assert 0 < len(mine) < 41
    checked = set(access.visible_checks(supervisor).values_list("branch_id", flat=True).distinct())
    assert checked == mine


def test_two_inspections_in_study_and_two_passes_in_analysis(demo):
    rounds = {r.title: r for r in Round.objects.filter(campaign=demo)}
    assert set(rounds) == {STEP_ONE_ROUND, MIDTERM_ROUND, ANALYSIS_ROUND_ONE, ANALYSIS_ROUND_TWO}
    for title in (STEP_ONE_ROUND, MIDTERM_ROUND, ANALYSIS_ROUND_ONE):
        assert rounds[title].status == Round.Status.CLOSED
        assert rounds[title].checks.filter(status=Check.Status.DONE).count() == 41
    second = rounds[ANALYSIS_ROUND_TWO]
    assert second.status == Round.Status.OPEN
    assert second.items == ["opinions", "summary_drafts", "appraisal_meeting", "grading"]
    pending = second.checks.filter(status=Check.Status.PENDING)
    assert 0 < pending.count() < 41
    # What is left is the demo supervisor's to do.
    supervisor = User.objects.get(username="supervisor")
    assert all(access.can_fill_check(supervisor, check) for check in pending)


def test_the_secretaries_meeting_heard_four_secretaries_by_name(demo):
    meeting = Meeting.objects.get(
        campaign=demo, kind=Meeting.Kind.SECRETARY, title=SECRETARY_MEETING
    )
    for name in PRESENTING_BRANCHES:
        assert name in meeting.minutes
    assert "教工" in meeting.minutes and "研究生" in meeting.minutes


def test_about_half_sampled_and_300_odd_read(demo):
    sample = Sample.objects.get(campaign=demo)
    assert sample.round.title == MIDTERM_ROUND
    assert 0.45 <= sample.size / sample.population <= 0.55
    assert sample.drawn.count() == sample.size
    read = NoteAssessment.objects.filter(campaign=demo, level=NoteAssessment.Level.COLLEGE)
    assert 300 <= read.count() <= 320
    assert read.filter(sampled__sample=sample).count() == read.count()
    types = set(NoteType.objects.filter(campaign=demo).values_list("name", flat=True))
    assert types == {"摘录型", "心得型", "联系实际型", "专题研究型"}
    assert set(read.values_list("note_type__name", flat=True)) == types
    assert read.filter(grade=NoteAssessment.Grade.INSUFFICIENT).exists()
    assert NoteAssessment.objects.filter(
        campaign=demo, level=NoteAssessment.Level.GENERAL_BRANCH
    ).exists()


def test_two_exemplars_one_signed_one_anonymised(demo):
    consents = sorted(Exemplar.objects.filter(campaign=demo).values_list("consent", flat=True))
    assert consents == [Exemplar.Consent.ANONYMISED, Exemplar.Consent.CONSENTED]


def test_orders_in_every_state_one_overdue_and_one_waiting_for_the_supervisor(demo):
    orders = RemediationOrder.objects.filter(campaign=demo)
    states = {o.status for o in orders}
    assert {"open", "reported", "verified"} <= states
    member_orders = orders.filter(member__isnull=False)
    assert member_orders.filter(status="verified").count() >= 2
    overdue = member_orders.filter(status="open")
    assert (
        overdue.count() == 1
        and overdue.get().deadline < orders.filter(member__isnull=True).first().deadline
    )
    supervisor = User.objects.get(username="supervisor")
    waiting = [
        o for o in orders.filter(status="reported") if access.can_verify_order(supervisor, o)
    ]
    assert waiting


def test_a_lagging_branch_was_guided(demo):
    guided = GuidanceSession.objects.get(campaign=demo, lagging=True)
    assert guided.branch.name == GUIDED_BRANCH
    assert GuidanceSession.objects.filter(campaign=demo, lagging=False).count() >= 2


def test_the_key_person_is_invisible_to_their_branch(demo):
    entry = WatchEntry.objects.get(campaign=demo, kind=WatchEntry.Kind.PERSON)
    talk = Talk.objects.get(entry=entry)
    assert "第一责任人" in talk.talked_by
    committee = User.objects.get(username="committee")
    assert access.visible_watch_entries(committee).filter(pk=entry.pk).exists()
    officers = User.objects.filter(
        role_assignments__unit=entry.branch,
        role_assignments__role__in=["branch_secretary", "branch_committee"],
    ).distinct()
    assert officers.exists()
    for user in officers:
        assert not access.visible_watch_entries(user).exists()
        client = Client()
        client.force_login(user)
        url = reverse("supervision:watch_detail", args=[entry.pk])
        assert client.get(url).status_code == 404
    member = Member.objects.get(pk=entry.member_id)
    assert member.user_id is None or not access.visible_watch_entries(member.user).exists()
