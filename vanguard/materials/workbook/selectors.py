"""The figures of the college statistics workbook (统计表), gathered for a campaign and
a scope (one or more subtrees: the college, a general branch, a supervisor's branches)
from the apps' own selectors — the dashboards' progress engine, the meetings and study
records, the opinions as counts, the review rounds' progress, the published votes and
the grades, rectification's ledger — each limited to what the person reads there.

A fixed number of queries whatever the number of branches or members (one engine run
per phase of the campaign, a handful of grouped counts per topic); the tests hold it
to that. Nothing here writes, and nothing names who gave an opinion or how anyone
voted: opinions are counts by unit, channel and aspect; votes are counts of sessions,
roll and ballots, and only for sessions whose results the ballots app publishes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from vanguard.accounts.access import Person, under
from vanguard.ballots.models import AppraisalSession
from vanguard.ballots.selectors import with_results_published
from vanguard.campaigns import progress as engine
from vanguard.campaigns.models import Campaign, Phase
from vanguard.campaigns.selectors import campaign_phases
from vanguard.grading import access as grading_access
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.meetings import access as meetings_access
from vanguard.opinions import access as opinions_access
from vanguard.opinions.models import Aspect, Opinion
from vanguard.organization.models import Unit
from vanguard.rectification.ledgers.selectors import RollUp, roll_up
from vanguard.reviews.selectors_review import BranchProgress, review_progress
from vanguard.study.models import StudySession, StudyWork
from vanguard.supervision import access as supervision_access

UNIT_KINDS = (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH)

Counts = dict[str, int]


@dataclass
class UnitLine:
    """A unit of the scope, as the sheets name it."""

    id: int
    name: str
    kind: str
    path: str
    depth: int
    parent_id: int | None
    general_branch: str = ""  # a branch's general branch (or the unit above it)

    @property
    def is_branch(self) -> bool:
        return self.kind == Unit.Kind.BRANCH


@dataclass
class StudyLine:
    works: Counts = field(default_factory=dict)  # StudyWork.Kind → count
    members_with_notes: int = 0
    sessions: Counts = field(default_factory=dict)  # StudySession.Kind → count
    read: Counts = field(default_factory=dict)  # NoteAssessment.Level → notes read


@dataclass
class VoteLine:
    sessions_closed: int = 0
    published: int = 0  # sessions whose per-candidate results are published
    withheld: int = 0  # closed, below the secrecy minimum or the quorum: no figures
    roll: int = 0  # voters on the roll, of the published sessions
    ballots: int = 0  # ballots received, of the published sessions


@dataclass
class GradeLine:
    status: str = ""  # BranchGrading.Status, "" before the branch started
    grades: Counts = field(default_factory=dict)  # Grade → members


@dataclass
class Figures:
    campaign: Campaign
    roots: list[Unit]
    user: Person
    made_at: datetime.datetime
    units: list[UnitLine] = field(default_factory=list)
    # Each branch's progress judged by the phase it is in.
    branch_progress: dict[int, engine.UnitProgress] = field(default_factory=dict)
    by_phase: list[tuple[Phase, engine.Progress]] = field(default_factory=list)
    meetings: dict[int, Counts] = field(default_factory=dict)  # unit → kind → count
    study: dict[int, StudyLine] = field(default_factory=dict)  # branch → its study
    opinions_by_channel: dict[int, Counts] = field(default_factory=dict)  # unit → channel
    opinions_by_aspect: dict[int, dict[int | None, int]] = field(default_factory=dict)
    aspects: list[Aspect] = field(default_factory=list)
    reviews: list[BranchProgress] = field(default_factory=list)
    votes: dict[int, VoteLine] = field(default_factory=dict)  # branch → votes
    grades: dict[int, GradeLine] = field(default_factory=dict)  # branch → grades
    grades_read: set[int] = field(default_factory=set)  # branches whose grading is read
    rectification: RollUp | None = None

    @property
    def branches(self) -> list[UnitLine]:
        return [unit for unit in self.units if unit.is_branch]


def _paths(figures: Figures) -> list[str]:
    return [root.path for root in figures.roots]


def scope_units(figures: Figures) -> None:
    """The committee, general branches and branches under the roots, in tree order."""
    rows = list(
        Unit.objects.filter(under(_paths(figures), "path"), is_active=True, kind__in=UNIT_KINDS)
        .order_by("path")
        .values_list("id", "name", "kind", "path", "depth", "parent_id", "parent__name")
    )
    figures.units = [
        UnitLine(pk, name, kind, path, depth, parent_id, parent_name or "")
        for pk, name, kind, path, depth, parent_id, parent_name in rows
    ]


def requirements(figures: Figures) -> None:
    """The dashboards' engine, once per phase of the campaign with every branch judged by
    that phase's requirements (the dashboards' ?phase=). A branch's line judged by the
    phase it is in — what /campaigns/ shows — is its line in that phase's run: the engine
    keeps each branch's own phase whatever phase it judges by."""
    campaign, roots = figures.campaign, figures.roots
    phases = campaign_phases(campaign)
    figures.by_phase = [
        (phase, engine.campaign_progress(campaign=campaign, roots=roots, phase=phase))
        for phase in phases
    ]
    runs = {phase.pk: progress for phase, progress in figures.by_phase}
    if not runs:  # a campaign without phases: nothing to judge by but the engine's own
        progress = engine.campaign_progress(campaign=campaign, roots=roots)
        figures.branch_progress = {u.id: u for u in progress.units.values() if u.is_branch}
        return
    for run in runs.values():
        for unit in run.units.values():
            if unit.is_branch and unit.phase is not None and runs[unit.phase.pk] is run:
                figures.branch_progress[unit.id] = unit


