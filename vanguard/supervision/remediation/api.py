"""JSON API of make-up work (补课) and guidance, at /api/v1/supervision/: the same
rules as the pages, every object fetched through `supervision.access` (a 404 outside
the caller's sight, a 403 in sight without the capability)."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.fields import Date
from vanguard.lib.api.pagination import Pagination
from vanguard.organization import access as organization_access
from vanguard.supervision import access
from vanguard.supervision.models import GuidanceSession, RemediationOrder
from vanguard.supervision.remediation import selectors, services

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
BODY_FIELD_OF = {
    "branch": "branch_id",
    "member": "member_id",
    "check_record": "check_id",
    "assessment": "assessment_id",
    "responsible": "responsible_id",
}


class OrderOut(Schema):
    id: int
    campaign_id: int
    branch_id: int
    branch_name: str
    member_id: int | None
    member_name: str | None
    check_id: int | None = Field(None, alias="check_record_id")
    assessment_id: int | None
    reason: str
    deadline: datetime.date
    responsible_id: int | None
    status: str
    status_display: str
    overdue: bool
    ordered_at: datetime.datetime
    report: str
    reported_at: datetime.datetime | None
    verify_note: str
    verified_at: datetime.datetime | None

    @staticmethod
    def resolve_branch_name(obj: RemediationOrder) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_member_name(obj: RemediationOrder) -> str | None:
        return obj.member.name if obj.member is not None else None

    @staticmethod
    def resolve_status_display(obj: RemediationOrder) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_overdue(obj: RemediationOrder) -> bool:
        return selectors.is_overdue(obj)


class OrderIn(Schema):
    campaign_id: int
    branch_id: int | None = Field(None, description="Default: the member's branch")
    member_id: int | None = None
    check_id: int | None = None
    assessment_id: int | None = None
    reason: str = Field(..., min_length=1, max_length=services.TEXT_MAX)
    deadline: Date
    responsible_id: int | None = Field(
        None, description="Default: the member, or the branch's secretary"
    )


class OrderReportIn(Schema):
    report: str = Field(..., min_length=1, max_length=services.TEXT_MAX)


class OrderVerifyIn(Schema):
    outcome: Literal["verified", "reopened"]
    note: str = Field("", max_length=services.TEXT_MAX)


class GuidanceOut(Schema):
    id: int
    campaign_id: int
    branch_id: int
    branch_name: str
    held_on: datetime.date
    given_by: str
    attendees: str
    report: str
    instructions: str
    agreed: str
    lagging: bool

    @staticmethod
    def resolve_branch_name(obj: GuidanceSession) -> str:
        return obj.branch.name


class GuidanceIn(Schema):
    campaign_id: int
    branch_id: int
    held_on: Date
    given_by: str = Field(..., min_length=1, max_length=services.NAME_MAX)
    attendees: str = Field("", max_length=services.ATTENDEES_MAX)
    report: str = Field("", max_length=services.TEXT_MAX)
    instructions: str = Field("", max_length=services.TEXT_MAX)
    agreed: str = Field(..., min_length=1, max_length=services.TEXT_MAX)
    lagging: bool = False


def _invalid(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {BODY_FIELD_OF.get(name, name): found for name, found in error.message_dict.items()}
    )


def _unprocessable(name: str, message: str) -> ValidationError:
    return ValidationError({name: [message]})


@router.get("orders/", response=list[OrderOut], summary="Make-up orders in the caller's sight")
@paginate(Pagination)
def order_list(
    request: HttpRequest,
    campaign: int | None = None,
    status: Literal["open", "reported", "verified", "reopened"] | None = None,
    branch: int | None = None,
    overdue: bool = False,
) -> QuerySet[RemediationOrder]:
    orders = access.visible_orders(request.user)
    if campaign is not None:
        orders = orders.filter(campaign_id=campaign)
    if status is not None:
        orders = orders.filter(status=status)
    if branch is not None:
        orders = orders.filter(branch_id=branch)
    if overdue:
        orders = orders.filter(selectors.overdue_q(timezone.localdate()))
    return orders.order_by("deadline", "pk")


@router.get("orders/{int:order_id}", response={200: OrderOut, **ERRORS}, summary="One order")
def order_detail(request: HttpRequest, order_id: int) -> RemediationOrder:
    return access.get_order_for_user(request.user, order_id)


@router.post("orders/", response={201: OrderOut, **ERRORS}, summary="Order make-up work")
def order_create(request: HttpRequest, payload: OrderIn) -> Status:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(
        user, payload.campaign_id, need=access.can_order_in_campaign
    )
    member = None
    if payload.member_id is not None:
        member = organization_access.get_member_for_user(
            user, payload.member_id, need=lambda u, m: access.can_order_makeup(u, m.branch)
        )
    if payload.branch_id is not None:
        branch = organization_access.get_unit_for_user(
            user, payload.branch_id, need=access.can_order_makeup
        )
    elif member is not None:
        branch = member.branch
    else:
        raise _unprocessable("branch_id", _("请给出支部（branch_id）或党员（member_id）。"))
    check = assessment = None
    if payload.check_id is not None:
        check = access.get_check_for_user(user, payload.check_id)
    if payload.assessment_id is not None:
        assessment = access.visible_assessments(user).filter(pk=payload.assessment_id).first()
        if assessment is None:
            raise _unprocessable("assessment_id", _("找不到所选的笔记评阅。"))
    responsible = None
    if payload.responsible_id is not None:
        people = {u.pk: u for u in services.responsible_choices(branch, member)}
        responsible = people.get(payload.responsible_id)
        if responsible is None:
            raise _unprocessable("responsible_id", _("责任人须是本支部的支部委员或该党员本人。"))
    try:
        order = services.order_create(
            campaign=campaign,
            branch=branch,
            member=member,
            check=check,
            assessment=assessment,
            reason=payload.reason,
            deadline=payload.deadline,
            responsible=responsible,
            actor=user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, access.get_order_for_user(user, order.pk))


@router.post(
    "orders/{int:order_id}/report", response={200: OrderOut, **ERRORS}, summary="Report it done"
)
def order_report(request: HttpRequest, order_id: int, payload: OrderReportIn) -> RemediationOrder:
    order = access.get_order_for_user(request.user, order_id, need=access.can_report_order)
    try:
        services.order_report(order=order, report=payload.report, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        raise _invalid(error) from error
    return access.get_order_for_user(request.user, order_id)


@router.post(
    "orders/{int:order_id}/verify",
    response={200: OrderOut, **ERRORS},
    summary="Re-check reported work: verified, or reopened with a note",
)
def order_verify(request: HttpRequest, order_id: int, payload: OrderVerifyIn) -> RemediationOrder:
    order = access.get_order_for_user(request.user, order_id, need=access.can_verify_order)
    try:
        services.order_verify(
            order=order,
            passed=payload.outcome == "verified",
            note=payload.note,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return access.get_order_for_user(request.user, order_id)


@router.get("guidance/", response=list[GuidanceOut], summary="Guidance sessions in sight")
@paginate(Pagination)
def guidance_list(
    request: HttpRequest, campaign: int | None = None, branch: int | None = None
) -> QuerySet[GuidanceSession]:
    sessions = access.visible_guidance(request.user)
    if campaign is not None:
        sessions = sessions.filter(campaign_id=campaign)
    if branch is not None:
        sessions = sessions.filter(branch_id=branch)
    return sessions.order_by("-held_on", "-pk")


@router.post(
    "guidance/", response={201: GuidanceOut, **ERRORS}, summary="Record face-to-face guidance"
)
def guidance_create(request: HttpRequest, payload: GuidanceIn) -> Status:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(
        user, payload.campaign_id, need=access.can_check_in_campaign
    )
    branch = organization_access.get_unit_for_user(
        user, payload.branch_id, need=access.can_record_guidance
    )
    try:
        session = services.guidance_record(
            campaign=campaign,
            branch=branch,
            held_on=payload.held_on,
            given_by=payload.given_by,
            attendees=payload.attendees,
            report=payload.report,
            instructions=payload.instructions,
            agreed=payload.agreed,
            lagging=payload.lagging,
            actor=user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, access.get_guidance_for_user(user, session.pk))
