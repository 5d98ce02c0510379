"""The appraisal facts review rounds 2 and 3 show read-only (`reviews.grade_facts`):
the member's latest vote of the campaign (under way, withheld, or its counts once
closed) and the branch's proposed and approved grade. Registered from `apps.py`; reviews
stands below grading and cannot ask for them itself.

Secrecy: only a closed vote's published counts are read (`member_tallies`, which goes
through `ballots.compute_tally` and its secrecy minimum); of an open vote, only that it
is open."""

from __future__ import annotations

from typing import Any

from vanguard.ballots.models import AppraisalSession, Grade, RollEntry
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.grading.selectors import member_tallies
from vanguard.organization.models import Member
from vanguard.reviews.grade_facts import AppraisalFacts


def appraisal_facts(*, member: Member, campaign: Any) -> AppraisalFacts:
    vote, reason = "none", ""
    counts: tuple[tuple[str, int], ...] = ()
    found = member_tallies(campaign, [member.pk]).get(member.pk)
    if found is not None:
        if found.published:
            vote = "published"
            counts = tuple(
                (str(Grade(g).label), int(found.candidate.counts.get(g, 0))) for g in Grade.values
            )
        else:
            vote, reason = "withheld", found.withheld_reason
    elif RollEntry.objects.filter(
        member=member,
        is_candidate=True,
        session__campaign=campaign,
        session__status=AppraisalSession.Status.OPEN,
    ).exists():
        vote = "open"
    proposed = state = approved = ""
    proposal = (
        GradeProposal.objects.filter(
            grading__campaign=campaign, grading__branch_id=member.branch_id, member=member
        )
        .select_related("grading")
        .first()
    )
    if proposal is not None:
        proposed = str(proposal.get_grade_display())
        state = str(proposal.grading.get_status_display())
        if proposal.grading.status == BranchGrading.Status.APPROVED:
            approved = proposed
    return AppraisalFacts(
        vote=vote,
        counts=counts,
        withheld_reason=reason,
        proposed_grade=proposed,
        proposal_state=state,
        approved_grade=approved,
    )
