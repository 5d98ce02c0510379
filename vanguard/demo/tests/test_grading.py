"""The demo's democratic appraisal and grading: three branches have voted (the ballots
add up, with the vote counts the self-analyses report), one branch's grades approved
by the committee, one branch's waiting for it, one branch drafting with a member
proposed unqualified after the talk, and the demo secretary's vote ready to open."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.ballots import services as ballots
from vanguard.ballots.access import can_run_appraisal
from vanguard.ballots.models import AppraisalSession, Ballot, Grade, RollEntry, VotingCard
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DEMO_BRANCH
from vanguard.demo.grading import (
    APPROVED_BRANCH,
    DRAFT_BRANCH,
    SUBMITTED_BRANCH,
    recorded_grades,
)
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.grading import selectors, services
from vanguard.grading.access import can_decide_grades
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db
LATE_MAY = (datetime.date(2026, 5, 20), datetime.date(2026, 5, 31))


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    """The demo, kept for this module (kept_demo: built once per worker, each test's
    writes rolled back before the next test)."""
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def _grading(campaign: Campaign, branch_name: str) -> BranchGrading:
    return BranchGrading.objects.select_related("branch", "campaign").get(
        campaign=campaign, branch__name=branch_name
    )


def _in_late_may(moment: datetime.datetime) -> bool:
    return LATE_MAY[0] <= moment.date() <= LATE_MAY[1]


def test_three_branches_voted_and_every_tally_adds_up(demo):
    closed = AppraisalSession.objects.filter(
        campaign=demo, status=AppraisalSession.Status.CLOSED
    ).select_related("unit")
    assert sorted(s.unit.name for s in closed) == sorted(
        [APPROVED_BRANCH, SUBMITTED_BRANCH, DRAFT_BRANCH]
    )
    for session in closed:
        tally = ballots.compute_tally(session=session)
        stored = Ballot.objects.filter(session=session).count()
        check = tally.reconciliation
        assert tally.ballots == stored == check.ballots > 0
        assert check.consistent, check
        # Every present member voted with a card; a few were absent; the rest void.
        assert check.cards_used == check.present == stored
        assert 0 < check.voters_on_roll - check.present <= 3
        assert check.cards_void == check.cards_printed - check.cards_used
        assert tally.quorum_met
        for candidate in tally.candidates:
            assert sum(candidate.counts.values()) == stored, candidate.name
        assert _in_late_may(session.closed_at) and session.opened_at < session.closed_at


def test_the_tally_gives_the_votes_the_round_two_summaries_report(demo):
    """Where the self-analysis demo wrote "民主测评：优秀 n 票、合格 m 票" for a member,
    the appraisal's tally shows exactly those votes."""
    compared = 0
    for name in (APPROVED_BRANCH, SUBMITTED_BRANCH):
        grading = _grading(demo, name)
        tallies = selectors.tallies_for_branch(demo, grading.branch)
        overridden = set(
            GradeProposal.objects.filter(
                grading=grading, grade=Grade.BASICALLY_QUALIFIED
            ).values_list("member_id", flat=True)
        )
        for member_id, record in recorded_grades(demo, grading.branch).items():
            if record.votes is None or member_id not in tallies or member_id in overridden:
                continue
            counts = tallies[member_id].counts
            assert (counts[Grade.EXCELLENT], counts[Grade.QUALIFIED]) == record.votes
            compared += 1
    assert compared > 40


def test_proposals_follow_the_grades_the_reviews_recorded(demo):
    for name in (APPROVED_BRANCH, SUBMITTED_BRANCH, DRAFT_BRANCH):
        grading = _grading(demo, name)
        recorded = recorded_grades(demo, grading.branch)
        rows = selectors.rows(campaign=demo, branch=grading.branch, grading=grading)
        assert rows and all(r.proposal is not None and r.proposal.rationale for r in rows)
        for row in rows:
            record = recorded.get(row.member.pk)
            if record is not None and record.grade:
                # Never below what the member's own summary reports.
                assert row.proposal.grade == record.grade, row.member.name
            elif row.proposal.grade in (Grade.BASICALLY_QUALIFIED, Grade.UNQUALIFIED):
                continue  # chosen below qualified where nothing was recorded
            else:  # nothing recorded: the most-voted grade
                counts = row.tally.counts
                assert counts[row.proposal.grade] == max(counts.values()), row.member.name


