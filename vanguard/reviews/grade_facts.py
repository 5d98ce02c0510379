"""Where the grade facts of review rounds 2 and 3 come from (评议与等级情况).

Round 2 reports up the democratic appraisal's votes and the branch's initial grade,
round 3 the committee's approved grade. Those facts are the grading app's, which
stands above reviews: it registers the function that states them from its own
`apps.py` (as it registers its requirement kinds), and reviews asks here. With no
source registered there are no facts yet: "".

Besides the text kept with a passed round, the review page shows the facts themselves
read-only (`appraisal_facts`: the vote's counts once it has closed, the proposed and
approved grade), from a source grading registers the same way, so the branch types
none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vanguard.campaigns.models import Campaign
    from vanguard.organization.models import Member


class GradeFactSource(Protocol):
    def __call__(self, *, member: Member, campaign: Campaign, round_number: int) -> str: ...


_sources: list[GradeFactSource] = []


def register(source: GradeFactSource) -> GradeFactSource:
    """Make `source` the one that states the grade facts (registering again replaces it)."""
    _sources[:] = [source]
    return source


def grade_fact_text(*, member: Member, campaign: Campaign, round_number: int) -> str:
    """What round `round_number` reports up about the member; "" while nothing is known."""
    if not _sources:
        return ""
    return _sources[0](member=member, campaign=campaign, round_number=round_number)


# --- The facts themselves, shown read-only on the review page ----------------------


@dataclass(frozen=True)
class AppraisalFacts:
    """What the system holds about a member's appraisal, for review rounds 2 and 3 to
    show instead of asking the branch to type it. Labels are already translated.

    `vote`: "none" (no vote of the campaign has the member on its roll), "open" (a vote
    is under way), "withheld" (the latest closed vote publishes no counts:
    `withheld_reason` says why) or "published" (`counts`: (grade, votes) in grade
    order). `proposal_state` is the branch grading's state (草稿, 已上报, 已审批 …)."""

    vote: str = "none"
    counts: tuple[tuple[str, int], ...] = ()
    withheld_reason: str = ""
    proposed_grade: str = ""
    proposal_state: str = ""
    approved_grade: str = ""

    @property
    def known(self) -> bool:
        return self.vote != "none" or bool(self.proposed_grade)


class AppraisalFactsSource(Protocol):
    def __call__(self, *, member: Member, campaign: Campaign) -> AppraisalFacts: ...


_fact_sources: list[AppraisalFactsSource] = []


def register_facts(source: AppraisalFactsSource) -> AppraisalFactsSource:
    """Make `source` the one that reads the appraisal facts (registering again replaces
    it). The grading app registers it from its `apps.py`."""
    _fact_sources[:] = [source]
    return source


def appraisal_facts(*, member: Member, campaign: Campaign) -> AppraisalFacts:
    """The member's appraisal facts; nothing known while no source is registered."""
    if not _fact_sources:
        return AppraisalFacts()
    return _fact_sources[0](member=member, campaign=campaign)
