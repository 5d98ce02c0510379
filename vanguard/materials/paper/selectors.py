"""What the paper forms print, read from the ballots and opinions apps: the names a
paper appraisal sheet (测评表) grades and the aspects a paper survey form (征求意见表)
asks about. Nothing here reads a ballot or an answer: a blank form needs only the
roll and the aspects."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from vanguard.ballots import selectors as ballot_selectors
from vanguard.ballots import services as ballot_services
from vanguard.ballots.models import AppraisalSession
from vanguard.opinions.intake import services as intake_services
from vanguard.opinions.models import Survey
from vanguard.organization.models import Member

# A printed run of appraisal sheets: at least one, and no more than a large hall holds.
MAX_COPIES = 500


@dataclass(frozen=True)
class BallotSheet:
    """The blank appraisal sheet of one vote: who is graded, who votes."""

    session_id: int
    unit_name: str
    campaign_name: str
    campaign_year: int
    held_on: datetime.date | None
    candidates: list[str]
    voters: int  # the members expected to vote: the frozen roll, or today's members


def ballot_sheet(session: AppraisalSession) -> BallotSheet:
    """The sheet of `session`, graded in the order of the phone ballot (roster number).

    Once the vote is open its roll is frozen: the candidates are the roll's formal
    members. Before, the sheet is printed from the unit's members today, as
    `session_open` will freeze them (formal members graded, probationary members vote
    only)."""
    if session.status == AppraisalSession.Status.DRAFT:
        members = ballot_services.eligible_members(session.unit).order_by("number")
        candidates = [m.name for m in members if m.standing == Member.Standing.FORMAL]
        voters = len(members)
    else:
        roll = list(ballot_selectors.roll(session))
        candidates = [entry.member.name for entry in roll if entry.is_candidate]
        voters = len(roll)
    meeting = session.meeting
    held_on = timezone.localdate(meeting.held_at) if meeting is not None else None
    return BallotSheet(
        session_id=session.pk,
        unit_name=session.unit.name,
        campaign_name=session.campaign.name,
        campaign_year=session.campaign.year,
        held_on=held_on,
        candidates=candidates,
        voters=voters,
    )


@dataclass(frozen=True)
class SurveySheet:
    """The blank written-survey form of one survey: the members and the aspects, in the
    order of the page the secretary types a filled form into (`survey_paper`)."""

    survey_id: int
    title: str
    branch_name: str
    campaign_name: str
    aspects: list[str]
    members: list[str]


def survey_sheet(survey: Survey) -> SurveySheet:
    return SurveySheet(
        survey_id=survey.pk,
        title=survey.title,
        branch_name=survey.branch.name,
        campaign_name=survey.campaign.name,
        aspects=[aspect.name for aspect in intake_services.aspects_for(survey.campaign)],
        members=[member.name for member in intake_services.branch_members(survey.branch)],
    )
