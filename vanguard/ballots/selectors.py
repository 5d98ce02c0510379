"""Reads for the ballot pages. Turnout during the vote is a count only."""

from __future__ import annotations

from django.db.models import QuerySet

from vanguard.ballots.models import AppraisalSession, Ballot, PaperTally, RollEntry, VotingCard


def sessions_for_units(unit_ids) -> QuerySet[AppraisalSession]:
    return AppraisalSession.objects.filter(unit_id__in=unit_ids).select_related(
        "unit", "campaign", "meeting"
    )


def roll(session: AppraisalSession) -> QuerySet[RollEntry]:
    """The frozen roll, for the door: who is present, who voted by logging in."""
    return (
        RollEntry.objects.filter(session=session)
        .select_related("member")
        .order_by("member__number")
    )


def candidates(session: AppraisalSession) -> QuerySet[RollEntry]:
    """Whom a ballot grades, in the order the ballot form shows them."""
    return roll(session).filter(is_candidate=True)


def turnout_count(session: AppraisalSession) -> int:
    """Ballots cast so far: a count, never which ones (the projector view)."""
    return Ballot.objects.filter(session=session).count()


def cards_left(session: AppraisalSession) -> int:
    return VotingCard.objects.filter(session=session, used=False, void=False).count()


def paper_tally(session: AppraisalSession) -> PaperTally | None:
    """The session's paper-ballot totals, with who entered and who confirmed them."""
    return (
        PaperTally.objects.filter(session=session)
        .select_related("entered_by", "confirmed_by")
        .first()
    )
