"""One definition of every figure the materials quote (issue 15): the college statistics
workbook (per branch, per scope), the drafted campaign report (the college's totals —
the workbook's 合计) and a branch's stage summary (one branch, one phase) all read
them from `count_figures`, so the same thing is never counted two ways.

What is counted, per line (the committee, each general branch and branch of the scope;
a party group's records count on its branch's line):

* requirements: the dashboards' progress engine, once per phase (each branch judged by
  that phase's requirements) — a branch's line by the phase it is in is its line in
  that phase's run;
* members: active members by standing;
* meetings held (held_at not in the future), by kind, with their titles and days, each
  placed in the phase whose dates hold its day (as the meeting requirement does); a
  branch's line holds its party groups' meetings, as the dashboards' "held a meeting"
  (`campaigns.progress`, has_meeting) counts them — the two are tested to agree;
* study: works by kind and the members who wrote them, the sessions and lectures held
  and the person-times present at them, the notes read by supervisors by level;
* opinions, counts only (never a source, a date or an order): received (all but the
  merged ones) by channel; sorted ones by kind and by aspect; the branch's round;
* self-analyses (三上三下) by review round and state, the branch's reviews and returns;
* votes (民主评议): the closed sessions of a branch and its party groups; the roll and
  the ballots only of those whose per-candidate results the ballots app publishes
  (`ballots.selectors.with_results_published`: at least the secrecy minimum of ballots
  and more than the quorum) — a withheld vote is a session, with no figure at all;
* grades: a branch's grading status and its grades once the committee approved them,
  by grade only where the branch has at least the secrecy minimum of approved grades
  (fewer would single people out; the college's figure by grade is the sum of the
  branches shown, so no subtraction brings a withheld branch's back);
* rectification: the ledger's tally of each branch's member and branch plans
  (`rectification.ledgers.selectors.tally_plans`).

Whose records: with a `user` (a person's own document: their workbook, their copy of
the report), each record is read through its app's `visible_*` for that person, as
their dashboards read it; votes and grades only for the branches whose grading they
read. Without one (a branch's own document, the stage summary, whose reader the caller
has checked) everything under the roots. Opinions follow the opinions app's rule
(`opinions.access.visible_opinions`): nobody counts opinions about themself — a count
by channel beside the dashboard's would tell them how the opinions about them came in,
which their feedback sheet hides. A document several people read leaves out the
opinions about every one of them (`left_out`: the caller's list from
`materials.access`), so none of them learns anything about themself from it.

Dated events (meetings, study sessions, study works) are counted within the window —
a phase's dates, or the whole campaign — and never after now; the rest are states as
they are now. A fixed number of queries whatever the number of branches or members;
the tests hold it to that.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from vanguard.accounts.access import Person, under
from vanguard.ballots.models import AppraisalSession, Grade
from vanguard.ballots.selectors import with_results_published
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns import progress as engine
from vanguard.campaigns.models import BALLOT_SECRECY_FLOOR, Campaign, Phase
from vanguard.campaigns.selectors import campaign_phases
from vanguard.grading import access as grading_access
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.meetings import access as meetings_access
from vanguard.meetings.models import Meeting
from vanguard.opinions import access as opinions_access
from vanguard.opinions.models import Aspect, Opinion, OpinionRound
from vanguard.organization.models import Member, Unit
from vanguard.rectification import access as rectification_access
from vanguard.rectification.ledgers.selectors import Tally, tally_plans
from vanguard.rectification.models import Plan
from vanguard.reviews.models import BranchReview, SelfAnalysis
from vanguard.reviews.selectors_review import BranchProgress
from vanguard.study import access as study_access
from vanguard.study.models import Attendance, StudySession, StudyWork
from vanguard.supervision import access as supervision_access
from vanguard.supervision.models import NoteAssessment

UNIT_KINDS = (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH)

Counts = dict[str, int]


def secrecy_minimum(campaign: Campaign) -> int:
    """The fewest ballots (and approved grades) a figure by grade may stand on: the
    campaign's minimum, never below the ballots app's floor."""
    return max(BALLOT_SECRECY_FLOOR, campaign.ballot_secrecy_minimum)


# --- What each line holds -------------------------------------------------------------


@dataclass
class UnitLine:
    """A unit of the scope, as the documents name it."""

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
class MemberLine:
    standings: Counts = field(default_factory=dict)  # Member.Standing -> active members

    @property
    def total(self) -> int:
        return sum(self.standings.values())


@dataclass(frozen=True)
class HeldMeeting:
    kind: str
    title: str
    on: datetime.date
    phase_id: int | None  # the phase whose dates hold the day, None outside every phase


@dataclass
class StudyLine:
    works: Counts = field(default_factory=dict)  # StudyWork.Kind -> count
    members_with_notes: int = 0
    members_with_works: int = 0
    sessions: Counts = field(default_factory=dict)  # StudySession.Kind -> held
    attendances: int = 0  # person-times present at those sessions
    read: Counts = field(default_factory=dict)  # NoteAssessment.Level -> notes read


@dataclass
class OpinionLine:
    by_channel: Counts = field(default_factory=dict)  # received (not merged), by channel
    by_kind: Counts = field(default_factory=dict)  # sorted, by kind
    by_aspect: dict[int | None, int] = field(default_factory=dict)  # sorted, by aspect
    round: int = 1  # the branch's current round of gathering

    @property
    def received(self) -> int:
        return sum(self.by_channel.values())

    @property
    def sorted(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class VoteSession:
    unit_name: str
    published: bool
    roll: int = 0  # voters on the roll (published sessions only)
    ballots: int = 0  # electronic + confirmed paper (published sessions only)

    @property
    def turnout_percent(self) -> int:
        return round(self.ballots * 100 / self.roll) if self.roll else 0


@dataclass
class VoteLine:
    sessions: list[VoteSession] = field(default_factory=list)

    @property
    def sessions_closed(self) -> int:
        return len(self.sessions)

    @property
    def published(self) -> int:
        return sum(1 for session in self.sessions if session.published)

    @property
    def withheld(self) -> int:
        return self.sessions_closed - self.published

    @property
    def roll(self) -> int:
        return sum(session.roll for session in self.sessions)

    @property
    def ballots(self) -> int:
        return sum(session.ballots for session in self.sessions)


@dataclass
class GradeLine:
    status: str = ""  # BranchGrading.Status, "" before the branch started
    approved: int = 0  # members whose grade the committee approved
    by_grade: Counts | None = None  # approved, by grade; None below the secrecy minimum


@dataclass
class Figures:
    campaign: Campaign
    roots: list[Unit]
    user: Person | None
    made_at: datetime.datetime
    phases: list[Phase] = field(default_factory=list)  # the campaign's, in order
    window: Phase | None = None  # None: the whole campaign
    minimum: int = BALLOT_SECRECY_FLOOR
    units: list[UnitLine] = field(default_factory=list)
    members: dict[int, MemberLine] = field(default_factory=dict)  # branch -> members
    # Each branch's progress judged by the phase it is in, and every phase's run; with
    # each branch's members listed in them, or only counted (`count_figures(members=)`).
    progress_members: bool = True
    branch_progress: dict[int, engine.UnitProgress] = field(default_factory=dict)
    by_phase: list[tuple[Phase, engine.Progress]] = field(default_factory=list)
    meetings_held: dict[int, list[HeldMeeting]] = field(default_factory=dict)  # by unit
    study: dict[int, StudyLine] = field(default_factory=dict)  # by unit
    opinions: dict[int, OpinionLine] = field(default_factory=dict)  # by unit
    aspects: list[Aspect] = field(default_factory=list)
    reviews: dict[int, BranchProgress] = field(default_factory=dict)  # by branch
    votes: dict[int, VoteLine] = field(default_factory=dict)  # by branch
    grades: dict[int, GradeLine] = field(default_factory=dict)  # by branch
    grades_read: set[int] = field(default_factory=set)  # branches whose grading is read
    rectification: dict[int, Tally] = field(default_factory=dict)  # by branch
    committee_tally: Tally | None = None  # the campaign unit's own plan, if read

    # -- lines and totals --

    @property
    def branches(self) -> list[UnitLine]:
        return [unit for unit in self.units if unit.is_branch]

    def meetings(self, unit_id: int) -> Counts:
        """The unit's meetings held, by kind."""
        found: Counts = {}
        for meeting in self.meetings_held.get(unit_id, []):
            found[meeting.kind] = found.get(meeting.kind, 0) + 1
        return found

    def requirement_results(self, branch_id: int, phase: Phase) -> list[Any]:
        """The branch's results against the phase's requirements."""
        for judged, progress in self.by_phase:
            if judged.pk == phase.pk:
                unit = progress.units.get(branch_id)
                return list(unit.results) if unit is not None else []
        return []

    def total_members(self) -> int:
        return sum(line.total for line in self.members.values())

    def total_meetings(self) -> dict[tuple[str, int | None], int]:
        """{(kind, phase id or None): meetings held} over every line."""
        found: dict[tuple[str, int | None], int] = defaultdict(int)
        for held in self.meetings_held.values():
            for meeting in held:
                found[meeting.kind, meeting.phase_id] += 1
        return dict(found)

    def branches_holding(self, kind: str) -> int:
        """Branches that held at least one meeting of the kind."""
        return sum(
            1
            for branch in self.branches
            if any(m.kind == kind for m in self.meetings_held.get(branch.id, []))
        )

    def total_study(self) -> StudyLine:
        total = StudyLine()
        for line in self.study.values():
            for name in ("works", "sessions", "read"):
                into = getattr(total, name)
                for key, n in getattr(line, name).items():
                    into[key] = into.get(key, 0) + n
            total.members_with_notes += line.members_with_notes
            total.members_with_works += line.members_with_works
            total.attendances += line.attendances
        return total

    def total_opinions(self) -> OpinionLine:
        total = OpinionLine()
        for line in self.opinions.values():
            for name in ("by_channel", "by_kind", "by_aspect"):
                into = getattr(total, name)
                for key, n in getattr(line, name).items():
                    into[key] = into.get(key, 0) + n
        return total

    def further_rounds(self) -> int:
        """Branches that opened a further round of gathering opinions."""
        return sum(
            1 for branch in self.branches if self.opinions.get(branch.id, OpinionLine()).round > 1
        )

    def total_votes(self) -> VoteLine:
        total = VoteLine()
        for line in self.votes.values():
            total.sessions.extend(line.sessions)
        return total

    def branches_voted(self) -> int:
        return sum(1 for line in self.votes.values() if line.sessions)

    def gradings_approved(self) -> int:
        return sum(
            1 for line in self.grades.values() if line.status == BranchGrading.Status.APPROVED
        )

    def approved_grades(self) -> int:
        return sum(line.approved for line in self.grades.values())

    def grades_by_grade(self) -> Counts:
        """Approved grades by grade over the branches that show them."""
        found: Counts = dict.fromkeys(Grade.values, 0)
        for line in self.grades.values():
            for grade, n in (line.by_grade or {}).items():
                found[grade] += n
        return found

    def grades_withheld(self) -> int:
        """Approved grades of branches below the secrecy minimum (counted, not by grade)."""
        return sum(line.approved for line in self.grades.values() if line.by_grade is None)

    def total_rectification(self) -> Tally:
        total = Tally()
        for tally in self.rectification.values():
            total.add(tally)
        return total


