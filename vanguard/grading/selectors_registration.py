"""Reads for the member appraisal registration form (党员评议登记表): one member's facts,
personal summary, democratic appraisal, the branch's initial grade and the committee's
approval in one campaign, gathered in a fixed number of queries (one closed vote's
tally is computed per distinct vote; one member has at most one).

What is on the form follows the grading rules, not the viewer's curiosity:

- the personal summary (个人总结) is the latest *submitted* version, never the draft;
- the branch's initial grade (初评) appears once the branch has reported it to the
  committee (submitted or approved), never while it is still a draft or returned;
- the committee's grade, its date and opinion once the committee has approved it;
- for the member themself (`for_member=True`, when they do not also read the
  branch's grading), the vote counts and the initial grade only once the committee
  has approved: a member sees their grade only after approval.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from vanguard.ballots.models import Grade
from vanguard.grading import registration_sections, selectors
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.organization.models import Member, Unit

REPORTED = (BranchGrading.Status.SUBMITTED, BranchGrading.Status.APPROVED)


@dataclass(frozen=True)
class Appraisal:
    """The democratic appraisal (民主评议) of one member: the counts of the latest closed
    vote that graded them."""

    counts: list[tuple[str, int]]  # (grade label, votes) for the four grades, in order
    blank: int  # confirmed paper ballots that left the member ungraded (未评定)
    ballots: int  # electronic + confirmed paper ballots counted
    unit_name: str  # the branch, or the party group that voted
    held_on: datetime.date | None
    # Why the vote's per-candidate results are withheld (too few ballots for secrecy, or
    # no quorum), in a sentence; then `counts` is empty and `blank` 0.
    withheld: str = ""


@dataclass
class RegistrationData:
    member_id: int
    name: str
    number: str
    category: str
    standing: str
    probationary: bool
    joined_on: datetime.date | None
    branch_name: str
    party_group_name: str
    campaign_name: str
    campaign_year: int
    summary: str = ""  # the latest submitted version's personal summary (个人总结)
    summary_submitted_on: datetime.date | None = None
    appraisal: Appraisal | None = None  # None: no closed vote graded the member (yet)
    initial_grade: str = ""  # the branch's proposal (初评), once reported
    initial_rationale: str = ""
    initial_submitted_on: datetime.date | None = None
    approved_grade: str = ""  # the committee's approval (审批)
    approved_on: datetime.date | None = None
    committee_opinion: str = ""  # the committee's word closing review round 3
    outcome: str = ""  # an unqualified member's handling, once recorded
    outcome_on: datetime.date | None = None
    outcome_note: str = ""
    grade_value: str = field(default="", repr=False)  # the approved grade's code
    # What higher apps add to the form (`registration_sections`): the rectification plan…
    extra: list[registration_sections.FormSection] = field(default_factory=list)


def _day(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value is not None else None


def registration_data(
    member: Member, campaign: Any, *, for_member: bool = False
) -> RegistrationData:
    """One member's registration form in the campaign."""
    return registrations(Member.objects.filter(pk=member.pk), campaign, for_member=for_member)[0]


def branch_registrations(branch: Unit, campaign: Any) -> list[RegistrationData]:
    """Every active member of the branch (formal, then probationary, in roster order),
    for the secretary to print the whole branch at once."""
    # "formal" sorts before "probationary".
    members = Member.objects.filter(branch=branch, is_active=True).order_by("standing", "number")
    return registrations(members, campaign)


