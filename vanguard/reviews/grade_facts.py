"""Where the grade facts of review rounds 2 and 3 come from (评议与等级情况).

Round 2 reports up the democratic appraisal's votes and the branch's initial grade,
round 3 the committee's approved grade. Those facts are the grading app's, which
stands above reviews: it registers the function that states them from its own
`apps.py` (as it registers its requirement kinds), and reviews asks here. With no
source registered there are no facts yet: "".
"""

from __future__ import annotations

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
