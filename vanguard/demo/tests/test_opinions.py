"""The demo's opinions: all five channels, most sorted, new ones waiting for the demo
secretary, the seed's second round in 光电硕士生第二党支部, a branch flagged for one,
surveys with enough respondents for some members and too few for others — the
same every time it is built."""

from __future__ import annotations

import pytest
from django.db.models import Count

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DEMO_BRANCH
from vanguard.demo.opinions import FLAGGED_BRANCH, SECOND_ROUND_BRANCH
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.opinions.models import (
    Opinion,
    OpinionRound,
    SurveyAnswer,
    SurveyInvitation,
)
from vanguard.opinions.sorting import selectors
from vanguard.organization.models import Member

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


def test_opinions_came_through_all_five_channels_and_most_are_sorted(demo):
    opinions = Opinion.objects.filter(campaign=demo)
    channels = set(opinions.values_list("channel", flat=True))
    assert channels == set(Opinion.Channel.values)
    counts = selectors.status_counts(opinions)
    assert counts["sorted"] > 0.8 * counts["total"]
    assert counts["new"] >= 5
    assert counts["set_aside"] >= 1
    assert counts["merged"] == 1
    assert opinions.filter(status="set_aside", set_aside_reason="").count() == 0
    # Sorted opinions are attached and tagged.
    assert not opinions.filter(status="sorted", subject_kind="unassigned").exists()
    assert not opinions.filter(status="sorted", kind="unsorted").exists()
    # E-mails keep their sender as the source; talks and symposia hang off a record.
    assert not opinions.filter(channel="email", email__isnull=True).exists()
    assert not opinions.filter(channel__in=["talk", "symposium"], record__isnull=True).exists()


def test_the_demo_secretary_has_new_opinions_to_sort(demo):
    secretary = User.objects.get(username="secretary")
    waiting = selectors.sorting_queue(secretary, campaign=demo, status="new")
    assert waiting.count() >= 5
    assert {o.branch.name for o in waiting} == {DEMO_BRANCH}


def test_the_demo_member_has_sorted_opinions_about_them_on_several_aspects(demo):
    member = Member.objects.get(user__username="member")
    about = Opinion.objects.filter(campaign=demo, subject_member=member, status="sorted")
    assert about.count() >= 5
    assert about.values("aspect").distinct().count() >= 3
    assert {"praise", "criticism", "suggestion"} <= set(about.values_list("kind", flat=True))
    # Their branch's survey rated them by enough respondents to be summarised.
    assert SurveyAnswer.objects.filter(subject_member=member).count() >= 3


def test_the_seeds_branch_opened_a_second_round_face_to_face(demo):
    opened = OpinionRound.objects.get(campaign=demo, branch__name=SECOND_ROUND_BRANCH)
    assert opened.number == 2
    assert "面对面" in opened.reason
    assert opened.opened_by is not None
    branch_opinions = Opinion.objects.filter(campaign=demo, branch__name=SECOND_ROUND_BRANCH)
    first = branch_opinions.filter(round=1)
    assert set(first.values_list("channel", flat=True)) == {"email"}
    assert first.filter(kind="criticism").count() * 10 < first.count()
    second = branch_opinions.filter(round=2)
    assert set(second.values_list("channel", flat=True)) == {"symposium"}
    assert second.values("record").distinct().count() == 6
    assert second.filter(kind="criticism").count() > first.filter(kind="criticism").count()


def test_the_dashboard_flags_the_branch_with_mostly_praise_and_not_the_seeds(demo):
    committee = User.objects.get(username="committee")
    balances = selectors.branch_balances(committee, demo, threshold=20)
    flagged = {b.name for b in balances if b.flagged}
    assert FLAGGED_BRANCH in flagged
    assert SECOND_ROUND_BRANCH not in flagged
    assert len(flagged) <= 5, flagged


def test_some_members_have_no_feedback_yet(demo):
    committee = User.objects.get(username="committee")
    without = selectors.members_without_feedback(committee, demo)
    total = Member.objects.filter(branch__path__startswith=demo.unit.path).count()
    assert 0.1 * total < without.count() < 0.5 * total


def test_surveys_have_enough_respondents_for_some_members_and_too_few_for_others(demo):
    per_member = list(
        SurveyAnswer.objects.filter(survey__campaign_id=demo.pk)
        .values("subject_member")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert any(n >= 3 for n in per_member)
    assert any(n < 3 for n in per_member)
    invitations = SurveyInvitation.objects.filter(survey__campaign_id=demo.pk)
    assert invitations.filter(used=True).exists() and invitations.filter(used=False).exists()
