"""Reads for grading: the rows of a branch's grading page (each formal member with the
tally, review status and proposal beside them), the member's approved grades, and the
grade facts the review rounds 2 and 3 report up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession, Grade, RollEntry
from vanguard.grading.models import BranchGrading, GradeProposal, GradingRule, UnqualifiedCase
from vanguard.organization.models import Member, Unit


def rule_for(campaign: Any) -> GradingRule:
    """The campaign's rule, or the default (one third) when none was set."""
    return GradingRule.objects.filter(campaign=campaign).first() or GradingRule(campaign=campaign)


def formal_members(branch: Unit):
    return Member.objects.filter(
        branch=branch, is_active=True, standing=Member.Standing.FORMAL
    ).order_by("number")


def probationary_members(branch: Unit):
    return Member.objects.filter(
        branch=branch, is_active=True, standing=Member.Standing.PROBATIONARY
    ).order_by("number")


@dataclass(frozen=True)
class MemberTally:
    """A member's result in the latest closed vote of the campaign that graded them.

    When that vote's results are withheld (too few ballots for secrecy, or no quorum:
    `tally.withheld`) the candidate has no counts: the member has no usable tally, and
    `withheld_reason` says why, with the number of ballots."""

    session: AppraisalSession
    tally: Any  # the session's ballots.services.Tally
    candidate: Any  # the member's CandidateTally in it

    @property
    def published(self) -> bool:
        return bool(self.tally.published)

    @property
    def withheld_reason(self) -> str:
        return str(self.tally.withheld_reason)


def member_tallies(campaign: Any, member_ids) -> dict[int, MemberTally]:
    """member id → their latest closed vote in the campaign that graded them (found by
    their roll entry, wherever they voted: their branch or its party group). Each
    distinct vote is tallied once. A withheld vote stays the member's latest: an earlier
    vote's counts are not brought back in its place (check `published`)."""
    latest: dict[int, AppraisalSession] = {}
    entries = (
        RollEntry.objects.filter(
            member_id__in=list(member_ids),
            is_candidate=True,
            session__campaign=campaign,
            session__status=AppraisalSession.Status.CLOSED,
        )
        .select_related("session", "session__unit")
        .order_by("session__closed_at", "session_id")
    )
    for entry in entries:
        latest[entry.member_id] = entry.session  # the last wins: the latest closed
    tallies: dict[int, Any] = {}
    found: dict[int, MemberTally] = {}
    for member_id, session in latest.items():
        if session.pk not in tallies:
            tallies[session.pk] = ballots.compute_tally(session=session)
        tally = tallies[session.pk]
        candidate = next((c for c in tally.candidates if c.member_id == member_id), None)
        if candidate is not None:
            found[member_id] = MemberTally(session=session, tally=tally, candidate=candidate)
    return found


def tallies_for_branch(campaign: Any, branch: Unit) -> dict[int, Any]:
    """member id → the `CandidateTally` of each of the branch's active members whose
    latest vote's results are published."""
    ids = Member.objects.filter(branch=branch, is_active=True).values_list("pk", flat=True)
    return {
        pk: found.candidate
        for pk, found in member_tallies(campaign, ids).items()
        if found.published
    }


def grading_for(campaign: Any, branch: Unit) -> BranchGrading | None:
    return (
        BranchGrading.objects.filter(campaign=campaign, branch=branch)
        .select_related("submitted_by", "decided_by")
        .first()
    )


@dataclass
class Row:
    member: Member
    proposal: GradeProposal | None
    tally: Any  # CandidateTally or None: no closed vote with published results yet
    review: Any  # SelfAnalysis or None
    case: UnqualifiedCase | None
    withheld: str = ""  # why the latest closed vote's results are withheld, in a sentence
    withheld_code: str = ""  # the same as ballots.services.WITHHELD_…, "" when shown

    @property
    def tally_cells(self) -> list[tuple[Any, int, Any]]:
        """(grade label, votes, share in per cent) for the four grades."""
        if self.tally is None:
            return []
        return [
            (label, self.tally.counts[value], self.tally.shares[value] * 100)
            for value, label in Grade.choices
        ]