# --- The window -----------------------------------------------------------------------


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _dated(field_name: str, figures: Figures) -> Q:
    """Rows dated within the window and not after now."""
    query = Q(**{f"{field_name}__lte": figures.made_at})
    if figures.window is not None:
        query &= Q(**{f"{field_name}__gte": _start_of(figures.window.starts_on)})
        query &= Q(
            **{f"{field_name}__lt": _start_of(figures.window.ends_on + datetime.timedelta(days=1))}
        )
    return query


def _phase_of(figures: Figures, day: datetime.date) -> int | None:
    return next((p.pk for p in figures.phases if p.starts_on <= day <= p.ends_on), None)


# --- Reading ---------------------------------------------------------------------------


def _paths(figures: Figures) -> list[str]:
    return [root.path for root in figures.roots]


def _line(kind: str, unit_id: int, parent_id: int | None) -> int:
    # A party group works inside its branch: its records count on the branch's line.
    return parent_id if kind == Unit.Kind.PARTY_GROUP and parent_id else unit_id


def _seen(figures: Figures, visible: Callable[[Person], QuerySet[Any]], model: Any) -> QuerySet:
    """The app's records the person reads, or all of them for a branch's own document."""
    if figures.user is None:
        return model.objects.all()
    return visible(figures.user)


