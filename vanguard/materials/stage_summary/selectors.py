"""Reads of the stage summaries: a branch's summaries one per phase (what the bundle of
the three materials prints), the lists of the index page, a summary's history, what
changed since it was returned (`vanguard.lib.textdiff`, the review loop's diff), and
what a redraft from today's data would change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from vanguard.accounts.access import Person
from vanguard.campaigns.models import Campaign, Phase
from vanguard.lib.textdiff import TextDiff, compare
from vanguard.materials import access
from vanguard.materials.stage_summary import services
from vanguard.materials.stage_summary.models import (
    SECTION_NAMES,
    SECTIONS,
    StageSummary,
    StageSummaryDecision,
    StageSummaryVersion,
)
from vanguard.organization.models import Unit

State = StageSummary.State


def latest_summaries(*, campaign: Campaign, branch: Unit) -> list[StageSummary]:
    """The branch's summary of each phase that has one, in the phases' order: the
    accepted one where the committee accepted it, else the latest text."""
    return list(
        StageSummary.objects.filter(campaign=campaign, branch=branch)
        .select_related("campaign", "branch", "phase")
        .order_by("phase__order")
    )


def sections_of(source: Any) -> list[tuple[str, str, str]]:
    """(name, label, text) of each section of a summary, a version or a dict."""
    if isinstance(source, dict):
        return [(name, str(label), str(source.get(name) or "")) for name, label in SECTIONS]
    return [(name, str(label), str(getattr(source, name) or "")) for name, label in SECTIONS]


def campaign_phases(campaign: Campaign) -> list[Phase]:
    return list(campaign.phases.order_by("order"))


@dataclass
class BranchRow:
    branch: Unit
    cells: list[tuple[Phase, StageSummary | None]]


def branch_rows(user: Person, campaign: Campaign) -> list[BranchRow]:
    """The branches the person writes for, each with its summary of every phase."""
    branches = list(access.stage_summary_branches(user, campaign))
    phases = campaign_phases(campaign)
    found = {
        (s.branch_id, s.phase_id): s
        for s in StageSummary.objects.filter(campaign=campaign, branch__in=branches)
    }
    return [
        BranchRow(branch, [(phase, found.get((branch.pk, phase.pk))) for phase in phases])
        for branch in branches
    ]


def review_queue(user: Person, campaign: Campaign) -> list[StageSummary]:
    """The summaries waiting for this person's decision, oldest first."""
    waiting = (
        access.visible_stage_summaries(user)
        .filter(campaign=campaign, state__in=(State.SUBMITTED, State.WITH_COMMITTEE))
        .order_by("submitted_at", "pk")
    )
    return [s for s in waiting if access.can_review_stage_summary(user, s)]


def campaign_summaries(
    user: Person, campaign: Campaign, *, phase: Phase | None = None, state: str = ""
) -> QuerySet[StageSummary]:
    found = access.visible_stage_summaries(user).filter(campaign=campaign)
    if phase is not None:
        found = found.filter(phase=phase)
    if state:
        found = found.filter(state=state)
    return found.order_by("branch__path", "phase__order")


def versions(summary: StageSummary) -> list[StageSummaryVersion]:
    return list(summary.versions.select_related("submitted_by").order_by("number"))


def decisions(summary: StageSummary) -> list[StageSummaryDecision]:
    return list(summary.decisions.select_related("reviewer", "version").order_by("at", "pk"))


def last_return(summary: StageSummary) -> StageSummaryDecision | None:
    return (
        summary.decisions.filter(verdict=StageSummaryDecision.Verdict.RETURN)
        .select_related("reviewer", "version")
        .order_by("-at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ChangesSinceReturn:
    returned: StageSummaryDecision
    latest: StageSummaryVersion
    diffs: list[TextDiff]

    @property
    def any(self) -> bool:
        return any(d.changed for d in self.diffs)


def changes_since_return(summary: StageSummary) -> ChangesSinceReturn | None:
    """For a summary resubmitted after a return: each section of the returned version
    against the version now waiting. None when it was never returned, or is not
    waiting for a reviewer."""
    if summary.state not in (State.SUBMITTED, State.WITH_COMMITTEE):
        return None
    returned = last_return(summary)
    latest = summary.versions.order_by("-number").first()
    if returned is None or latest is None or returned.version_id == latest.pk:
        return None
    diffs = [
        compare(str(label), getattr(returned.version, name), getattr(latest, name), name=name)
        for name, label in SECTIONS
    ]
    return ChangesSinceReturn(returned=returned, latest=latest, diffs=diffs)


@dataclass(frozen=True)
class RedraftSection:
    name: str
    label: str
    edited: bool  # the officers changed it since the data last drafted it
    diff: TextDiff  # the text now against the data's text today

    @property
    def updated_without_asking(self) -> bool:
        return self.diff.changed and not self.edited


def redraft_preview(summary: StageSummary) -> tuple[dict[str, str], list[RedraftSection]]:
    """Today's data text, and each section compared with it."""
    new = services.drafted_from_data(
        campaign=summary.campaign, branch=summary.branch, phase=summary.phase
    )
    edited = services.edited_sections(summary)
    return new, [
        RedraftSection(
            name=name,
            label=str(label),
            edited=name in edited,
            diff=compare(str(label), getattr(summary, name), new[name], name=name),
        )
        for name, label in SECTIONS
    ]


def section_names() -> tuple[str, ...]:
    return SECTION_NAMES
