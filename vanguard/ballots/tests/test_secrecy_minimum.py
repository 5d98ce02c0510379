"""The secrecy minimum (DESIGN.md: "two voters must not be able to subtract their own
ballots to learn a third's"): a closed vote's per-candidate results exist only with at
least the campaign's minimum of ballots (3 unless it asks for more; electronic +
confirmed paper) and a met quorum. Otherwise `compute_tally` has no per-candidate
counts at all, and the tally page shows the number of ballots and the reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.ballots import services
from vanguard.ballots.models import AppraisalSession, RollEntry
from vanguard.ballots.tests import factories as f
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

EX, OK, BASIC, BAD = f.GRADES


def _grow(org, formal: int) -> None:
    """Add formal members to branch_a1 (the cast gives it 3): a larger roll."""
    for i in range(formal):
        Member.objects.create(
            name=f"增补党员{i}",
            number=f"T05{i:02d}",
            branch=org.branch_a1,
            category=Member.Category.FACULTY,
            standing=Member.Standing.FORMAL,
        )


def _closed_vote(org, cast, ballots: int, *, minimum: int | None = None) -> AppraisalSession:
    """branch_a1 votes: the first `ballots` members on the roll are ticked present and
    vote by card, each an all-excellent ballot; then the secretary closes the vote."""
    session = f.session_for(org.branch_a1)
    if minimum is not None:
        session.campaign.ballot_secrecy_minimum = minimum
        session.campaign.save()
    services.session_open(session=session, user=cast.secretary)
    cards = services.cards_issue(session=session, spares=0)
    for entry in RollEntry.objects.filter(session=session).order_by("member__number")[:ballots]:
        services.roll_mark_present(session=session, member=entry.member)
    for card in cards[:ballots]:
        services.vote_by_card(session=session, code=card.code, grades=f.uniform_ballot(session, EX))
    services.session_close(session=session, user=cast.secretary)
    return session


def _page(client, user, session) -> str:
    client.force_login(user)
    response = client.get(reverse("ballots:tally", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _shows_no_candidate_count(page: str) -> None:
    assert 'id="tally-withheld"' in page
    assert '<table class="tally-table">' not in page
    assert "%)</small>" not in page  # no grade's share of anyone's votes
    assert 'data-label="优秀"' not in page


# --- services ---------------------------------------------------------------------------


@pytest.mark.parametrize("ballots", [1, 2])
def test_one_or_two_ballots_leave_the_tally_with_no_per_candidate_counts(org, cast, ballots):
    session = _closed_vote(org, cast, ballots)
    result = services.compute_tally(session=session)
    assert result.withheld == services.WITHHELD_TOO_FEW_BALLOTS and not result.published
    # 2 of 3 meet the quorum: the minimum alone withholds them (it is checked first).
    assert result.quorum_met == (ballots == 2)
    assert (result.ballots, result.secrecy_minimum) == (ballots, 3)
    assert [c.name for c in result.candidates] == ["李书记", "王小明", "张丽"]
    assert all(c.counts == {} and c.shares == {} and c.blank == 0 for c in result.candidates)
    assert result.withheld_reason == (
        f"收回选票 {ballots} 张，少于保密所需的最少 3 张，不公布各人得票。"
    )


def test_three_ballots_and_a_quorum_show_the_counts(org, cast):
    result = services.compute_tally(session=_closed_vote(org, cast, 3))
    assert result.published and result.withheld == "" and result.withheld_reason == ""
    assert all(c.counts == {EX: 3, OK: 0, BASIC: 0, BAD: 0} for c in result.candidates)


def test_three_ballots_without_a_quorum_are_withheld(org, cast):
    _grow(org, 4)  # 7 on the roll: 3 ballots are not more than half
    result = services.compute_tally(session=_closed_vote(org, cast, 3))
    assert not result.quorum_met
    assert result.withheld == services.WITHHELD_QUORUM_NOT_MET
    assert all(c.counts == {} for c in result.candidates)
    assert result.withheld_reason == (
        "收回选票 3 张，未超过名册 7 人的 50%，未达到有效人数，不公布各人得票。"
    )


def test_a_campaign_may_ask_for_more_ballots_than_three(org, cast):
    _grow(org, 3)  # 6 on the roll: 4 ballots meet the quorum
    session = _closed_vote(org, cast, 4, minimum=5)
    result = services.compute_tally(session=session)
    assert result.quorum_met and result.withheld == services.WITHHELD_TOO_FEW_BALLOTS
    assert result.secrecy_minimum == 5
    assert all(c.counts == {} for c in result.candidates)
    assert "少于保密所需的最少 5 张" in result.withheld_reason


def test_confirmed_paper_ballots_count_toward_the_minimum_pending_ones_do_not(org, cast):
    _grow(org, 2)  # 5 on the roll
    session = _closed_vote(org, cast, 2)
    candidates = services._candidate_ids(session)
    counts = {str(pk): {EX: 0, OK: 2, BASIC: 0, BAD: 0} for pk in candidates}
    services.paper_totals_enter(session=session, ballots=2, counts=counts, user=cast.secretary)
    pending = services.compute_tally(session=session)
    assert pending.paper_status == "pending"
    assert pending.withheld == services.WITHHELD_TOO_FEW_BALLOTS  # 2 electronic only

    services.paper_totals_confirm(session=session, user=cast.committee_admin)
    result = services.compute_tally(session=session)
    assert result.total_ballots == 4 and result.published
    assert all(c.counts == {EX: 2, OK: 2, BASIC: 0, BAD: 0} for c in result.candidates)


def test_the_tally_in_the_audit_trail_says_it_was_withheld(org, cast):
    from vanguard.audit.models import AuditEntry

    services.tally(session=_closed_vote(org, cast, 2), user=cast.secretary)
    entry = AuditEntry.objects.get(note="ballots.tally")
    assert entry.after["withheld"] == "too_few_ballots" and entry.after["ballots"] == 2


# --- the tally page ---------------------------------------------------------------------


@pytest.mark.parametrize("ballots", [1, 2])
@pytest.mark.parametrize("who", ["secretary", "committee_admin"])
def test_the_tally_page_shows_only_the_number_of_ballots_and_why(client, org, cast, ballots, who):
    page = _page(client, getattr(cast, who), _closed_vote(org, cast, ballots))
    _shows_no_candidate_count(page)
    assert f"收回选票 {ballots} 张，少于保密所需的最少 3 张，不公布各人得票。" in page
    assert f"收回选票 {ballots} 张，名册 3 人" in page  # the count of ballots stays


@pytest.mark.parametrize("who", ["secretary", "committee_admin"])
def test_the_tally_page_shows_the_counts_from_three_ballots(client, org, cast, who):
    page = _page(client, getattr(cast, who), _closed_vote(org, cast, 3))
    assert 'id="tally-withheld"' not in page
    assert '<table class="tally-table">' in page
    assert 'data-label="优秀">3 <small>(100.0%)</small>' in page


def test_the_tally_page_withholds_without_a_quorum(client, org, cast):
    _grow(org, 4)
    page = _page(client, cast.secretary, _closed_vote(org, cast, 3))
    _shows_no_candidate_count(page)
    assert "未达到有效人数，不公布各人得票。" in page


def test_the_tally_page_withholds_below_the_campaigns_own_minimum(client, org, cast):
    _grow(org, 3)
    page = _page(client, cast.committee_admin, _closed_vote(org, cast, 4, minimum=5))
    _shows_no_candidate_count(page)
    assert "收回选票 4 张，少于保密所需的最少 5 张，不公布各人得票。" in page


def test_the_tally_page_shows_the_counts_once_paper_ballots_reach_the_minimum(client, org, cast):
    _grow(org, 2)
    session = _closed_vote(org, cast, 2)
    counts = {str(pk): {EX: 1, OK: 1, BASIC: 0, BAD: 0} for pk in services._candidate_ids(session)}
    services.paper_totals_enter(session=session, ballots=2, counts=counts, user=cast.secretary)
    services.paper_totals_confirm(session=session, user=cast.committee_admin)
    page = _page(client, cast.secretary, session)
    assert 'id="tally-withheld"' not in page
    assert 'data-label="优秀">3 <small>(75.0%)</small>' in page


def test_the_progress_selector_publishes_exactly_the_votes_whose_tally_is_published(org, cast):
    """`selectors.with_results_published` (one query, for the phase requirement "the
    branch held its vote") states compute_tally's rule again in SQL: they must agree."""
    from vanguard.ballots.selectors import with_results_published

    sessions = [_closed_vote(org, cast, n) for n in (1, 2, 3)]  # 3 on the roll
    _grow(org, 4)  # 7 on the roll
    sessions += [_closed_vote(org, cast, 3), _closed_vote(org, cast, 4)]  # no quorum; valid
    with_paper = _closed_vote(org, cast, 2)
    counts = {
        str(pk): {EX: 0, OK: 2, BASIC: 0, BAD: 0} for pk in services._candidate_ids(with_paper)
    }
    services.paper_totals_enter(session=with_paper, ballots=2, counts=counts, user=cast.secretary)
    sessions.append(with_paper)
    published = set(
        with_results_published(AppraisalSession.objects.all()).values_list("pk", flat=True)
    )
    expected = {s.pk for s in sessions if services.compute_tally(session=s).published}
    assert published == expected == {sessions[2].pk, sessions[4].pk}
    services.paper_totals_confirm(session=with_paper, user=cast.committee_admin)  # 2 + 2 of 7
    sessions[0].campaign.ballot_secrecy_minimum = 4
    sessions[0].campaign.save()
    published = set(
        with_results_published(AppraisalSession.objects.all()).values_list("pk", flat=True)
    )
    expected = {s.pk for s in sessions if services.compute_tally(session=s).published}
    assert published == expected == {sessions[4].pk, with_paper.pk}
