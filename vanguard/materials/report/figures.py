"""The figures of the drafted report, each read from the app that owns it, limited to what
the person drafting it reads — the same selectors, so the same numbers, as the pages
they come from:

* branches, members, plans and meetings held, blind spots, lagging branches and the
  weekly submissions: the campaigns progress engine (`/campaigns/`);
* meetings by kind and phase: the meetings the person reads (`meetings.access`), as
  the supervision overview counts them;
* study sessions and lectures, notes, reflections and essays: the study app's records;
* notes sampled and read, inspection rounds and branches checked, make-up orders: the
  supervision overview (`supervision.reports.selectors.overview`);
* opinions by channel and kind, further rounds: counts only, as the opinions dashboard
  counts them (`opinions.sorting.selectors`) — never a source, never an opinion;
* votes held and grades approved: counts of approved grades only, and no breakdown at
  all below the ballots' secrecy minimum;
* rectification: the college ledger's total row (`rectification.ledgers.selectors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from vanguard.accounts.access import Person
from vanguard.ballots.models import AppraisalSession, Grade
from vanguard.campaigns import progress as engine
from vanguard.campaigns.models import BALLOT_SECRECY_FLOOR, Campaign, Phase
from vanguard.grading import access as grading_access
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.meetings import access as meetings_access
from vanguard.meetings.models import Meeting
from vanguard.opinions.models import Opinion
from vanguard.opinions.sorting import selectors as opinion_selectors
from vanguard.organization.models import Unit
from vanguard.rectification import access as rectification_access
from vanguard.rectification.activities.selectors import campaign_activities
from vanguard.rectification.ledgers import selectors as ledgers
from vanguard.rectification.models import Activity
from vanguard.study import access as study_access
from vanguard.study.models import StudySession, StudyWork
from vanguard.supervision.reports import selectors as supervision

# The three branch meetings (三次会议) of the analysis phase, in the order they are held.
BRANCH_MEETINGS = (
    Meeting.Kind.MOBILISATION,
    Meeting.Kind.DEMOCRATIC_APPRAISAL,
    Meeting.Kind.GRADE_RATING,
)


@dataclass
class MeetingRow:
    kind: str
    label: str
    by_phase: list[int]  # in the order of the campaign's phases
    outside: int  # held in the campaign but in no phase
    branches: int  # branches that held one (the three branch meetings)

    @property
    def total(self) -> int:
        return sum(self.by_phase) + self.outside


@dataclass
class Counted:
    key: str
    label: str
    count: int


@dataclass
class GradeFigures:
    sessions_closed: int  # votes held (closed), of branches and party groups
    branches_voted: int
    gradings_approved: int  # branches whose grades the committee approved
    approved: int  # members whose grade was approved
    minimum: int  # the ballots' secrecy minimum for the campaign
    by_grade: list[Counted] = field(default_factory=list)  # empty: withheld

    @property
    def withheld(self) -> bool:
        return self.approved > 0 and not self.by_grade


@dataclass
class ReportFigures:
    campaign: Campaign
    phases: list[Phase]
    progress: engine.Progress
    college: engine.UnitProgress | None
    general_branches: int
    branches: int
    members: int
    meetings: list[MeetingRow]
    study_plans: int  # branches with a study plan
    sessions: list[Counted]  # study sessions and lectures by kind
    works: list[Counted]  # notes, reflections, essays by kind
    members_with_notes: int
    supervision: supervision.Overview
    opinions: list[Counted]  # received, by channel (merged ones counted once)
    opinions_total: int
    opinions_by_kind: list[Counted]  # sorted ones, by kind
    opinions_sorted: int
    further_rounds: int  # branches that opened a further round
    grades: GradeFigures
    rectification: ledgers.RollUp | None
    activities: list[Counted]  # by kind

    def meeting(self, kind: str) -> MeetingRow:
        return next(row for row in self.meetings if row.kind == kind)

    def phase_index(self, key: str) -> int | None:
        for index, phase in enumerate(self.phases):
            if phase.key == key:
                return index
        return None

    def meetings_in(self, kind: str, phase_key: str) -> int:
        index = self.phase_index(phase_key)
        return self.meeting(kind).by_phase[index] if index is not None else 0


def _meetings(user: Person, campaign: Campaign, phases: list[Phase]) -> list[MeetingRow]:
    held = meetings_access.visible_meetings(user).filter(campaign=campaign).order_by()
    counts = {
        (row["kind"], row["phase_id"]): row["n"]
        for row in held.values("kind", "phase_id").annotate(n=Count("pk"))
    }
    branches = {
        row["kind"]: row["n"]
        for row in held.filter(unit__kind=Unit.Kind.BRANCH, kind__in=BRANCH_MEETINGS)
        .values("kind")
        .annotate(n=Count("unit_id", distinct=True))
    }
    phase_ids = {phase.pk for phase in phases}
    rows = []
    for kind, label in Meeting.Kind.choices:
        outside = sum(n for (k, p), n in counts.items() if k == kind and p not in phase_ids)
        rows.append(
            MeetingRow(
                kind=kind,
                label=str(label),
                by_phase=[counts.get((kind, phase.pk), 0) for phase in phases],
                outside=outside,
                branches=branches.get(kind, 0),
            )
        )
    return rows


def _counted(rows: dict[str, int], choices: list[tuple[str, Any]]) -> list[Counted]:
    return [Counted(value, str(label), rows.get(value, 0)) for value, label in choices]


def _grades(user: Person, campaign: Campaign) -> GradeFigures:
    branches = grading_access.grading_branches(user).filter(path__startswith=campaign.unit.path)
    approved = GradeProposal.objects.filter(
        grading__campaign=campaign,
        grading__status=BranchGrading.Status.APPROVED,
        grading__branch__in=branches,
    )
    by_grade = dict(approved.order_by().values_list("grade").annotate(n=Count("pk")))
    total = sum(by_grade.values())
    minimum = max(BALLOT_SECRECY_FLOOR, campaign.ballot_secrecy_minimum)
    closed = AppraisalSession.objects.filter(
        Q(unit__in=branches) | Q(unit__parent__in=branches),
        campaign=campaign,
        status=AppraisalSession.Status.CLOSED,
    )
    closed_rows = list(closed.values_list("pk", "unit__kind", "unit_id", "unit__parent_id"))
    voted = {
        unit_id if kind == Unit.Kind.BRANCH else parent_id
        for _pk, kind, unit_id, parent_id in closed_rows
    }
    return GradeFigures(
        sessions_closed=len({pk for pk, *_rest in closed_rows}),
        branches_voted=len(voted),
        gradings_approved=BranchGrading.objects.filter(
            campaign=campaign, status=BranchGrading.Status.APPROVED, branch__in=branches
        ).count(),
        approved=total,
        minimum=minimum,
        # Fewer approved grades than a vote may publish: the total alone, no breakdown.
        by_grade=_counted(by_grade, list(Grade.choices)) if total >= minimum else [],
    )


def report_figures(user: Person, campaign: Campaign) -> ReportFigures:
    """Every figure of the report over the person's view of the campaign (for the
    committee: the whole college)."""
    phases = sorted(campaign.phases.all(), key=lambda phase: phase.order)
    progress = engine.campaign_progress(campaign=campaign, roots=[campaign.unit], weekly=True)
    college = progress.units.get(campaign.unit.pk)

    works = study_access.visible_study_works(user).filter(campaign=campaign)
    work_counts = dict(works.order_by().values_list("kind").annotate(n=Count("pk")))
    sessions = study_access.visible_study_sessions(user).filter(campaign=campaign)
    session_counts = dict(sessions.order_by().values_list("kind").annotate(n=Count("pk")))

    opinions = opinion_selectors.campaign_opinions(user, campaign)
    received = opinions.exclude(status=Opinion.Status.MERGED)
    by_channel = {
        row["channel"]: row["n"] for row in opinion_selectors.counts_by(received, "channel")
    }
    sorted_ = opinions.filter(status=Opinion.Status.SORTED)
    by_kind = {row["kind"]: row["n"] for row in opinion_selectors.counts_by(sorted_, "kind")}
    sortable = [(k, label) for k, label in Opinion.Kind.choices if k != Opinion.Kind.UNSORTED]

    roots = rectification_access.ledger_roots(user, campaign)
    rollup = ledgers.roll_up(user, campaign, roots) if roots else None
    activity_counts = dict(
        campaign_activities(user, campaign).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    general_branches = sum(
        1 for unit in progress.units.values() if unit.kind == Unit.Kind.GENERAL_BRANCH
    )
    return ReportFigures(
        campaign=campaign,
        phases=phases,
        progress=progress,
        college=college,
        general_branches=general_branches,
        branches=college.branch_count if college else 0,
        members=college.members_total if college else 0,
        meetings=_meetings(user, campaign, phases),
        study_plans=(college.branch_count - college.without_plan) if college else 0,
        sessions=_counted(session_counts, list(StudySession.Kind.choices)),
        works=_counted(work_counts, list(StudyWork.Kind.choices)),
        members_with_notes=works.filter(kind=StudyWork.Kind.READING_NOTE)
        .values("member_id")
        .distinct()
        .count(),
        supervision=supervision.overview(user, campaign),
        opinions=_counted(by_channel, list(Opinion.Channel.choices)),
        opinions_total=sum(by_channel.values()),
        opinions_by_kind=_counted(by_kind, sortable),
        opinions_sorted=sum(by_kind.values()),
        further_rounds=len(
            {
                balance.branch_id
                for balance in opinion_selectors.branch_balances(user, campaign, threshold=0)
                if balance.current_round > 1
            }
        ),
        grades=_grades(user, campaign),
        rectification=rollup,
        activities=_counted(activity_counts, list(Activity.Kind.choices)),
    )
