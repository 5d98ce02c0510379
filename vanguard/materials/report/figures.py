"""The figures of the drafted report: the college's totals of `materials.figures` — the
same definitions, so the same numbers, as the statistics workbook's 合计 row — counted
over what the person drafting it reads (their own copy: the opinions about themself
are not counted, as on the opinions dashboard), and the few figures only the report
quotes, each read from the app that owns it:

* the college's progress line, lagging branches, blind spots and the weekly
  submissions: the campaigns progress engine (`/campaigns/`);
* notes sampled and read, inspection rounds and branches checked, make-up orders: the
  supervision overview (`supervision.reports.selectors.overview`);
* rectification activities by kind (`rectification.activities.selectors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from vanguard.accounts.access import Person
from vanguard.ballots.models import Grade
from vanguard.campaigns import progress as engine
from vanguard.campaigns.models import Campaign, Phase
from vanguard.materials.figures import Figures, count_figures
from vanguard.meetings.models import Meeting
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Unit
from vanguard.rectification.activities.selectors import campaign_activities
from vanguard.rectification.ledgers.selectors import Tally
from vanguard.rectification.models import Activity
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
    outside: int  # held in the campaign but in no phase's dates
    branches: int  # branches that held one

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
    withheld: int  # approved grades of branches below the minimum: not by grade
    by_grade: list[Counted] = field(default_factory=list)  # empty: none shown


@dataclass
class ReportFigures:
    campaign: Campaign
    figures: Figures  # the shared figures the totals are taken from
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
    rectification: Tally  # the branches' plans and items (the ledger's 合计)
    committee_tally: Tally | None  # the committee's own plan
    activities: list[Counted]  # by kind

    def meeting(self, kind: str) -> MeetingRow:
        return next(row for row in self.meetings if row.kind == kind)

    def meetings_in(self, kind: str, phase_key: str) -> int:
        """The college's own meetings of the kind in the phase (the committee's line:
        the seed's 全院 all-member, secretaries' and leading-group meetings)."""
        phase = next((p for p in self.phases if p.key == phase_key), None)
        if phase is None:
            return 0
        held = self.figures.meetings_held.get(self.campaign.unit_id, [])
        return sum(1 for m in held if m.kind == kind and m.phase_id == phase.pk)


def _meetings(figures: Figures) -> list[MeetingRow]:
    counts = figures.total_meetings()
    phase_ids = {phase.pk for phase in figures.phases}
    return [
        MeetingRow(
            kind=kind,
            label=str(label),
            by_phase=[counts.get((kind, phase.pk), 0) for phase in figures.phases],
            outside=sum(n for (k, p), n in counts.items() if k == kind and p not in phase_ids),
            branches=figures.branches_holding(kind),
        )
        for kind, label in Meeting.Kind.choices
    ]


def _counted(rows: dict[str, int], choices: list[tuple[str, Any]]) -> list[Counted]:
    return [Counted(value, str(label), rows.get(value, 0)) for value, label in choices]


def _grades(figures: Figures) -> GradeFigures:
    by_grade = figures.grades_by_grade()
    return GradeFigures(
        sessions_closed=figures.total_votes().sessions_closed,
        branches_voted=figures.branches_voted(),
        gradings_approved=figures.gradings_approved(),
        approved=figures.approved_grades(),
        minimum=figures.minimum,
        withheld=figures.grades_withheld(),
        by_grade=_counted(by_grade, list(Grade.choices)) if any(by_grade.values()) else [],
    )


def report_figures(user: Person, campaign: Campaign) -> ReportFigures:
    """Every figure of the report over the person's view of the campaign (for the
    committee: the whole college)."""
    figures = count_figures(campaign=campaign, roots=[campaign.unit], user=user)
    progress = engine.campaign_progress(campaign=campaign, roots=[campaign.unit], weekly=True)
    study = figures.total_study()
    opinions = figures.total_opinions()
    sortable = [(k, label) for k, label in Opinion.Kind.choices if k != Opinion.Kind.UNSORTED]
    activity_counts = dict(
        campaign_activities(user, campaign).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    return ReportFigures(
        campaign=campaign,
        figures=figures,
        phases=figures.phases,
        progress=progress,
        college=progress.units.get(campaign.unit.pk),
        general_branches=sum(1 for u in figures.units if u.kind == Unit.Kind.GENERAL_BRANCH),
        branches=len(figures.branches),
        members=figures.total_members(),
        meetings=_meetings(figures),
        study_plans=sum(1 for line in figures.branch_progress.values() if line.has_plan),
        sessions=_counted(study.sessions, list(StudySession.Kind.choices)),
        works=_counted(study.works, list(StudyWork.Kind.choices)),
        members_with_notes=study.members_with_notes,
        supervision=supervision.overview(user, campaign),
        opinions=_counted(opinions.by_channel, list(Opinion.Channel.choices)),
        opinions_total=opinions.received,
        opinions_by_kind=_counted(opinions.by_kind, sortable),
        opinions_sorted=opinions.sorted,
        further_rounds=figures.further_rounds(),
        grades=_grades(figures),
        rectification=figures.total_rectification(),
        committee_tally=figures.committee_tally,
        activities=_counted(activity_counts, list(Activity.Kind.choices)),
    )