def scope_units(figures: Figures) -> None:
    """The committee, general branches and branches under the roots, in tree order, and
    each branch's active members by standing."""
    rows = list(
        Unit.objects.filter(under(_paths(figures), "path"), is_active=True, kind__in=UNIT_KINDS)
        .order_by("path")
        .values_list("id", "name", "kind", "path", "depth", "parent_id", "parent__name")
    )
    figures.units = [
        UnitLine(pk, name, kind, path, depth, parent_id, parent_name or "")
        for pk, name, kind, path, depth, parent_id, parent_name in rows
    ]
    found: dict[int, MemberLine] = defaultdict(MemberLine)
    for branch_id, standing, n in (
        Member.objects.filter(under(_paths(figures), "branch__path"), is_active=True)
        .order_by()
        .values_list("branch_id", "standing")
        .annotate(n=Count("pk"))
    ):
        found[branch_id].standings[standing] = n
    figures.members = dict(found)


def requirements(figures: Figures) -> None:
    """The dashboards' engine, judging every branch by each phase's requirements in turn
    (only the window's, for a phase; the dashboards' ?phase=) on one read of the scope.
    A branch's line judged by the phase it is in — what /campaigns/ shows — is its line
    in that phase's run: the engine keeps each branch's own phase whatever phase it
    judges by."""
    campaign, roots = figures.campaign, figures.roots
    judged = [figures.window] if figures.window is not None else figures.phases
    if not judged:  # a campaign without phases: nothing to judge by but the engine's own
        progress = engine.campaign_progress(
            campaign=campaign, roots=roots, members=figures.progress_members
        )
        figures.branch_progress = {u.id: u for u in progress.units.values() if u.is_branch}
        return
    # One read of the scope, judged by each phase in turn.
    judged_runs = engine.campaign_progress_by_phase(
        campaign=campaign, roots=roots, phases=judged, members=figures.progress_members
    )
    figures.by_phase = list(zip(judged, judged_runs, strict=True))
    runs = {phase.pk: progress for phase, progress in figures.by_phase}
    for run in runs.values():
        for unit in run.units.values():
            if unit.is_branch and unit.phase is not None and runs.get(unit.phase.pk) is run:
                figures.branch_progress[unit.id] = unit
    if figures.window is not None:  # the branch's plan and meetings, whatever its phase
        only = figures.by_phase[0][1]
        for unit in only.units.values():
            if unit.is_branch:
                figures.branch_progress.setdefault(unit.id, unit)


