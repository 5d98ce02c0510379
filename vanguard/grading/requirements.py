"""The requirement kinds (检查项) of the democratic appraisal and grading, registered
with the campaign's requirement registry at start-up (`GradingConfig.ready`), so that
the analysis phase can ask of every branch:

* ``branch_appraisal_vote_held`` — the branch's democratic appraisal vote has been
  held and closed with a valid result (its own, or one of its party groups' in a large
  branch): a vote below the secrecy minimum or the quorum publishes no result, and the
  branch has to vote again;
* ``branch_grades_approved`` — the committee has approved the branch's grades.

Each evaluator answers for every branch of the scope with one query.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.requirements import (
    BRANCH,
    Context,
    RequirementKind,
    counts_records_of,
    register,
)


def _votes_held(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    from vanguard.ballots.models import AppraisalSession
    from vanguard.ballots.selectors import with_results_published
    from vanguard.organization.models import Unit

    rows = (
        with_results_published(AppraisalSession.objects.filter(campaign=ctx.campaign))
        .filter(ctx.under("unit__path"))
        .values_list("unit_id", "unit__kind", "unit__parent_id")
    )
    branches: set[int] = set()
    for unit, kind, parent in rows:
        branch = parent if kind == Unit.Kind.PARTY_GROUP else unit
        if branch is not None:  # a party group always has its branch above it
            branches.add(branch)
    return dict.fromkeys(branches, 1)


def _grades_approved(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    from vanguard.grading.models import BranchGrading

    branches = (
        BranchGrading.objects.filter(campaign=ctx.campaign, status=BranchGrading.Status.APPROVED)
        .filter(ctx.under("branch__path"))
        .values_list("branch_id", flat=True)
    )
    return dict.fromkeys(branches, 1)


VOTE_HELD = register(
    RequirementKind(
        code="branch_appraisal_vote_held",
        scope=BRANCH,
        name=_("支部完成民主评议投票"),
        params=(),
        describe=lambda params: gettext("支部完成民主评议投票"),
        evaluate=_votes_held,
        target=lambda params: 1,
    )
)

GRADES_APPROVED = register(
    RequirementKind(
        code="branch_grades_approved",
        scope=BRANCH,
        name=_("支部党员评议等级经党委审批"),
        params=(),
        describe=lambda params: gettext("支部党员评议等级经党委审批"),
        evaluate=_grades_approved,
        target=lambda params: 1,
    )
)

# The records the readings above read (campaigns.records keeps their version).
counts_records_of("ballots.AppraisalSession", "grading.BranchGrading")
# The approved grade a member's home shows (campaigns.kept_pages).
counts_records_of("grading.GradeProposal")
