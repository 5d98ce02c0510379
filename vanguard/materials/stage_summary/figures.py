"""The figures of one branch in one campaign phase, for the stage summary's first draft
(`drafting.py`): the branch's line of `materials.figures` counted over the branch with
the phase as the window — the same definitions, so the same numbers, as the branch's
row in the college statistics workbook.

The summary is the branch's own document, read by its officers and those above them
(`materials.access.stage_summary_readers`): it counts everything in the branch but the
opinions about any of those readers, so none of them learns from it how the opinions
about them came in (the opinions app hides that from them). A vote is quoted with its
roll and ballots only when the ballots app publishes its results; grades by grade only
from the secrecy minimum up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vanguard.campaigns.models import Campaign, Phase
from vanguard.materials import access
from vanguard.materials.figures import (
    HeldMeeting,
    MemberLine,
    OpinionLine,
    StudyLine,
    VoteLine,
    VoteSession,
    count_figures,
)
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit
from vanguard.rectification.ledgers.selectors import Tally
from vanguard.reviews.selectors_review import BranchProgress
from vanguard.study.models import StudySession

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
    study: StudyLine = field(default_factory=StudyLine)
    # opinions
    opinions: OpinionLine = field(default_factory=OpinionLine)
    # reviews (三上三下)
    reviews: BranchProgress | None = None
    # vote and grades
    votes: list[VoteSession] = field(default_factory=list)
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

    # -- the figures as the draft words them --

    @property
    def study_sessions(self) -> int:
        return self.study.sessions.get(StudySession.Kind.SESSION, 0)

    @property
    def attendances(self) -> int:
        return self.study.attendances

    @property
    def works(self) -> dict[str, int]:
        return {kind: n for kind, n in self.study.works.items() if n}

    @property
    def works_total(self) -> int:
        return sum(self.study.works.values())

    @property
    def members_with_works(self) -> int:
        return self.study.members_with_works

    @property
    def opinions_by_channel(self) -> dict[str, int]:
        return {channel: n for channel, n in self.opinions.by_channel.items() if n}

    @property
    def opinions_total(self) -> int:
        return self.opinions.received

    @property
    def opinions_by_kind(self) -> dict[str, int]:
        return self.opinions.by_kind

    @property
    def opinions_sorted(self) -> int:
        return self.opinions.sorted

    @property
    def opinion_rounds(self) -> int:
        return self.opinions.round

    @property
    def reviews_by_round(self) -> dict[int, dict[str, int]]:
        found: dict[int, dict[str, int]] = {}
        for (number, state), n in sorted((self.reviews.counts if self.reviews else {}).items()):
            if n:
                found.setdefault(number, {})[state] = n
        return found

    @property
    def reviews_approved(self) -> int:
        return self.reviews.approved if self.reviews else 0

    @property
    def reviews_started(self) -> int:
        return self.reviews.started if self.reviews else 0

    @property
    def branch_reviews(self) -> int:
        return self.reviews.reviews if self.reviews else 0

    @property
    def branch_returns(self) -> int:
        return self.reviews.returns if self.reviews else 0

    @property
    def meetings_by_kind(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for meeting in self.meetings:
            found[meeting.kind] = found.get(meeting.kind, 0) + 1
        return found

    @property
    def required_meetings(self) -> list[RequirementFigure]:
        return [r for r in self.requirements if r.kind == "branch_meeting"]

    def meeting_label(self, meeting: HeldMeeting) -> str:
        return str(dict(Meeting.Kind.choices).get(meeting.kind, meeting.kind))


def phase_figures(*, campaign: Campaign, branch: Unit, phase: Phase) -> PhaseFigures:
    """Everything the stage summary of `branch` for `phase` quotes."""
    found = count_figures(
        campaign=campaign,
        roots=[branch],
        user=None,
        phase=phase,
        left_out=access.stage_summary_readers(branch),
    )
    members = found.members.get(branch.pk, MemberLine())
    line = found.branch_progress.get(branch.pk)
    grades = found.grades.get(branch.pk)
    return PhaseFigures(
        campaign=campaign,
        branch=branch,
        phase=phase,
        members=members.total,
        formal=members.standings.get(Member.Standing.FORMAL, 0),
        probationary=members.standings.get(Member.Standing.PROBATIONARY, 0),
        requirements=[
            RequirementFigure(
                label=str(result.label),
                done=result.done,
                total=result.total,
                met=result.met,
                member_scope=result.is_member_scope,
                kind=result.requirement.kind,
            )
            for result in found.requirement_results(branch.pk, phase)
        ],
        meetings=found.meetings_held.get(branch.pk, []),
        study_plan_submitted=bool(line and line.has_plan),
        study=found.study.get(branch.pk, StudyLine()),
        opinions=found.opinions.get(branch.pk, OpinionLine()),
        reviews=found.reviews.get(branch.pk),
        votes=found.votes.get(branch.pk, VoteLine()).sessions,
        grading_status=grades.status if grades else "",
        graded=grades.approved if grades else 0,
        grades=grades.by_grade if grades else None,
        rectification=found.rectification.get(branch.pk, Tally()),
    )
