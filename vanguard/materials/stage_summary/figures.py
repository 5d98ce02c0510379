"""The figures of one branch in one campaign phase, read from the apps that own them,
for the stage summary's first draft (`drafting.py`).

Each figure comes from its owner's reading: the progress engine for the phase's
requirements (`campaigns.progress.campaign_progress`, judged against the phase), the
readings the dashboard sums for meetings and study (`meetings.requirements.meetings`,
`study.requirements.*` over a `campaigns.requirements.Context` of the branch), the
opinions dashboard's grouped counts (`opinions.sorting.selectors.counts_by`, counts
only: never a source, a date or an order), the ballots app's tally of each closed
vote (`ballots.services.compute_tally`: the number of ballots and the turnout, never
a candidate's counts), grading's decision (`grading.selectors.grading_for`) and the
rectification ledgers' `tally_plans`.

Two counts have no reading that does not need a reader (the reviews' branch progress
and the opinions dashboard start from what a person sees); the summary is a branch's
own document, so they are counted here over the branch, with the same groupings.

Grade counts are given only when at least the campaign's ballot secrecy minimum of
members were graded: with fewer, a count by grade would single people out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from vanguard.ballots import selectors as ballot_selectors
from vanguard.ballots import services as ballot_services
from vanguard.ballots.models import AppraisalSession, Grade
from vanguard.campaigns.models import BALLOT_SECRECY_FLOOR, Campaign, Phase
from vanguard.campaigns.progress import campaign_progress
from vanguard.campaigns.requirements import Context
from vanguard.grading import selectors as grading_selectors
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.meetings import requirements as meeting_readings
from vanguard.meetings.models import Meeting
from vanguard.opinions.models import Opinion, OpinionRound
from vanguard.opinions.sorting.selectors import counts_by
from vanguard.organization.models import Member, Unit
from vanguard.rectification.ledgers.selectors import Tally, tally_plans
from vanguard.rectification.models import Plan
from vanguard.reviews.models import BranchReview, SelfAnalysis
from vanguard.study import requirements as study_readings
from vanguard.study.models import StudyWork

# The phases in which each kind of work is summed up.
ANALYSIS_KEYS = (Phase.Key.ANALYSIS, Phase.Key.APPRAISAL)


@dataclass(frozen=True)
class RequirementFigure:
    label: str
    done: int
    total: int
    met: bool
    member_scope: bool
    kind: str


@dataclass(frozen=True)
class HeldMeeting:
    kind: str
    kind_label: str
    title: str
    on: datetime.date


@dataclass(frozen=True)
class VoteFigure:
    unit_name: str
    voters: int  # on the roll
    ballots: int  # electronic + confirmed paper
    turnout_percent: int
    published: bool
    withheld_reason: str


@dataclass
class PhaseFigures:
    campaign: Campaign
    branch: Unit
    phase: Phase
    members: int = 0
    formal: int = 0
    probationary: int = 0
    requirements: list[RequirementFigure] = field(default_factory=list)
    meetings: list[HeldMeeting] = field(default_factory=list)
    # study
    study_plan_submitted: bool = False
    study_sessions: int = 0
    attendances: int = 0  # person-times present at study sessions
    works: dict[str, int] = field(default_factory=dict)  # StudyWork.Kind -> count
    members_with_works: int = 0
    # opinions
    opinions_by_channel: dict[str, int] = field(default_factory=dict)  # received, by channel
    opinions_sorted: int = 0
    opinions_by_kind: dict[str, int] = field(default_factory=dict)  # sorted, by kind
    opinion_rounds: int = 1
    # reviews (三上三下)
    reviews_by_round: dict[int, dict[str, int]] = field(default_factory=dict)
    reviews_approved: int = 0
    reviews_started: int = 0
    branch_reviews: int = 0
    branch_returns: int = 0
    # vote and grades
    votes: list[VoteFigure] = field(default_factory=list)
    grading_status: str = ""  # BranchGrading.Status, "" when none
    graded: int = 0
    grades: dict[str, int] | None = None  # approved, by grade; None below the minimum
    # rectification
    rectification: Tally = field(default_factory=Tally)

    @property
    def phase_key(self) -> str:
        return self.phase.key

    @property
    def is_study(self) -> bool:
        return self.phase.key == Phase.Key.STUDY

    @property
    def is_analysis(self) -> bool:
        return self.phase.key in ANALYSIS_KEYS

    @property
    def is_rectification(self) -> bool:
        return self.phase.key == Phase.Key.RECTIFICATION

    @property
    def opinions_total(self) -> int:
        return sum(self.opinions_by_channel.values())

    @property
    def works_total(self) -> int:
        return sum(self.works.values())

    @property
    def meetings_by_kind(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for meeting in self.meetings:
            found[meeting.kind] = found.get(meeting.kind, 0) + 1
        return found

    @property
    def required_meetings(self) -> list[RequirementFigure]:
        return [r for r in self.requirements if r.kind == "branch_meeting"]


def _context(campaign: Campaign, branch: Unit, phase: Phase) -> Context:
    """The branch's subtree, read as of the end of the phase (or now, while it runs)."""
    end = timezone.make_aware(datetime.datetime.combine(phase.ends_on, datetime.time.max))
    return Context(campaign=campaign, paths=[branch.path], now=min(end, timezone.now()))