def meetings(figures: Figures) -> None:
    """The meetings held in the window, by unit, as the person reads them (a unit's own
    meetings: the college's all-member meetings on the committee's line)."""
    rows = (
        _seen(figures, meetings_access.visible_meetings, Meeting)
        .filter(campaign=figures.campaign)
        .filter(under(_paths(figures), "unit__path"))
        .filter(_dated("held_at", figures))
        .order_by("held_at", "pk")
        .values_list("unit__kind", "unit_id", "unit__parent_id", "kind", "title", "held_at")
    )
    found: dict[int, list[HeldMeeting]] = defaultdict(list)
    for unit_kind, unit_id, parent_id, kind, title, held_at in rows:
        day = timezone.localdate(held_at)
        found[_line(unit_kind, unit_id, parent_id)].append(
            HeldMeeting(kind, title, day, _phase_of(figures, day))
        )
    figures.meetings_held = dict(found)


def study(figures: Figures) -> None:
    """Per unit: members' works by kind and the members who wrote them, submitted in the
    window; the sessions and lectures held in the window and the person-times present;
    the notes read by the supervisors (督查阅评) at each level."""
    campaign, paths = figures.campaign, _paths(figures)
    found: dict[int, StudyLine] = defaultdict(StudyLine)
    works = (
        _seen(figures, study_access.visible_study_works, StudyWork)
        .filter(under(paths, "member__branch__path"), campaign=campaign, member__is_active=True)
        .filter(_dated("submitted_at", figures))
        .order_by()
    )
    for branch_id, kind, n in works.values_list("member__branch_id", "kind").annotate(
        n=Count("pk")
    ):
        found[branch_id].works[kind] = n
    for branch_id, notes, any_work in works.values_list("member__branch_id").annotate(
        notes=Count("member_id", distinct=True, filter=Q(kind=StudyWork.Kind.READING_NOTE)),
        any_work=Count("member_id", distinct=True),
    ):
        found[branch_id].members_with_notes = notes
        found[branch_id].members_with_works = any_work
    sessions = (
        _seen(figures, study_access.visible_study_sessions, StudySession)
        .filter(under(paths, "unit__path"), campaign=campaign)
        .filter(_dated("starts_at", figures))
        .order_by()
    )
    for unit_kind, unit_id, parent_id, kind, n in sessions.values_list(
        "unit__kind", "unit_id", "unit__parent_id", "kind"
    ).annotate(n=Count("pk")):
        line = found[_line(unit_kind, unit_id, parent_id)]
        line.sessions[kind] = line.sessions.get(kind, 0) + n
    for unit_kind, unit_id, parent_id, n in (
        Attendance.objects.filter(
            session__in=sessions.values("pk"), status=Attendance.Status.PRESENT
        )
        .order_by()
        .values_list("session__unit__kind", "session__unit_id", "session__unit__parent_id")
        .annotate(n=Count("pk"))
    ):
        found[_line(unit_kind, unit_id, parent_id)].attendances += n
    for branch_id, level, n in (
        _seen(figures, supervision_access.visible_assessments, NoteAssessment)
        .filter(under(paths, "member__branch__path"), campaign=campaign)
        .order_by()
        .values_list("member__branch_id", "level")
        .annotate(n=Count("pk"))
    ):
        found[branch_id].read[level] = n
    figures.study = dict(found)


