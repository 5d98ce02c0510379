"""Reads for campaigns: phases and where each branch stands."""

from __future__ import annotations

from collections.abc import Iterable

from vanguard.campaigns.models import Campaign, Phase, PhaseTransition
from vanguard.lib.paths import path_ids


def campaign_phases(campaign: Campaign) -> list[Phase]:
    return list(campaign.phases.order_by("order"))


def current_phases(*, campaign: Campaign, branch_ids: Iterable[int]) -> dict[int, Phase]:
    """The phase each branch is in: the target of its latest transition (转段), or the
    campaign's first phase. Two queries, whatever the number of branches."""
    phases = {phase.pk: phase for phase in campaign.phases.all()}
    if not phases:
        return {}
    first = min(phases.values(), key=lambda phase: phase.order)
    branch_ids = list(branch_ids)
    current = dict.fromkeys(branch_ids, first)
    transitions = (
        PhaseTransition.objects.filter(campaign=campaign, branch_id__in=branch_ids)
        .order_by("branch_id", "at", "pk")
        .values_list("branch_id", "to_phase_id")
    )
    if len(branch_ids) > 500:  # a long IN list costs more than reading the campaign's rows
        transitions = (
            PhaseTransition.objects.filter(campaign=campaign)
            .order_by("branch_id", "at", "pk")
            .values_list("branch_id", "to_phase_id")
        )
    for branch_id, to_phase_id in transitions:
        if branch_id in current:
            current[branch_id] = phases[to_phase_id]
    return current


def active_campaign_for_unit(unit_path: str) -> Campaign | None:
    """The active campaign whose unit contains the given unit (the nearest one)."""
    unit_ids = path_ids(unit_path)
    return (
        Campaign.objects.filter(status=Campaign.Status.ACTIVE, unit_id__in=unit_ids)
        .select_related("unit")
        .order_by("-unit__depth", "-year", "-pk")
        .first()
    )