def _requirements(campaign: Campaign, branch: Unit, phase: Phase) -> list[RequirementFigure]:
    progress = campaign_progress(campaign=campaign, roots=[branch], phase=phase)
    unit = progress.units.get(branch.pk)
    if unit is None:
        return []
    return [
        RequirementFigure(
            label=str(result.label),
            done=result.done,
            total=result.total,
            met=result.met,
            member_scope=result.is_member_scope,
            kind=result.requirement.kind,
        )
        for result in unit.results
    ]


def _meetings(ctx: Context, phase: Phase) -> list[HeldMeeting]:
    """The meetings of the branch and its party groups held within the phase's dates,
    as the meeting requirement counts them."""
    labels = dict(Meeting.Kind.choices)
    held = [
        (kind, day)
        for _unit, kind, day in meeting_readings.meetings(ctx)
        if phase.starts_on <= day <= phase.ends_on
    ]
    if not held:
        return []
    titles = (
        Meeting.objects.filter(campaign=ctx.campaign, held_at__lte=ctx.now)
        .filter(ctx.under("unit__path"))
        .order_by("held_at", "pk")
        .values_list("kind", "title", "held_at")
    )
    return [
        HeldMeeting(kind, str(labels.get(kind, kind)), title, timezone.localdate(at))
        for kind, title, at in titles
        if phase.starts_on <= timezone.localdate(at) <= phase.ends_on
    ]


def _study(figures: PhaseFigures, ctx: Context) -> None:
    figures.study_plan_submitted = bool(study_readings.submitted_plans(ctx))
    figures.study_sessions = sum(study_readings.sessions_held(ctx).values())
    figures.attendances = sum(study_readings.attendance_counts(ctx).values())
    works: dict[str, int] = defaultdict(int)
    members: set[int] = set()
    for (member_id, kind), n in study_readings.study_work_counts(ctx).items():
        works[kind] += n
        members.add(member_id)
    figures.works = {kind: works[kind] for kind in StudyWork.Kind.values if works.get(kind)}
    figures.members_with_works = len(members)


def _opinions(figures: PhaseFigures) -> None:
    opinions = Opinion.objects.filter(campaign=figures.campaign, branch=figures.branch)
    received = opinions.exclude(status=Opinion.Status.MERGED)
    figures.opinions_by_channel = {
        row["channel"]: row["n"] for row in counts_by(received, "channel") if row["n"]
    }
    sorted_ = opinions.filter(status=Opinion.Status.SORTED)
    by_kind = {row["kind"]: row["n"] for row in counts_by(sorted_, "kind")}
    figures.opinions_by_kind = by_kind
    figures.opinions_sorted = sum(by_kind.values())
    last = OpinionRound.objects.filter(campaign=figures.campaign, branch=figures.branch).aggregate(
        n=Max("number")
    )["n"]
    figures.opinion_rounds = last or 1


