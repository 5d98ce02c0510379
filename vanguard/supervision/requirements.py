"""The requirement kinds (检查项) supervision brings to a campaign's phases, registered
with the campaign's requirement registry at start-up (`SupervisionConfig.ready`):

* ``branch_supervision_signed_off`` — the supervision group has signed the branch off
  (督查签字) on leaving the phase the requirement belongs to. A campaign that wants a
  branch's move to the next phase (转段) to wait for the group adds it to that phase.

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


def _signed_off(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    """{branch id: 1} for the branches signed off for the requirement's own phase."""
    from vanguard.supervision.models import PhaseSignoff

    branches = (
        PhaseSignoff.objects.filter(campaign=ctx.campaign, phase_id=requirement.phase_id)
        .filter(ctx.under("branch__path"))
        .values_list("branch_id", flat=True)
    )
    return dict.fromkeys(branches, 1)


SIGNED_OFF = register(
    RequirementKind(
        code="branch_supervision_signed_off",
        scope=BRANCH,
        name=_("督查组签字同意支部转段"),
        params=(),
        describe=lambda params: gettext("督查组签字同意支部转段"),
        evaluate=_signed_off,
        target=lambda params: 1,
    )
)

# The records the readings above read (campaigns.records keeps their version).
counts_records_of("supervision.PhaseSignoff")
# The rounds, checks and orders an officer's home lists (campaigns.kept_pages).
counts_records_of("supervision.Round", "supervision.Check", "supervision.RemediationOrder")
