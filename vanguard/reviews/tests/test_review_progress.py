"""The per-branch progress of the three rounds: members at each round and state, the
return rate per branch, and a query count that does not grow with the branches."""

from __future__ import annotations

from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member
from vanguard.organization.models import Unit
from vanguard.reviews import selectors_review as selectors
from vanguard.reviews.models import BranchReview, ReviewRound, SelfAnalysis, SubmittedVersion
from vanguard.reviews.tests import factories_member as docs

pytestmark = pytest.mark.django_db
State = SelfAnalysis.State
numbers = count(100)


def document(campaign, member, *, round_number: int = 1, state: str = State.DRAFT, verdicts=()):
    """A document with the given branch verdicts on record (test data, written directly)."""
    doc = SelfAnalysis.objects.create(
        campaign=campaign, member=member, current_round=round_number, state=state
    )
    review_round = ReviewRound.objects.create(document=doc, number=round_number)
    for number, verdict in enumerate(verdicts, start=1):
        version = SubmittedVersion.objects.create(document=doc, number=number, round=round_number)
        BranchReview.objects.create(
            round=review_round, version=version, verdict=verdict, reasons="理由"
        )
    return doc


def branch_with_documents(parent: Unit, name: str, campaign) -> Unit:
    branch = Unit.objects.create(name=name, kind=Unit.Kind.BRANCH, parent=parent)
    for state, verdicts in ((State.SUBMITTED, ()), (State.RETURNED, ("return",))):
        member = make_member(name="党员", number=f"X{next(numbers)}", branch=branch)
        document(campaign, member, state=state, verdicts=verdicts)
    return branch


def test_counts_members_at_each_round_and_state_with_return_rate(org, cast):
    campaign = docs.campaign(org)
    document(campaign, cast.member_record, state=State.RETURNED, verdicts=("return", "return"))
    document(campaign, cast.colleague_record, round_number=2, state=State.SUBMITTED, verdicts=())
    secretary_member = cast.secretary.member
    document(
        campaign,
        secretary_member,
        round_number=1,
        state=State.WITH_COMMITTEE,
        verdicts=("return", "pass"),
    )
    rows = {
        row.unit.pk: row
        for row in selectors.review_progress(cast.committee_admin, campaign=campaign)
    }
    a1 = rows[org.branch_a1.pk]
    assert a1.members == 3
    assert a1.not_started == 0
    assert a1.counts == {
        (1, State.RETURNED): 1,
        (2, State.SUBMITTED): 1,
        (1, State.WITH_COMMITTEE): 1,
    }
    assert (a1.reviews, a1.returns, a1.return_rate) == (4, 3, 75)
    b1 = rows[org.branch_b1.pk]
    assert (b1.members, b1.not_started, b1.return_rate) == (1, 1, None)


def test_progress_page_shows_the_return_rate_to_the_general_branch_secretary(client, org, cast):
    campaign = docs.campaign(org)
    document(campaign, cast.member_record, state=State.RETURNED, verdicts=("return", "pass"))
    client.force_login(cast.gb_secretary)
    page = client.get(reverse("reviews:progress")).content.decode()
    assert org.branch_a1.name in page
    assert "50%" in page
    assert org.branch_b1.name not in page  # outside general branch A


def test_progress_can_be_narrowed_to_one_general_branch(client, org, cast):
    docs.campaign(org)
    client.force_login(cast.committee_admin)
    page = client.get(reverse("reviews:progress"), {"unit": org.gb_b.pk}).content.decode()
    assert f'<th scope="row">{org.branch_b1.name}' in page
    assert f'<th scope="row">{org.branch_a1.name}' not in page


def test_progress_query_count_does_not_grow_with_branches(client, org, cast):
    campaign = docs.campaign(org)
    branch_with_documents(org.gb_a, "小支部一", campaign)
    client.force_login(cast.committee_admin)
    url = reverse("reviews:progress")
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(8):
        branch_with_documents(org.gb_b, f"新增支部{i}", campaign)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert "新增支部7" in response.content.decode()
    assert len(large) == len(small)


def test_review_queue_query_count_does_not_grow_with_members(client, org, cast):
    campaign = docs.campaign(org)
    client.force_login(cast.secretary)
    url = reverse("reviews:queue")
    document(campaign, cast.member_record, state=State.SUBMITTED)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for _i in range(6):
        member = make_member(name="新党员", number=f"Q{next(numbers)}", branch=org.branch_a1)
        document(campaign, member, state=State.SUBMITTED)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
