"""Reads for the ballot pages. Turnout during the vote is a count only."""

from __future__ import annotations

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

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


def _count(model, **filters) -> Subquery:
    rows = model.objects.filter(session=OuterRef("pk"), **filters).order_by().values("session")
    return Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField())


def with_results_published(sessions: QuerySet[AppraisalSession]) -> QuerySet[AppraisalSession]:
    """The closed sessions whose per-candidate results are published, in one query for
    any number of sessions (progress dashboards). The rule is `services.compute_tally`'s:
    electronic + confirmed paper ballots reach the campaign's secrecy minimum (never
    below 3) and are more than the quorum of the roll; `test_secrecy_minimum` checks
    that the two always agree."""
    from vanguard.campaigns.models import BALLOT_SECRECY_FLOOR

    paper = PaperTally.objects.filter(session=OuterRef("pk"), confirmed_by__isnull=False)
    return (
        sessions.filter(status=AppraisalSession.Status.CLOSED)
        .annotate(
            ballots_total=Coalesce(_count(Ballot), 0)
            + Coalesce(Subquery(paper.values("ballots")[:1]), 0),
            voters_total=Coalesce(_count(RollEntry), 0),
            secrecy_minimum=Greatest(
                F("campaign__ballot_secrecy_minimum"), Value(BALLOT_SECRECY_FLOOR)
            ),
        )
        .filter(ballots_total__gte=F("secrecy_minimum"))
        .filter(
            ballots_total__gt=ExpressionWrapper(
                F("quorum") * F("voters_total"),
                output_field=DecimalField(max_digits=12, decimal_places=3),
            )
        )
    )