def rows(*, campaign: Any, branch: Unit, grading: BranchGrading | None) -> list[Row]:
    """Every active formal member of the branch, in roster order."""
    from vanguard.reviews.models import SelfAnalysis

    members = list(formal_members(branch))
    proposals: dict[int, GradeProposal] = {}
    if grading is not None:
        proposals = {
            p.member_id: p
            for p in GradeProposal.objects.filter(grading=grading).select_related(
                "unqualified_case"
            )
        }
    reviews = {
        d.member_id: d for d in SelfAnalysis.objects.filter(campaign=campaign, member__in=members)
    }
    found_tallies = member_tallies(campaign, [m.pk for m in members])
    result = []
    for member in members:
        proposal = proposals.get(member.pk)
        case = getattr(proposal, "unqualified_case", None) if proposal is not None else None
        found = found_tallies.get(member.pk)
        result.append(
            Row(
                member=member,
                proposal=proposal,
                tally=found.candidate if found is not None and found.published else None,
                review=reviews.get(member.pk),
                case=case,
                withheld=found.withheld_reason if found is not None else "",
                withheld_code=found.tally.withheld if found is not None else "",
            )
        )
    return result


def excellent_check(*, campaign: Any, rows: list[Row]) -> dict[str, Any]:
    """The cap on excellent against the branch's proposals (rows from `rows()`)."""
    rule = rule_for(campaign)
    excellent = sum(1 for r in rows if r.proposal and r.proposal.grade == Grade.EXCELLENT)
    cap = rule.excellent_cap(len(rows))
    return {"cap": cap, "count": excellent, "exceeded": excellent > cap, "label": rule.cap_label}


def gradings_in(branches, campaign_ids) -> dict[tuple[int, int], BranchGrading]:
    return {
        (g.campaign_id, g.branch_id): g
        for g in BranchGrading.objects.filter(branch__in=branches, campaign_id__in=campaign_ids)
    }


def approved_proposal(member: Member, campaign: Any) -> GradeProposal | None:
    """The member's grade in the campaign, once the committee approved it."""
    return (
        GradeProposal.objects.filter(
            member=member, grading__campaign=campaign, grading__status=BranchGrading.Status.APPROVED
        )
        .select_related("grading", "grading__campaign")
        .first()
    )


def member_grades(member: Member) -> list[GradeProposal]:
    """All the member's approved grades, newest campaign first."""
    return list(
        GradeProposal.objects.filter(member=member, grading__status=BranchGrading.Status.APPROVED)
        .select_related("grading", "grading__campaign", "unqualified_case")
        .order_by("-grading__campaign__year", "-grading__campaign_id")
    )


def grade_fact_text(*, member: Member, campaign: Any, round_number: int) -> str:
    """What review round 2 (appraisal held, initial grade) or 3 (grade approved)
    reports up about the member, from the appraisal data; "" when it does not exist yet.
    Round 2 needs a closed vote that graded the member and the branch's submitted
    proposal; round 3 the committee's approval."""
    grading = BranchGrading.objects.filter(campaign=campaign, branch_id=member.branch_id).first()
    if grading is None or grading.status not in (
        BranchGrading.Status.SUBMITTED,
        BranchGrading.Status.APPROVED,
    ):
        return ""
    proposal = GradeProposal.objects.filter(grading=grading, member=member).first()
    if proposal is None:
        return ""
    if round_number == 3:
        if grading.status != BranchGrading.Status.APPROVED:
            return ""
        return _("党委审批等级：%(grade)s") % {"grade": proposal.get_grade_display()}
    found = member_tallies(campaign, [member.pk]).get(member.pk)
    if found is None or not found.published:
        return ""
    tally = found.candidate
    counts = {g: tally.counts[g] for g in Grade.values}
    return _(
        "民主评议：优秀 %(excellent)s 票，合格 %(qualified)s 票，基本合格 %(basic)s 票，"
        "不合格 %(unqualified)s 票；支部初评：%(grade)s"
    ) % {
        "excellent": counts[Grade.EXCELLENT],
        "qualified": counts[Grade.QUALIFIED],
        "basic": counts[Grade.BASICALLY_QUALIFIED],
        "unqualified": counts[Grade.UNQUALIFIED],
        "grade": proposal.get_grade_display(),
    }