def opinions(figures: Figures, left_out: QuerySet[Member] | None = None) -> None:
    """Opinions as the opinions dashboard counts them, per unit that gathered them:
    received by channel, sorted by kind and aspect — counts only; none about the person
    (`visible_opinions`), nor about anyone in `left_out`."""
    seen = (
        _seen(figures, opinions_access.visible_opinions, Opinion)
        .filter(campaign=figures.campaign)
        .filter(under(_paths(figures), "branch__path"))
        .order_by()
    )
    if left_out is not None:
        seen = seen.exclude(subject_member__in=left_out.values("pk"))
    found: dict[int, OpinionLine] = defaultdict(OpinionLine)
    for unit_kind, unit_id, parent_id, channel, n in (
        seen.exclude(status=Opinion.Status.MERGED)
        .values_list("branch__kind", "branch_id", "branch__parent_id", "channel")
        .annotate(n=Count("pk"))
    ):
        line = found[_line(unit_kind, unit_id, parent_id)]
        line.by_channel[channel] = line.by_channel.get(channel, 0) + n
    for unit_kind, unit_id, parent_id, kind, aspect_id, n in (
        seen.filter(status=Opinion.Status.SORTED)
        .values_list("branch__kind", "branch_id", "branch__parent_id", "kind", "aspect_id")
        .annotate(n=Count("pk"))
    ):
        line = found[_line(unit_kind, unit_id, parent_id)]
        line.by_kind[kind] = line.by_kind.get(kind, 0) + n
        line.by_aspect[aspect_id] = line.by_aspect.get(aspect_id, 0) + n
    for branch_id, number in (
        OpinionRound.objects.filter(
            under(_paths(figures), "branch__path"), campaign=figures.campaign
        )
        .order_by()
        .values_list("branch_id")
        .annotate(n=Max("number"))
    ):
        found[branch_id].round = max(number or 1, 1)
    figures.opinions = dict(found)
    # Read, never created here (the intake creates the default eight on first use).
    figures.aspects = list(Aspect.objects.filter(campaign=figures.campaign).order_by("order", "pk"))