def meetings(figures: Figures) -> None:
    """The campaign's meetings by unit and kind, as the person reads them (a unit's own
    meetings: the college's all-member meetings on the committee's line)."""
    rows = (
        meetings_access.visible_meetings(figures.user)
        .filter(campaign=figures.campaign)
        .filter(under(_paths(figures), "unit__path"))
        .order_by()
        .values_list("unit_id", "kind")
        .annotate(n=Count("pk"))
    )
    found: dict[int, Counts] = defaultdict(dict)
    for unit_id, kind, n in rows:
        found[unit_id][kind] = n
    figures.meetings = dict(found)


def study(figures: Figures) -> None:
    """Per branch: members' works by kind, the members with a reading note, the branch's
    study sessions and lectures, and the notes read by the supervisors (督查阅评) at the
    college's and the general branch's level."""
    campaign, paths = figures.campaign, _paths(figures)
    found: dict[int, StudyLine] = defaultdict(StudyLine)
    works = StudyWork.objects.filter(
        under(paths, "member__branch__path"), campaign=campaign, member__is_active=True
    )
    for branch_id, kind, n in (
        works.order_by().values_list("member__branch_id", "kind").annotate(n=Count("pk"))
    ):
        found[branch_id].works[kind] = n
    for branch_id, n in (
        works.filter(kind=StudyWork.Kind.READING_NOTE)
        .order_by()
        .values_list("member__branch_id")
        .annotate(n=Count("member_id", distinct=True))
    ):
        found[branch_id].members_with_notes = n
    for unit_id, kind, n in (
        StudySession.objects.filter(under(paths, "unit__path"), campaign=campaign)
        .order_by()
        .values_list("unit_id", "kind")
        .annotate(n=Count("pk"))
    ):
        found[unit_id].sessions[kind] = n
    for branch_id, level, n in (
        supervision_access.visible_assessments(figures.user)
        .filter(under(paths, "member__branch__path"), campaign=campaign)
        .order_by()
        .values_list("member__branch_id", "level")
        .annotate(n=Count("pk"))
    ):
        found[branch_id].read[level] = n
    figures.study = dict(found)


def opinions(figures: Figures) -> None:
    """Opinions as the opinions dashboard counts them: received (all but those merged
    into another) by channel, sorted by aspect — per unit that gathered them, counts
    only, and none about the person themself (`opinions.access.visible_opinions`)."""
    seen = (
        opinions_access.visible_opinions(figures.user)
        .filter(campaign=figures.campaign)
        .filter(under(_paths(figures), "branch__path"))
        .order_by()
    )
    by_channel: dict[int, Counts] = defaultdict(dict)
    for unit_id, channel, n in (
        seen.exclude(status=Opinion.Status.MERGED)
        .values_list("branch_id", "channel")
        .annotate(n=Count("pk"))
    ):
        by_channel[unit_id][channel] = n
    by_aspect: dict[int, dict[int | None, int]] = defaultdict(dict)
    for unit_id, aspect_id, n in (
        seen.filter(status=Opinion.Status.SORTED)
        .values_list("branch_id", "aspect_id")
        .annotate(n=Count("pk"))
    ):
        by_aspect[unit_id][aspect_id] = n
    figures.opinions_by_channel = dict(by_channel)
    figures.opinions_by_aspect = dict(by_aspect)
    # Read, never created here (the intake creates the default eight on first use).
    figures.aspects = list(Aspect.objects.filter(campaign=figures.campaign).order_by("order", "pk"))