def test_the_approved_branch_was_decided_by_the_committee_and_its_members_see_their_grade(
    demo, client
):
    grading = _grading(demo, APPROVED_BRANCH)
    assert grading.status == BranchGrading.Status.APPROVED
    assert grading.decided_by.username == "committee"
    assert can_decide_grades(grading.decided_by, grading.branch)
    secretary = grading.submitted_by
    assert RoleAssignment.objects.filter(
        user=secretary, role=Role.BRANCH_SECRETARY, unit=grading.branch
    ).exists()
    assert _in_late_may(grading.submitted_at) and grading.submitted_at < grading.decided_at
    assert _in_late_may(grading.decided_at)
    members = list(selectors.formal_members(grading.branch))
    for member in members:
        mine = selectors.member_grades(member)
        assert [p.grading_id for p in mine] == [grading.pk], member.name
    # A member with an account logs in and reads their grade.
    member = next(m for m in members if m.user_id is not None)
    proposal = selectors.approved_proposal(member, demo)
    client.force_login(member.user)
    page = client.get(reverse("grading:home")).content.decode()
    assert proposal.get_grade_display() in page
    assert "2026-05-27" in page


def test_the_submitted_branch_waits_for_the_committee(demo):
    grading = _grading(demo, SUBMITTED_BRANCH)
    assert grading.status == BranchGrading.Status.SUBMITTED
    assert grading.decided_by is None and _in_late_may(grading.submitted_at)
    committee = User.objects.get(username="committee")
    assert can_decide_grades(committee, grading.branch)
    grades = list(GradeProposal.objects.filter(grading=grading).values_list("grade", flat=True))
    assert Grade.UNQUALIFIED not in grades
    # Nobody sees an unapproved grade.
    member = GradeProposal.objects.filter(grading=grading).first().member
    assert selectors.member_grades(member) == []


@pytest.mark.parametrize("branch_name", [APPROVED_BRANCH, SUBMITTED_BRANCH])
def test_the_reported_proposals_pass_the_submission_check(demo, branch_name):
    grading = _grading(demo, branch_name)
    assert services.submission_problems(grading, grading.excellent_explanation) == []
    excellent = GradeProposal.objects.filter(grading=grading, grade=Grade.EXCELLENT).count()
    cap = selectors.rule_for(demo).excellent_cap(selectors.formal_members(grading.branch).count())
    assert bool(grading.excellent_explanation) == (excellent > cap)


def test_the_drafting_branch_has_a_member_proposed_unqualified_waiting_for_the_prereview(demo):
    grading = _grading(demo, DRAFT_BRANCH)
    assert grading.status == BranchGrading.Status.DRAFT and grading.submitted_at is None
    case = UnqualifiedCase.objects.select_related("proposal", "talk_by").get(
        proposal__grading=grading
    )
    assert case.proposal.grade == Grade.UNQUALIFIED and not case.withdrawn
    assert case.next_step == "prereview"
    assert LATE_MAY[0] <= case.talk_on <= LATE_MAY[1] and case.talk_note
    assert RoleAssignment.objects.filter(
        user=case.talk_by, role=Role.BRANCH_SECRETARY, unit=grading.branch
    ).exists()
    # Its vote was held, so the only thing in the way of reporting is the procedure
    # (and, if over the cap, the explanation written at submission).
    problems = services.submission_problems(grading, "说明")
    assert problems == [
        f"{case.proposal.member.name} 拟评为不合格：须先完成谈话、上级预审和支部表决。"
    ]
    assert UnqualifiedCase.objects.filter(proposal__grading__campaign=demo).count() == 1


def test_the_demo_secretarys_vote_is_set_up_and_not_opened(demo):
    session = AppraisalSession.objects.get(campaign=demo, unit__name=DEMO_BRANCH)
    assert session.status == AppraisalSession.Status.DRAFT
    assert session.opened_at is None
    assert not RollEntry.objects.filter(session=session).exists()
    assert not VotingCard.objects.filter(session=session).exists()
    secretary = User.objects.get(username="secretary")
    assert can_run_appraisal(secretary, session.unit)
    assert not BranchGrading.objects.filter(campaign=demo, branch=session.unit).exists()
    assert Member.objects.filter(branch=session.unit, user=secretary).exists()
