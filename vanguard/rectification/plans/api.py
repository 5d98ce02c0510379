"""JSON API of the plans workflow, at /api/v1/rectification/: the caller's plans (list
and detail, with items, links and updates), items created and changed, updates
recorded. The same rules as the pages: every object through `rectification.access`
(a 404 outside the caller's sight, a 403 in sight without the capability), every
write through `plans.services`. A linked opinion is shown as `link_shown` shows it,
and named by its keyed token (`point`), never by its id."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.fields import Date
from vanguard.lib.api.pagination import Pagination
from vanguard.organization import access as organization_access
from vanguard.organization.models import Member
from vanguard.rectification import access
from vanguard.rectification.models import Item, Plan, Update
from vanguard.rectification.plans import selectors, services

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PlanFields(Schema):
    id: int
    campaign_id: int
    level: str
    member_name: str | None
    unit_name: str | None
    status: str
    status_display: str
    summary: str
    return_reason: str
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None


class PlanOut(PlanFields):
    @staticmethod
    def resolve_member_name(obj: Plan) -> str | None:
        return obj.member.name if obj.member is not None else None

    @staticmethod
    def resolve_unit_name(obj: Plan) -> str | None:
        return obj.unit.name if obj.unit is not None else None

    @staticmethod
    def resolve_status_display(obj: Plan) -> str:
        return str(obj.get_status_display())


class LinkOut(Schema):
    key: str  # an opinion's token ("o-…"), or "v-/f-/r-" and the record's id
    target: str
    label: str
    text: str
    detail: str


class UpdateOut(Schema):
    id: int
    on: datetime.date
    text: str
    evidence_url: str | None
    evidence_name: str
    meeting_title: str | None
    study_session_topic: str | None
    activity_title: str | None

    @staticmethod
    def resolve_evidence_url(obj: Update) -> str | None:
        return reverse("rectification:update_evidence", args=[obj.pk]) if obj.evidence else None

    @staticmethod
    def resolve_meeting_title(obj: Update) -> str | None:
        return obj.meeting.title if obj.meeting is not None else None

    @staticmethod
    def resolve_study_session_topic(obj: Update) -> str | None:
        return obj.study_session.topic if obj.study_session is not None else None

    @staticmethod
    def resolve_activity_title(obj: Update) -> str | None:
        return obj.activity.title if obj.activity is not None else None


class PlanItemOut(Schema):
    id: int
    plan_id: int
    problem: str
    measure: str
    responsible_name: str | None
    standard: str
    deadline: datetime.date
    status: str
    status_display: str
    overdue: bool
    tags: list[str]
    verify_note: str
    verified_at: datetime.datetime | None
    links: list[LinkOut] = []
    updates: list[UpdateOut] = []


class PlanDetailOut(PlanFields):
    items: list[PlanItemOut]


class ItemIn(Schema):
    problem: str = Field(..., min_length=1, max_length=services.TEXT_MAX)
    measure: str = Field(..., min_length=1, max_length=services.TEXT_MAX)
    standard: str = Field(..., min_length=1, max_length=services.TEXT_MAX)
    deadline: Date
    responsible_id: int | None = Field(None, description="Default: the plan's member")
    tags: list[str] = Field(default_factory=list, max_length=10)
    links: list[str] = Field(
        default_factory=list, max_length=50, description="Keys from the plan's link choices"
    )


class ItemPatch(Schema):
    problem: str | None = Field(None, min_length=1, max_length=services.TEXT_MAX)
    measure: str | None = Field(None, min_length=1, max_length=services.TEXT_MAX)
    standard: str | None = Field(None, min_length=1, max_length=services.TEXT_MAX)
    deadline: Date | None = None
    responsible_id: int | None = None
    tags: list[str] | None = Field(None, max_length=10)
    links: list[str] | None = Field(None, max_length=50)


class UpdateIn(Schema):
    on: Date
    text: str = Field("", max_length=services.TEXT_MAX)
    meeting_id: int | None = None
    study_session_id: int | None = None
    status: str = Field("", description="Optionally move the item: in_progress or done")


def _item_out(view: selectors.ItemView) -> dict[str, Any]:
    item = view.item
    return {
        "id": item.pk,
        "plan_id": item.plan_id,
        "problem": item.problem,
        "measure": item.measure,
        "responsible_name": item.responsible.name if item.responsible is not None else None,
        "standard": item.standard,
        "deadline": item.deadline,
        "status": item.status,
        "status_display": str(item.get_status_display()),
        "overdue": view.overdue,
        "tags": list(item.tags or []),
        "verify_note": item.verify_note,
        "verified_at": item.verified_at,
        "links": [
            {"key": key, **shown.__dict__}
            for key, shown in zip(view.link_keys, view.links, strict=True)
        ],
        "updates": view.updates,
    }


def _plan_out(plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": plan.pk,
        "campaign_id": plan.campaign_id,
        "level": plan.level,
        "member_name": PlanOut.resolve_member_name(plan),
        "unit_name": PlanOut.resolve_unit_name(plan),
        "status": plan.status,
        "status_display": PlanOut.resolve_status_display(plan),
        "summary": plan.summary,
        "return_reason": plan.return_reason,
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
    }
    out["items"] = [_item_out(view) for view in selectors.plan_items(plan)]
    return out


def _one_item(item: Item) -> dict[str, Any]:
    view = next(v for v in selectors.plan_items(item.plan) if v.item.pk == item.pk)
    return _item_out(view)


def _invalid(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    rename = {"responsible": "responsible_id", "meeting": "meeting_id"}
    return ValidationError({rename.get(k, k): v for k, v in error.message_dict.items()})


def _responsible(request: HttpRequest, plan: Plan, pk: int | None) -> Member | None:
    if pk is None:
        return None
    found = selectors.responsible_choices(plan).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"responsible_id": [_("责任人须是本支部的党员。")]})
    return found


@router.get("plans/", response=list[PlanOut], summary="Rectification plans in the caller's sight")
@paginate(Pagination)
def plan_list(
    request: HttpRequest,
    campaign: int | None = None,
    level: str | None = None,
    status: str | None = None,
    mine: bool = False,
) -> QuerySet[Plan]:
    plans = access.visible_plans(request.user)
    if campaign is not None:
        plans = plans.filter(campaign_id=campaign)
    if level:
        plans = plans.filter(level=level)
    if status:
        plans = plans.filter(status=status)
    if mine:
        member = organization_access.member_of(request.user)
        plans = plans.filter(member=member) if member is not None else plans.none()
    return plans.order_by("campaign_id", "level", "pk")


@router.get(
    "plans/{int:plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    summary="One plan with its items, their links and updates",
)
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _plan_out(access.get_plan_for_user(request.user, plan_id))


@router.post(
    "plans/{int:plan_id}/items",
    response={201: PlanItemOut, **ERRORS},
    summary="Add an item (while the plan is a draft or returned)",
)
def item_create(request: HttpRequest, plan_id: int, payload: ItemIn) -> Status:
    plan = access.get_plan_for_user(request.user, plan_id, need=access.can_edit_plan)
    responsible = _responsible(request, plan, payload.responsible_id)
    try:
        item = services.item_create(
            plan=plan,
            problem=payload.problem,
            measure=payload.measure,
            standard=payload.standard,
            deadline=payload.deadline,
            responsible=responsible,
            tags=payload.tags,
            links=payload.links,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, _one_item(access.get_item_for_user(request.user, item.pk)))


@router.patch(
    "items/{int:item_id}",
    response={200: PlanItemOut, **ERRORS},
    summary="Change an item's five clarities, tags or links",
)
def item_update(request: HttpRequest, item_id: int, payload: ItemPatch) -> dict[str, Any]:
    item = access.get_item_for_user(request.user, item_id, need=access.can_edit_item)
    plan = item.plan
    current = next(v for v in selectors.plan_items(plan) if v.item.pk == item.pk)
    responsible = (
        _responsible(request, plan, payload.responsible_id)
        if payload.responsible_id is not None
        else item.responsible
    )
    try:
        services.item_change(
            item=item,
            problem=payload.problem if payload.problem is not None else item.problem,
            measure=payload.measure if payload.measure is not None else item.measure,
            standard=payload.standard if payload.standard is not None else item.standard,
            deadline=payload.deadline if payload.deadline is not None else item.deadline,
            responsible=responsible,
            tags=payload.tags if payload.tags is not None else item.tags,
            links=payload.links if payload.links is not None else current.link_keys,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return _one_item(access.get_item_for_user(request.user, item_id))


@router.post(
    "items/{int:item_id}/updates",
    response={201: PlanItemOut, **ERRORS},
    summary="Record progress on an item (evidence files: through the page)",
)
def update_create(request: HttpRequest, item_id: int, payload: UpdateIn) -> Status:
    user = request.user
    item = access.get_item_for_user(user, item_id, need=access.can_report_item)
    plan = item.plan
    member = organization_access.member_of(user)
    meeting = study_session = None
    if payload.meeting_id is not None:
        meeting = selectors.meeting_choices(plan, member).filter(pk=payload.meeting_id).first()
        if meeting is None:
            raise ValidationError({"meeting_id": [_("所选会议不在可选范围内。")]})
    if payload.study_session_id is not None:
        study_session = (
            selectors.study_session_choices(plan, member)
            .filter(pk=payload.study_session_id)
            .first()
        )
        if study_session is None:
            raise ValidationError({"study_session_id": [_("所选学习活动不在可选范围内。")]})
    if payload.status and payload.status not in (Item.Status.IN_PROGRESS, Item.Status.DONE):
        raise ValidationError({"status": [_("请选择进行中或已完成。")]})
    try:
        services.update_create(
            item=item,
            on=payload.on,
            text=payload.text,
            meeting=meeting,
            study_session=study_session,
            status=payload.status,
            actor=user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, _one_item(access.get_item_for_user(user, item_id)))
