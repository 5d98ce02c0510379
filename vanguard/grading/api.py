"""JSON API of grading (等级评定), read-only: the caller's approved grades, and one
branch's grading as its page shows it — status, the cap on excellent, and each formal
member's tally and proposal. Rows come from `grading.selectors`, so the page and the API
agree; access from `grading.access`.

How each voter graded is never here: a tally holds counts only."""

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from vanguard.ballots.models import Grade
from vanguard.campaigns import access as campaigns_access
from vanguard.grading import access, selectors, services
from vanguard.grading.models import GradeProposal
from vanguard.lib.api.errors import ErrorOut

router = Router(tags=["grading"])

ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
NOT_STARTED = "not_started"


def _case(proposal: GradeProposal) -> Any:
    """The proposal's live unqualified case, or None (a withdrawn case no longer applies)."""
    if proposal.grade != Grade.UNQUALIFIED:
        return None
    case = getattr(proposal, "unqualified_case", None)  # reverse one-to-one: may be absent
    return None if case is None or case.withdrawn else case


class MyGradeOut(Schema):
    campaign_id: int
    campaign_name: str
    grade: str = Field(description="excellent | qualified | basically_qualified | unqualified")
    grade_display: str
    decided_at: datetime.datetime | None = Field(description="When the committee approved it")
    outcome: str | None = Field(
        None, description="Unqualified only, once recorded: rectify | persuade | expel"
    )
    outcome_display: str | None = None

    @staticmethod
    def resolve_campaign_id(obj: GradeProposal) -> int:
        return obj.grading.campaign_id

    @staticmethod
    def resolve_campaign_name(obj: GradeProposal) -> str:
        return obj.grading.campaign.name

    @staticmethod
    def resolve_grade_display(obj: GradeProposal) -> str:
        return str(obj.get_grade_display())

    @staticmethod
    def resolve_decided_at(obj: GradeProposal) -> datetime.datetime | None:
        return obj.grading.decided_at

    @staticmethod
    def resolve_outcome(obj: GradeProposal) -> str | None:
        case = _case(obj)
        return case.outcome if case is not None and case.outcome else None

    @staticmethod
    def resolve_outcome_display(obj: GradeProposal) -> str | None:
        case = _case(obj)
        return str(case.get_outcome_display()) if case is not None and case.outcome else None


class ExcellentOut(Schema):
    count: int = Field(description="Members proposed excellent")
    cap: int = Field(description="The most the rule allows without an explanation")
    label: str = Field(description="The campaign's cap as a fraction of formal members, e.g. 1/3")
    exceeded: bool


class TallyOut(Schema):
    """Votes per grade from the latest closed vote that graded the member."""

    excellent: int
    qualified: int
    basically_qualified: int
    unqualified: int


class ProposalOut(Schema):
    grade: str
    grade_display: str
    rationale: str


class MemberRowOut(Schema):
    member_id: int
    member_name: str
    member_number: str
    tally: TallyOut | None = Field(
        description="null until a closed vote with published results graded the member"
    )
    tally_withheld: str | None = Field(
        None,
        description=(
            "Why the latest closed vote's per-candidate results are withheld "
            "(too_few_ballots | quorum_not_met), else null"
        ),
    )
    tally_withheld_display: str | None = Field(
        None, description="The same in a sentence, with the number of ballots"
    )
    proposal: ProposalOut | None
    next_step: str | None = Field(
        None,
        description=(
            "Unqualified proposals only: the handling's next step "
            '(talk | prereview | vote | committee | outcome; "" once done)'
        ),
    )
    next_step_display: str | None = None


class BranchGradingOut(Schema):
    campaign_id: int
    campaign_name: str
    branch_id: int
    branch_name: str
    status: str = Field(description="not_started | draft | submitted | returned | approved")
    status_display: str
    excellent: ExcellentOut
    excellent_explanation: str
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    return_reason: str
    members: list[MemberRowOut] = Field(description="Every active formal member, roster order")


def _row(row: selectors.Row) -> dict[str, Any]:
    proposal, tally = row.proposal, row.tally
    item: dict[str, Any] = {
        "member_id": row.member.pk,
        "member_name": row.member.name,
        "member_number": row.member.number,
        "tally": {value: tally.counts[value] for value in Grade.values} if tally else None,
        "tally_withheld": row.withheld_code or None,
        "tally_withheld_display": row.withheld or None,
        "proposal": None,
    }
    if proposal is not None:
        item["proposal"] = {
            "grade": proposal.grade,
            "grade_display": str(proposal.get_grade_display()),
            "rationale": proposal.rationale,
        }
        case = _case(proposal)
        if case is not None:
            item["next_step"] = case.next_step
            item["next_step_display"] = services.step_label(case.next_step)
    return item


@router.get("/mine", response={200: list[MyGradeOut], **ERRORS}, summary="My approved grades")
def mine(request: HttpRequest) -> list[GradeProposal]:
    return selectors.member_grades(access.get_own_member(request.user))


@router.get(
    "/campaigns/{int:campaign_id}/branches/{int:branch_id}",
    response={200: BranchGradingOut, **ERRORS},
    summary="One branch's grading: status, cap on excellent, tally and proposal per member",
)
def branch_grading(request: HttpRequest, campaign_id: int, branch_id: int) -> dict[str, Any]:
    branch = access.get_grading_branch_for_user(request.user, branch_id)
    campaign = campaigns_access.get_campaign_covering(campaign_id, branch)
    grading = selectors.grading_for(campaign, branch)
    rows = selectors.rows(campaign=campaign, branch=branch, grading=grading)
    check = selectors.excellent_check(campaign=campaign, rows=rows)
    return {
        "campaign_id": campaign.pk,
        "campaign_name": campaign.name,
        "branch_id": branch.pk,
        "branch_name": branch.name,
        "status": grading.status if grading else NOT_STARTED,
        "status_display": str(grading.get_status_display()) if grading else _("未开始"),
        "excellent": check,
        "excellent_explanation": grading.excellent_explanation if grading else "",
        "submitted_at": grading.submitted_at if grading else None,
        "decided_at": grading.decided_at if grading else None,
        "return_reason": grading.return_reason if grading else "",
        "members": [_row(row) for row in rows],
    }
