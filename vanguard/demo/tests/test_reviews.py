"""The demo's self-analyses (三上三下): members at every round and state, returned
documents with two reasons and a visible revision, the seed's strict branch that
reviewed a second time, work waiting for the demo secretary and the committee —
every document in a state the state machine could have reached, the same every
time it is built."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DEMO_BRANCH, LAGGING_BRANCHES, STRICT_BRANCH
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.lib.textdiff import INSERT
from vanguard.organization.models import Member
from vanguard.reviews.access import can_branch_review, can_committee_respond
from vanguard.reviews.diff import version_diff
from vanguard.reviews.models import (
    SECTIONS,
    BranchReview,
    CommitteeResponse,
    ReviewRound,
    SelfAnalysis,
    SubmittedVersion,
)

pytestmark = pytest.mark.django_db

S = SelfAnalysis.State
PASS, RETURN = BranchReview.Verdict.PASS, BranchReview.Verdict.RETURN
SECTION_NAMES = [name for name, _label in SECTIONS]


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    """The demo, kept for this module (kept_demo: built once per worker, each test's
    writes rolled back before the next test)."""
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def _documents(campaign: Campaign) -> list[SelfAnalysis]:
    return list(
        SelfAnalysis.objects.filter(campaign=campaign)
        .select_related("member", "member__branch")
        .prefetch_related(
            "rounds__committee_response",
            "versions__branch_reviews",
        )
        .order_by("member__number")
    )


def _problems(document: SelfAnalysis) -> list[str]:
    """How the document disagrees with the state machine (empty: it agrees)."""
    wrong: list[str] = []
    rounds = sorted(document.rounds.all(), key=lambda r: r.number)
    versions = sorted(document.versions.all(), key=lambda v: v.number)
    current = document.current_round
    if [r.number for r in rounds] != list(range(1, current + 1)):
        wrong.append(f"rounds {[r.number for r in rounds]} for current round {current}")
        return wrong
    if [v.number for v in versions] != list(range(1, len(versions) + 1)):
        wrong.append("version numbers are not 1..n")
    if [v.round for v in versions] != sorted(v.round for v in versions):
        wrong.append("versions go back to an earlier round")
    if any(v.round > current for v in versions):
        wrong.append("a version of a round not opened yet")
    for version in versions:
        reviews = list(version.branch_reviews.all())
        if len(reviews) > 1:
            wrong.append(f"v{version.number} reviewed {len(reviews)} times")
        for review in reviews:
            if review.round.number != version.round:
                wrong.append(f"v{version.number}'s review is filed under another round")
            if review.verdict == RETURN and not review.reasons.strip():
                wrong.append(f"v{version.number} returned without reasons")
            if set(review.criteria) != {"problem_found", "understanding_clear", "direction_clear"}:
                wrong.append(f"v{version.number}'s review misses a criterion")
            if any(not isinstance(c.get("ok"), bool) for c in review.criteria.values()):
                wrong.append(f"v{version.number}'s review has a criterion without yes/no")
    for round_ in rounds:
        in_round = [v for v in versions if v.round == round_.number]
        verdicts = [r.verdict for v in in_round for r in v.branch_reviews.all()]
        answered = hasattr(round_, "committee_response")
        closed = round_.number < current or document.state == S.APPROVED
        # Every version but the round's last was returned; a pass can only be the last.
        if any([r.verdict for r in v.branch_reviews.all()] != [RETURN] for v in in_round[:-1]):
            wrong.append(f"round {round_.number}: an earlier version was not returned")
        if closed:
            if not (answered and round_.closed_at):
                wrong.append(f"round {round_.number} closed without the committee's word")
            if not in_round or verdicts[-1:] != [PASS]:
                wrong.append(f"round {round_.number} closed without the branch's pass")
        elif answered or round_.closed_at:
            wrong.append(f"round {round_.number} answered while still open")
        if PASS in verdicts and round_.number >= 2 and not round_.grade_fact.strip():
            wrong.append(f"round {round_.number} passed without its grade facts")
        if answered and round_.committee_response.at < max(
            (r.at for v in in_round for r in v.branch_reviews.all()), default=round_.opened_at
        ):
            wrong.append(f"round {round_.number} answered before the branch reviewed it")

    now = [v for v in versions if v.round == current]
    last = now[-1] if now else None
    last_verdicts = [r.verdict for r in last.branch_reviews.all()] if last else []
    expected = {
        S.DRAFT: last is None,
        S.SUBMITTED: last is not None and last_verdicts == [],
        S.RETURNED: last is not None and last_verdicts == [RETURN],
        S.WITH_COMMITTEE: last is not None and last_verdicts == [PASS],
        S.APPROVED: current == 3 and last_verdicts == [PASS],
    }
    if not expected.get(document.state, False):
        wrong.append(f"state {document.state} in round {current} with {last_verdicts}")
    waiting = document.state in (S.SUBMITTED, S.WITH_COMMITTEE, S.APPROVED) and last is not None
    if waiting and any(getattr(document, n) != getattr(last, n) for n in SECTION_NAMES):
        wrong.append("the draft differs from the version waiting for review")
    if versions and document.draft_version < 1:
        wrong.append("submitted versions but no saved draft")
    return [f"{document.member.number} {document.member.name}: {w}" for w in wrong]


def test_every_document_is_in_a_state_the_state_machine_could_reach(demo):
    documents = _documents(demo)
    assert len(documents) > 500
    problems = [problem for document in documents for problem in _problems(document)]
    assert problems == []


def test_members_stand_at_every_round_and_state(demo):
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for round_number, state in SelfAnalysis.objects.filter(campaign=demo).values_list(
        "current_round", "state"
    ):
        counts[(round_number, state)] += 1
    for number in (1, 2, 3):
        for state in (S.DRAFT, S.SUBMITTED, S.RETURNED, S.WITH_COMMITTEE):
            assert counts[(number, state)] > 0, (number, state)
    assert counts[(3, S.APPROVED)] > 0
    # Most members are writing or have sent round 1 up; a few are approved.
    round_one = sum(n for (number, _state), n in counts.items() if number == 1)
    assert round_one > sum(counts.values()) / 3
    assert counts[(3, S.APPROVED)] < counts[(1, S.SUBMITTED)]


def test_returned_versions_carry_two_reasons_and_the_revision_is_visibly_different(demo):
    returns = BranchReview.objects.filter(version__document__campaign=demo, verdict=RETURN)
    assert returns.count() >= 20
    for review in returns.select_related("version"):
        assert len(review.reasons.splitlines()) == 2, review.reasons
        assert sum(not c["ok"] for c in review.criteria.values()) == 2
    # A returned round-1 version and the one that followed differ, and the diff shows it.
    review = returns.filter(version__round=1).order_by("version__document__member__number")[0]
    revision = SubmittedVersion.objects.get(
        document=review.version.document, number=review.version.number + 1
    )
    diff = version_diff(review.version, revision)
    changed = [name for name, chunks in diff.items() if any(op == INSERT for op, _t in chunks)]
    assert len(changed) >= 3, changed


def test_the_strict_branch_returned_summaries_and_reviewed_them_a_second_time(demo):
    documents = SelfAnalysis.objects.filter(campaign=demo, member__branch__name=STRICT_BRANCH)
    members = documents.count()
    returned_then_passed = (
        documents.filter(versions__round=1, versions__branch_reviews__verdict=RETURN)
        .filter(versions__round=1, versions__branch_reviews__verdict=PASS)
        .distinct()
        .count()
    )
    assert members >= 10
    assert returned_then_passed > members / 3
    assert documents.filter(state=S.RETURNED).exists()


def test_the_demo_secretary_has_the_members_document_and_a_resubmission_to_review(demo):
    secretary = User.objects.get(username="secretary")
    member = Member.objects.get(user__username="member")
    mine = SelfAnalysis.objects.get(campaign=demo, member=member)
    assert (mine.state, mine.current_round, mine.versions.count()) == (S.SUBMITTED, 1, 1)
    assert can_branch_review(secretary, mine)
    waiting = SelfAnalysis.objects.filter(
        campaign=demo, member__branch__name=DEMO_BRANCH, state=S.SUBMITTED
    )
    resubmitted = [d for d in waiting if d.versions.count() >= 2]
    assert resubmitted, "no returned-and-resubmitted document in the demo branch"
    first = resubmitted[0].versions.get(number=1)
    assert first.branch_reviews.get().verdict == RETURN
    assert SelfAnalysis.objects.filter(
        campaign=demo, member__branch__name=DEMO_BRANCH, state=S.RETURNED
    ).exists()


def test_the_committee_has_documents_waiting_for_its_word(demo):
    committee = User.objects.get(username="committee")
    waiting = SelfAnalysis.objects.filter(campaign=demo, state=S.WITH_COMMITTEE).select_related(
        "member__branch"
    )
    assert waiting.count() >= 20
    assert all(can_committee_respond(committee, d) for d in waiting[:20])
    # Every answered round was answered by the committee admin.
    assert not CommitteeResponse.objects.filter(
        round__document__campaign=demo, author__isnull=True
    ).exists()


def test_lagging_branches_are_behind(demo):
    lagging = SelfAnalysis.objects.filter(campaign=demo, member__branch__name__in=LAGGING_BRANCHES)
    members = Member.objects.filter(branch__name__in=LAGGING_BRANCHES, is_active=True).count()
    sent_up = lagging.exclude(state=S.DRAFT).count()
    assert sent_up < members / 2


def test_round_two_submissions_carry_the_grade_facts_of_the_democratic_appraisal(demo):
    rounds = ReviewRound.objects.filter(
        document__campaign=demo, number=2, document__current_round=2
    ).exclude(document__state=S.DRAFT)
    assert rounds.exists()
    assert not rounds.filter(grade_fact="").exists()
    assert all("民主评议会" in fact for fact in rounds.values_list("grade_fact", flat=True))


def test_texts_are_chinese_in_four_sections_and_differ_between_members(demo):
    versions = SubmittedVersion.objects.filter(document__campaign=demo)
    problems = set(versions.filter(number=1).values_list("problems", flat=True))
    assert len(problems) > 0.8 * versions.filter(number=1).count()
    sample = versions.order_by("pk").first()
    assert "一是" in sample.problems and "一是" in sample.roots and "一是" in sample.direction
    assert sample.summary


def test_the_demo_secretary_logs_in_to_a_queue_with_a_comparison_to_read(demo, client):
    secretary = User.objects.get(username="secretary")
    member = Member.objects.get(user__username="member")
    client.force_login(secretary)
    queue = client.get(reverse("reviews:queue")).content.decode()
    assert member.name in queue
    resubmitted = next(
        d
        for d in SelfAnalysis.objects.filter(
            campaign=demo, member__branch__name=DEMO_BRANCH, state=S.SUBMITTED
        )
        if d.versions.count() == 2
    )
    review = client.get(reverse("reviews:review", args=[resubmitted.pk])).content.decode()
    assert "对比第1版与第2版" in review
    compare = client.get(reverse("reviews:compare", args=[resubmitted.pk]) + "?a=1&b=2")
    assert "<ins>" in compare.content.decode()
