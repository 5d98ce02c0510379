"""Builders for the grading tests: a branch whose appraisal vote has been held with
known ballots, on the cast's organisation or on a branch of its own."""

from __future__ import annotations

import datetime

from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession
from vanguard.grading import services
from vanguard.grading.models import UnqualifiedCase
from vanguard.meetings.tests.factories import education_campaign
from vanguard.organization.models import Member, Unit


def held_vote(unit: Unit, ballot_grades: list[dict[int, str]]) -> AppraisalSession:
    """Open the unit's vote, cast one card ballot per entry of `ballot_grades`
    ({member id: grade}; members not named are graded qualified), and close it."""
    root = Unit.objects.get(pk=int(unit.path.strip("/").split("/")[0]))
    campaign = education_campaign(root)
    session = ballots.session_create(campaign=campaign, unit=unit)
    ballots.session_open(session=session)
    for member in Member.objects.filter(appraisal_roll_entries__session=session):
        ballots.roll_mark_present(session=session, member=member)
    cards = ballots.cards_issue(session=session, spares=0)
    candidates = ballots._candidate_ids(session)
    for card, wanted in zip(cards, ballot_grades, strict=False):
        grades = {str(pk): wanted.get(pk, "qualified") for pk in candidates}
        ballots.vote_by_card(session=session, code=card.code, grades=grades)
    ballots.session_close(session=session)
    return session


def case_ready_for_the_committee(case: UnqualifiedCase, cast) -> UnqualifiedCase:
    """Record the talk, the pre-review and the branch vote of a member proposed
    unqualified, today, by the cast's secretary and general-branch secretary."""
    today = datetime.date.today()
    services.case_record_talk(case=case, on=today, note="已谈话", user=cast.secretary)
    services.case_record_prereview(
        case=case, on=today, agrees=True, note="同意", user=cast.gb_secretary
    )
    return services.case_record_vote(
        case=case,
        on=today,
        votes_for=2,
        votes_against=0,
        votes_abstain=0,
        proposed_outcome="rectify",
        user=cast.secretary,
    )