def reviews(figures: Figures) -> None:
    """The review rounds (三上三下), branch by branch, in the groupings of the reviews'
    progress page (`reviews.selectors_review.BranchProgress`): documents of active
    members by round and state, those the committee approved, the branch's reviews and
    returns. A person's own counts: the branches whose progress they follow."""
    branches = [branch for branch in figures.branches]
    if figures.user is not None:
        followed = set(
            campaigns_access.progress_units(figures.user)
            .filter(under(_paths(figures), "path"), kind=Unit.Kind.BRANCH)
            .values_list("pk", flat=True)
        )
        branches = [branch for branch in branches if branch.id in followed]
    found = {
        branch.id: BranchProgress(
            unit=Unit(pk=branch.id, name=branch.name, path=branch.path, kind=branch.kind),
            members=figures.members.get(branch.id, MemberLine()).total,
        )
        for branch in branches
    }
    paths = _paths(figures)
    for branch_id, number, state, n in (
        SelfAnalysis.objects.filter(
            under(paths, "member__branch__path"),
            campaign=figures.campaign,
            member__is_active=True,
        )
        .order_by()
        .values_list("member__branch_id", "current_round", "state")
        .annotate(n=Count("pk"))
    ):
        row = found.get(branch_id)
        if row is None:
            continue
        if state == SelfAnalysis.State.APPROVED:
            row.approved += n
        else:
            row.counts[number, state] = row.counts.get((number, state), 0) + n
    for branch_id, verdict, n in (
        BranchReview.objects.filter(
            under(paths, "version__document__member__branch__path"),
            version__document__campaign=figures.campaign,
        )
        .order_by()
        .values_list("version__document__member__branch_id", "verdict")
        .annotate(n=Count("pk"))
    ):
        row = found.get(branch_id)
        if row is None:
            continue
        row.reviews += n
        if verdict == BranchReview.Verdict.RETURN:
            row.returns += n
    figures.reviews = found