def registrations(
    members: QuerySet[Member], campaign: Any, *, for_member: bool = False
) -> list[RegistrationData]:
    """The forms of the given members (a queryset), in its order."""
    from vanguard.reviews.models import CommitteeResponse, SubmittedVersion

    found = list(members.select_related("branch", "party_group"))
    ids = [m.pk for m in found]
    if not ids:
        return []

    summaries: dict[int, SubmittedVersion] = {}
    for submitted in (
        SubmittedVersion.objects.filter(document__campaign=campaign, document__member_id__in=ids)
        .select_related("document")
        .order_by("document_id", "number")
    ):
        summaries[submitted.document.member_id] = submitted  # the last wins: the latest

    opinions = dict(
        CommitteeResponse.objects.filter(
            round__document__campaign=campaign,
            round__document__member_id__in=ids,
            round__number=3,
        ).values_list("round__document__member_id", "text")
    )

    proposals = _proposals(ids, campaign, found)
    appraisals = _appraisals(ids, campaign)
    extra = registration_sections.extra_sections(ids, campaign)

    result = []
    for member in found:
        data = RegistrationData(
            member_id=member.pk,
            name=member.name,
            number=member.number,
            category=member.get_category_display(),
            standing=member.get_standing_display(),
            probationary=member.standing == Member.Standing.PROBATIONARY,
            joined_on=member.joined_on,
            branch_name=member.branch.name,
            party_group_name=member.party_group.name if member.party_group else "",
            campaign_name=campaign.name,
            campaign_year=campaign.year,
            extra=extra.get(member.pk, []),
        )
        version = summaries.get(member.pk)
        if version is not None:
            data.summary = version.summary
            data.summary_submitted_on = _day(version.submitted_at)
        proposal = proposals.get(member.pk)
        approved = proposal is not None and proposal.grading.status == BranchGrading.Status.APPROVED
        if not data.probationary and (approved or not for_member):
            data.appraisal = appraisals.get(member.pk)
        if proposal is not None and proposal.grading.status in REPORTED:
            if approved or not for_member:
                data.initial_grade = proposal.get_grade_display()
                data.initial_rationale = proposal.rationale
                data.initial_submitted_on = _day(proposal.grading.submitted_at)
            if approved:
                _approved(data, proposal, opinions.get(member.pk, ""))
        result.append(data)
    return result


def _approved(data: RegistrationData, proposal: GradeProposal, opinion: str) -> None:
    data.approved_grade = proposal.get_grade_display()
    data.grade_value = proposal.grade
    data.approved_on = _day(proposal.grading.decided_at)
    data.committee_opinion = opinion
    case: UnqualifiedCase | None = getattr(proposal, "unqualified_case", None)
    if (
        proposal.grade == Grade.UNQUALIFIED
        and case is not None
        and not case.withdrawn
        and case.outcome
    ):
        data.outcome = case.get_outcome_display()
        data.outcome_on = case.outcome_on
        data.outcome_note = case.outcome_note


def _proposals(
    ids: Sequence[int], campaign: Any, members: Sequence[Member]
) -> dict[int, GradeProposal]:
    """member id → the proposal that speaks for them: the approved one if any (a member
    who moved after approval keeps it), else their current branch's."""
    branch_of = {m.pk: m.branch_id for m in members}
    chosen: dict[int, GradeProposal] = {}
    for proposal in GradeProposal.objects.filter(
        member_id__in=ids, grading__campaign=campaign
    ).select_related("grading", "unqualified_case"):
        current = chosen.get(proposal.member_id)
        approved = proposal.grading.status == BranchGrading.Status.APPROVED
        if current is not None and current.grading.status == BranchGrading.Status.APPROVED:
            continue
        if approved or proposal.grading.branch_id == branch_of[proposal.member_id]:
            chosen[proposal.member_id] = proposal
    return chosen


def _appraisals(ids: Sequence[int], campaign: Any) -> dict[int, Appraisal]:
    """member id → the counts of the latest closed vote in the campaign that graded them
    (only the number of ballots and the reason when its results are withheld)."""
    return {
        member_id: Appraisal(
            counts=[(str(label), found.candidate.counts[value]) for value, label in Grade.choices]
            if found.published
            else [],
            blank=found.candidate.blank if found.published else 0,
            ballots=found.tally.total_ballots,
            unit_name=found.session.unit.name,
            held_on=_day(found.session.closed_at),
            withheld=found.withheld_reason,
        )
        for member_id, found in selectors.member_tallies(campaign, ids).items()
    }