def reviews(figures: Figures) -> None:
    """The review rounds' progress page (三上三下), branch by branch."""
    roots = figures.roots
    if len(roots) == 1:
        rows = review_progress(figures.user, campaign=figures.campaign, unit=roots[0])
    else:
        rows = review_progress(figures.user, campaign=figures.campaign)
        rows = [row for row in rows if any(row.unit.path.startswith(r.path) for r in roots)]
    figures.reviews = rows


def _branch_of(kind: str, unit_id: int, parent_id: int | None) -> int:
    # A party group votes inside its branch: its figures count for the branch.
    return parent_id if kind == Unit.Kind.PARTY_GROUP and parent_id else unit_id


def votes(figures: Figures) -> None:
    """Per branch: the closed votes (民主评议), how many have their results published
    and how many are withheld; the roll and ballots of the published ones only — no
    figure of a vote below the secrecy minimum or without a quorum is counted."""
    sessions = AppraisalSession.objects.filter(
        under(_paths(figures), "unit__path"),
        campaign=figures.campaign,
        status=AppraisalSession.Status.CLOSED,
    )
    found: dict[int, VoteLine] = defaultdict(VoteLine)
    closed = sessions.order_by().values_list("unit__kind", "unit_id", "unit__parent_id")
    for kind, unit_id, parent_id in closed:
        found[_branch_of(kind, unit_id, parent_id)].sessions_closed += 1
    # The two counts are annotated by the ballots app's selector (mypy cannot see them).
    published = with_results_published(sessions).values_list(  # type: ignore[misc]
        "unit__kind", "unit_id", "unit__parent_id", "ballots_total", "voters_total"
    )
    for kind, unit_id, parent_id, ballots, voters in published:
        line = found[_branch_of(kind, unit_id, parent_id)]
        line.published += 1
        line.ballots += ballots
        line.roll += voters
    for line in found.values():
        line.withheld = line.sessions_closed - line.published
    figures.votes = dict(found)


def grades(figures: Figures) -> None:
    """Per branch the person reads the grading of: its grading's status and its members
    by proposed grade (the grades themselves once the committee has approved)."""
    readable = grading_access.grading_branches(figures.user).filter(under(_paths(figures), "path"))
    figures.grades_read = set(readable.values_list("pk", flat=True))
    found: dict[int, GradeLine] = defaultdict(GradeLine)
    for branch_id, status in BranchGrading.objects.filter(
        campaign=figures.campaign, branch__in=readable
    ).values_list("branch_id", "status"):
        found[branch_id].status = status
    for branch_id, grade, n in (
        GradeProposal.objects.filter(
            grading__campaign=figures.campaign,
            grading__branch__in=readable,
            member__is_active=True,
        )
        .order_by()
        .values_list("grading__branch_id", "grade")
        .annotate(n=Count("pk"))
    ):
        found[branch_id].grades[grade] = n
    figures.grades = dict(found)


def rectification(figures: Figures) -> None:
    """Rectification's ledger (整改台账) over the scope, as the ledger page counts it."""
    figures.rectification = roll_up(figures.user, figures.campaign, figures.roots)


# The topics in the order the workbook gathers them (the job's progress steps).
STEPS: tuple[tuple[str, Callable[[Figures], None]], ...] = (
    ("units", scope_units),
    ("requirements", requirements),
    ("meetings", meetings),
    ("study", study),
    ("opinions", opinions),
    ("reviews", reviews),
    ("votes", votes),
    ("grades", grades),
    ("rectification", rectification),
)


def workbook_figures(
    *,
    user: Person,
    campaign: Campaign,
    roots: list[Unit],
    progress: Callable[[str], None] | None = None,
) -> Figures:
    """Every figure of the workbook for the subtrees under `roots` (the caller has them
    from `materials.access.workbook_roots` or `get_workbook_unit_for_user`)."""
    figures = Figures(campaign=campaign, roots=roots, user=user, made_at=timezone.now())
    for name, gather in STEPS:
        if progress is not None:
            progress(name)
        gather(figures)
    return figures
