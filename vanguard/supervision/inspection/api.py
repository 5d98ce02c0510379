"""JSON API of inspection, at /api/v1/supervision/: rounds, checks (and their
findings), groups and the sign-off, under the same access as the pages
(`supervision.access`): a round, check or group outside the caller's sight is a 404,
one in sight without the capability a 403. A check saved from a stale `version`
answers 409. Errors are the shape of `vanguard/lib/api/errors.py`."""

import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib.api.errors import ApiError, ErrorOut
from vanguard.lib.api.fields import SchemaName
from vanguard.lib.api.pagination import Pagination
from vanguard.supervision import access
from vanguard.supervision.inspection import services
from vanguard.supervision.models import (
    Check,
    CheckItem,
    Finding,
    PhaseSignoff,
    Round,
    SupervisionGroup,
)

router = Router(tags=["supervision"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
RoundStatus = Annotated[Round.Status, SchemaName("SupervisionRoundStatus")]
CheckStatus = Annotated[Check.Status, SchemaName("SupervisionCheckStatus")]
CheckItemValue = Annotated[CheckItem, SchemaName("SupervisionCheckItem")]
FindingValue = Annotated[Finding, SchemaName("SupervisionFinding")]


class InspectionRoundOut(Schema):
    id: int
    campaign_id: int
    phase_id: int
    phase_name: str
    title: str
    items: list[str]
    status: str
    starts_on: datetime.date
    due_on: datetime.date
    note: str
    branch_ids: list[int]

    @staticmethod
    def resolve_phase_name(obj: Round) -> str:
        return obj.phase.name

    @staticmethod
    def resolve_branch_ids(obj: Round) -> list[int]:
        return sorted(b.pk for b in obj.branches.all())


class FindingOut(Schema):
    item: str
    item_display: str
    finding: str
    finding_display: str
    note: str


class CheckOut(Schema):
    id: int
    round_id: int
    round_title: str
    branch_id: int
    branch_name: str
    group_id: int | None
    status: str
    summary: str
    checked_by: str | None
    checked_on: datetime.date | None
    version: int
    findings: list[FindingOut]

    @staticmethod
    def resolve_round_title(obj: Check) -> str:
        return obj.round.title

    @staticmethod
    def resolve_branch_name(obj: Check) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_checked_by(obj: Check) -> str | None:
        return obj.checked_by.get_username() if obj.checked_by else None

    @staticmethod
    def resolve_findings(obj: Check) -> list[dict[str, Any]]:
        return [
            {
                "item": f.item,
                "item_display": str(f.get_item_display()),
                "finding": f.finding,
                "finding_display": str(f.get_finding_display()),
                "note": f.note,
            }
            for f in sorted(obj.findings.all(), key=lambda f: f.pk)
        ]


class FindingIn(Schema):
    item: CheckItemValue
    finding: FindingValue | None = Field(None, description="null: not judged yet")
    note: str = Field("", max_length=services.MAX_NOTE)


class CheckIn(Schema):
    version: int = Field(..., description="The check's version the findings were made from")
    findings: list[FindingIn] = []
    summary: str = Field("", max_length=services.MAX_SUMMARY)
    done: bool = Field(False, description="Save as checked (every item needs a finding)")


class SupervisionGroupOut(Schema):
    id: int
    campaign_id: int
    name: str
    phase_id: int | None
    leader_id: int | None
    member_ids: list[int]
    branch_ids: list[int]
    formed_on: datetime.date

    @staticmethod
    def resolve_member_ids(obj: SupervisionGroup) -> list[int]:
        return sorted(u.pk for u in obj.members.all())

    @staticmethod
    def resolve_branch_ids(obj: SupervisionGroup) -> list[int]:
        return sorted(b.pk for b in obj.branches.all())


class SignoffIn(Schema):
    campaign_id: int
    branch_id: int
    phase_id: int
    note: str = Field("", max_length=services.MAX_NOTE)


class SignoffOut(Schema):
    id: int
    campaign_id: int
    branch_id: int
    phase_id: int
    signed_by: str | None
    signed_at: datetime.datetime
    note: str

    @staticmethod
    def resolve_signed_by(obj: PhaseSignoff) -> str | None:
        return obj.signed_by.get_username() if obj.signed_by else None


def _checks(request: HttpRequest) -> QuerySet[Check]:
    return access.visible_checks(request.user).prefetch_related("findings")


@router.get(
    "/rounds", response=list[InspectionRoundOut], summary="Inspection rounds the caller reads"
)
@paginate(Pagination)
def round_list(
    request: HttpRequest, campaign: int | None = None, status: RoundStatus | None = None
) -> QuerySet[Round]:
    rounds = access.visible_rounds(request.user).prefetch_related("branches")
    if campaign is not None:
        rounds = rounds.filter(campaign_id=campaign)
    if status is not None:
        rounds = rounds.filter(status=status)
    return rounds.order_by("starts_on", "pk")


@router.get(
    "/rounds/{int:round_id}", response={200: InspectionRoundOut, **ERRORS}, summary="One round"
)
def round_detail(request: HttpRequest, round_id: int) -> Round:
    return access.get_round_for_user(request.user, round_id)


@router.get(
    "/checks",
    response=list[CheckOut],
    summary="Checks of the branches the caller reads (a supervisor: their branches)",
)
@paginate(Pagination)
def check_list(
    request: HttpRequest,
    round: int | None = None,  # noqa: A002 (the query parameter's name)
    branch: int | None = None,
    status: CheckStatus | None = None,
) -> QuerySet[Check]:
    checks = _checks(request)
    if round is not None:
        checks = checks.filter(round_id=round)
    if branch is not None:
        checks = checks.filter(branch_id=branch)
    if status is not None:
        checks = checks.filter(status=status)
    return checks.order_by("round__starts_on", "round_id", "branch__path")


@router.get("/checks/{int:check_id}", response={200: CheckOut, **ERRORS}, summary="One check")
def check_detail(request: HttpRequest, check_id: int) -> Check:
    return access.get_check_for_user(request.user, check_id)


@router.patch(
    "/checks/{int:check_id}",
    response={200: CheckOut, 409: ErrorOut, **ERRORS},
    summary="Save a check's findings (refused with 409 if saved since `version`)",
)
def check_update(request: AuthenticatedHttpRequest, check_id: int, payload: CheckIn) -> Check:
    check = access.get_check_for_user(request.user, check_id, write=True)
    findings = {
        str(f.item): services.ItemFinding(finding=str(f.finding or ""), note=f.note)
        for f in payload.findings
    }
    try:
        services.check_save(
            check=check,
            findings=findings,
            summary=payload.summary,
            done=payload.done,
            version=payload.version,
            actor=request.user,
        )
    except ValidationError as error:
        if "version" in getattr(error, "error_dict", {}):
            raise ApiError(409, error.message_dict["version"][0]) from error
        raise
    return access.get_check_for_user(request.user, check_id)


@router.get(
    "/groups", response=list[SupervisionGroupOut], summary="Supervision groups the caller sees"
)
@paginate(Pagination)
def group_list(request: HttpRequest, campaign: int | None = None) -> QuerySet[SupervisionGroup]:
    groups = access.visible_groups(request.user).prefetch_related("members", "branches")
    if campaign is not None:
        groups = groups.filter(campaign_id=campaign)
    return groups.order_by("campaign_id", "name", "pk")


@router.post(
    "/signoffs",
    response={201: SignoffOut, **ERRORS},
    summary="Sign a branch off on leaving a phase (督查签字)",
)
def signoff_create(request: AuthenticatedHttpRequest, payload: SignoffIn) -> Status:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(user, payload.campaign_id)
    branch = access.get_signoff_branch_for_user(user, payload.branch_id)
    phase = campaign.phases.filter(pk=payload.phase_id).first()
    if phase is None:
        raise ValidationError({"phase_id": [_("所选阶段不属于本活动。")]})
    made = services.signoff_create(
        campaign=campaign, branch=branch, phase=phase, note=payload.note, actor=user
    )
    return Status(201, made)