def _graded_branches(figures: Figures) -> QuerySet[Unit]:
    branches = Unit.objects.filter(
        under(_paths(figures), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )
    if figures.user is not None:
        branches = branches.filter(pk__in=grading_access.grading_branches(figures.user))
    return branches


def votes(figures: Figures) -> None:
    """Per branch whose grading the person reads: each closed vote (民主评议) of the branch
    and its party groups, and the roll and ballots of those whose results the ballots
    app publishes — none of a vote below the secrecy minimum or without a quorum."""
    sessions = AppraisalSession.objects.filter(
        Q(unit__in=_graded_branches(figures)) | Q(unit__parent__in=_graded_branches(figures)),
        campaign=figures.campaign,
        status=AppraisalSession.Status.CLOSED,
    ).order_by("closed_at", "pk")
    # The two counts are annotated by the ballots app's selector (mypy cannot see them).
    published = {
        pk: (voters, ballots)
        for pk, voters, ballots in with_results_published(sessions).values_list(  # type: ignore[misc]
            "pk", "voters_total", "ballots_total"
        )
    }
    found: dict[int, VoteLine] = defaultdict(VoteLine)
    for pk, unit_kind, unit_id, parent_id, name in sessions.values_list(
        "pk", "unit__kind", "unit_id", "unit__parent_id", "unit__name"
    ):
        shown = published.get(pk)
        found[_line(unit_kind, unit_id, parent_id)].sessions.append(
            VoteSession(name, True, shown[0], shown[1])
            if shown is not None
            else VoteSession(name, False)
        )
    figures.votes = dict(found)


def grades(figures: Figures) -> None:
    """Per branch whose grading the person reads: its grading's status and, once the
    committee approved it, its active members' grades — by grade only from the secrecy
    minimum up."""
    readable = _graded_branches(figures)
    figures.grades_read = set(readable.values_list("pk", flat=True))
    found: dict[int, GradeLine] = {pk: GradeLine() for pk in figures.grades_read}
    for branch_id, status in BranchGrading.objects.filter(
        campaign=figures.campaign, branch__in=readable
    ).values_list("branch_id", "status"):
        found[branch_id].status = status
    counts: dict[int, Counts] = defaultdict(dict)
    for branch_id, grade, n in (
        GradeProposal.objects.filter(
            grading__campaign=figures.campaign,
            grading__branch__in=readable,
            grading__status=BranchGrading.Status.APPROVED,
            member__is_active=True,
        )
        .order_by()
        .values_list("grading__branch_id", "grade")
        .annotate(n=Count("pk"))
    ):
        counts[branch_id][grade] = n
    for branch_id, by_grade in counts.items():
        line = found[branch_id]
        line.approved = sum(by_grade.values())
        if line.approved >= figures.minimum:
            line.by_grade = {grade: by_grade.get(grade, 0) for grade in Grade.values}
    figures.grades = found


def rectification(figures: Figures) -> None:
    """The ledger's tally of each branch (整改台账): its active members' plans and the
    branch's own plan, with their items; and the campaign unit's own plan apart."""
    plans = (
        _seen(figures, rectification_access.visible_plans, Plan)
        .filter(campaign=figures.campaign)
        .filter(Q(member__isnull=True) | Q(member__is_active=True))
    )
    paths = _paths(figures)
    by_branch = tally_plans(
        plans.exclude(level=Plan.Level.COMMITTEE).filter(
            under(paths, "member__branch__path") | under(paths, "unit__path")
        ),
        Coalesce("member__branch_id", "unit_id"),
    )
    found: dict[int, Tally] = {}
    for branch in figures.branches:
        tally = by_branch.get(branch.id, Tally())
        tally.members = figures.members.get(branch.id, MemberLine()).total
        tally.branches = 1
        found[branch.id] = tally
    figures.rectification = found
    top = figures.campaign.unit
    if any(root.pk == top.pk for root in figures.roots):
        own = tally_plans(plans.filter(level=Plan.Level.COMMITTEE, unit=top), F("unit_id"))
        figures.committee_tally = own.get(top.pk)


# The topics in the order they are gathered (the workbook job's progress steps).
STEPS: tuple[tuple[str, Callable[..., None]], ...] = (
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


def count_figures(
    *,
    campaign: Campaign,
    roots: Iterable[Unit],
    user: Person | None,
    phase: Phase | None = None,
    left_out: QuerySet[Member] | None = None,
    progress: Callable[[str], None] | None = None,
    members: bool = True,
) -> Figures:
    """Every figure for the subtrees under `roots`, which the caller fetched through
    `materials.access` (the person's scope, or the branch whose document it is).

    `user`: the person whose own document this is (None: a branch's document, read by
    several); `phase`: count the dated events within its dates and judge by its
    requirements only (None: the whole campaign, every phase); `left_out`: members whose
    opinions are not counted, beside the person themself; `members`: False when no
    member is named from the progress runs (`UnitProgress.members` left empty, every
    count the same), which spares building a line per member and requirement."""
    figures = Figures(
        campaign=campaign,
        roots=list(roots),
        user=user,
        made_at=timezone.now(),
        phases=campaign_phases(campaign),
        window=phase,
        minimum=secrecy_minimum(campaign),
        progress_members=members,
    )
    for name, gather in STEPS:
        if progress is not None:
            progress(name)
        if gather is opinions:
            opinions(figures, left_out)
        else:
            gather(figures)
    return figures
