"""A phase can ask every branch to have held its appraisal vote and to have its grades
approved; both are read from the data, a large branch's party-group vote counting for
the branch."""

from __future__ import annotations

import pytest

from conftest import make_member
from vanguard.campaigns import requirements
from vanguard.grading import services
from vanguard.grading.tests.factories import held_vote
from vanguard.meetings.tests.factories import education_campaign

pytestmark = pytest.mark.django_db
VOTE = "branch_appraisal_vote_held"
APPROVED = "branch_grades_approved"


def _values(campaign, org, kind):
    ctx = requirements.Context(campaign=campaign, paths=[org.committee.path])
    return dict(requirements.get_kind(kind).evaluate(ctx, None, {}))


def test_both_kinds_are_registered_for_branches():
    assert requirements.scope_of(VOTE) == "branch"
    assert dict(requirements.kind_choices())[APPROVED] == "支部党员评议等级经党委审批"


def test_a_closed_vote_and_an_approval_count_for_the_branch(org, cast):
    campaign = education_campaign(org.committee)
    for n in range(3):  # the party group of branch_a1: 王小明 and three more
        make_member(
            name=f"组员{n}", number=f"G000{n}", branch=org.branch_a1, party_group=org.group_a1
        )
    assert _values(campaign, org, VOTE) == {}
    held_vote(org.group_a1, [{}])  # one ballot: no result is published, nothing held
    assert _values(campaign, org, VOTE) == {}
    held_vote(org.group_a1, [{}] * 3)  # the party group votes again, validly
    assert _values(campaign, org, VOTE) == {org.branch_a1.pk: 1}
    grading = services.grading_start(campaign=campaign, branch=org.branch_a1)
    assert _values(campaign, org, APPROVED) == {}
    # The group's vote graded the group's members only: the branch's other formal
    # members need a vote too before the branch can report.
    held_vote(org.branch_a1, [{}] * 5)
    entries = {
        m.pk: ("qualified", "认真履职") for m in grading.branch.members.filter(standing="formal")
    }
    services.proposals_save(grading=grading, entries=entries, user=cast.secretary)
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    assert _values(campaign, org, APPROVED) == {org.branch_a1.pk: 1}