def _reviews(figures: PhaseFigures) -> None:
    documents = SelfAnalysis.objects.filter(
        campaign=figures.campaign, member__branch=figures.branch, member__is_active=True
    )
    by_round: dict[int, dict[str, int]] = defaultdict(dict)
    for number, state, n in (
        documents.order_by()
        .values_list("current_round", "state")
        .annotate(n=Count("pk"))
        .values_list("current_round", "state", "n")
    ):
        figures.reviews_started += n
        if state == SelfAnalysis.State.APPROVED:
            figures.reviews_approved += n
        else:
            by_round[number][state] = by_round[number].get(state, 0) + n
    figures.reviews_by_round = dict(sorted(by_round.items()))
    counts = BranchReview.objects.filter(
        version__document__campaign=figures.campaign,
        version__document__member__branch=figures.branch,
    ).aggregate(
        all=Count("pk"),
        returns=Count("pk", filter=Q(verdict=BranchReview.Verdict.RETURN)),
    )
    figures.branch_reviews, figures.branch_returns = counts["all"], counts["returns"]


def _votes(figures: PhaseFigures) -> None:
    """Each closed vote of the branch (or of its party groups): the roll, the ballots
    and the turnout as the tally publishes them, and whether per-candidate results were
    published. Never a candidate's counts."""
    units = Unit.objects.filter(path__startswith=figures.branch.path).values_list("pk", flat=True)
    sessions = (
        ballot_selectors.sessions_for_units(list(units))
        .filter(campaign=figures.campaign, status=AppraisalSession.Status.CLOSED)
        .order_by("closed_at", "pk")
    )
    for session in sessions:
        tally = ballot_services.compute_tally(session=session)
        figures.votes.append(
            VoteFigure(
                unit_name=session.unit.name,
                voters=tally.voters_on_roll,
                ballots=tally.total_ballots,
                turnout_percent=int(
                    (tally.turnout * 100).quantize(Decimal("1")) if tally.voters_on_roll else 0
                ),
                published=tally.published,
                withheld_reason=str(tally.withheld_reason),
            )
        )


def secrecy_minimum(campaign: Campaign) -> int:
    return max(BALLOT_SECRECY_FLOOR, campaign.ballot_secrecy_minimum)


def _grades(figures: PhaseFigures) -> None:
    grading = grading_selectors.grading_for(figures.campaign, figures.branch)
    if grading is None:
        return
    figures.grading_status = grading.status
    if grading.status != BranchGrading.Status.APPROVED:
        return
    counts = dict(
        GradeProposal.objects.filter(grading=grading)
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    )
    figures.graded = sum(counts.values())
    if figures.graded >= secrecy_minimum(figures.campaign):
        figures.grades = {grade: counts.get(grade, 0) for grade in Grade.values}


def _rectification(figures: PhaseFigures) -> None:
    plans = Plan.objects.filter(campaign=figures.campaign).filter(
        Q(member__branch=figures.branch) | Q(unit=figures.branch)
    )
    found = tally_plans(plans, F("campaign_id")).get(figures.campaign.pk, Tally())
    found.members = figures.members
    figures.rectification = found


def phase_figures(*, campaign: Campaign, branch: Unit, phase: Phase) -> PhaseFigures:
    """Everything the stage summary of `branch` for `phase` quotes."""
    figures = PhaseFigures(campaign=campaign, branch=branch, phase=phase)
    standings = dict(
        Member.objects.filter(branch=branch, is_active=True)
        .order_by()
        .values_list("standing")
        .annotate(n=Count("pk"))
        .values_list("standing", "n")
    )
    figures.formal = standings.get(Member.Standing.FORMAL, 0)
    figures.probationary = standings.get(Member.Standing.PROBATIONARY, 0)
    figures.members = sum(standings.values())
    ctx = _context(campaign, branch, phase)
    figures.requirements = _requirements(campaign, branch, phase)
    figures.meetings = _meetings(ctx, phase)
    if figures.is_study:
        _study(figures, ctx)
    if figures.is_analysis:
        _opinions(figures)
        _reviews(figures)
        _votes(figures)
        _grades(figures)
    if figures.is_rectification:
        _rectification(figures)
    return figures
