"""Reads of the drafted report: the figures and candidates for a person, and the
examples the committee chose, in their order."""

from __future__ import annotations

from dataclasses import dataclass

from vanguard.accounts.access import Person
from vanguard.campaigns.models import Campaign
from vanguard.materials.report.candidates import Candidate, report_candidates
from vanguard.materials.report.figures import ReportFigures, report_figures
from vanguard.materials.report.models import ReportSelection


@dataclass
class ReportData:
    figures: ReportFigures
    candidates: list[Candidate]
    chosen: list[Candidate]  # in the committee's order


def chosen_refs(campaign: Campaign) -> list[str]:
    """The refs of the chosen examples, in their order."""
    return list(
        ReportSelection.objects.filter(campaign=campaign)
        .order_by("order", "pk")
        .values_list("ref", flat=True)
    )


def chosen_examples(campaign: Campaign, candidates: list[Candidate]) -> list[Candidate]:
    """The chosen candidates the person may read, in the committee's order; a choice
    whose record no longer yields a candidate drops out."""
    by_ref = {candidate.ref: candidate for candidate in candidates}
    return [by_ref[ref] for ref in chosen_refs(campaign) if ref in by_ref]


def report_data(user: Person, campaign: Campaign) -> ReportData:
    figures = report_figures(user, campaign)
    candidates = report_candidates(user, campaign, figures=figures.figures)
    return ReportData(figures, candidates, chosen_examples(campaign, candidates))
