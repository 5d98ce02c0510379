"""JSON API of the plans workflow, at /api/v1/rectification/: the caller's plans (list
and detail, with items, links, updates and the review's decisions); items created,
changed, moved along (planned → in progress → done) and verified; plans submitted and
reviewed (approved, or returned with a reason); updates listed, read and recorded —
as JSON (a note, or a meeting, study session or activity the caller may point at) or
as multipart/form-data with an evidence file — and their evidence downloaded.

The same rules as the pages: every object through `rectification.access` (a 404
outside the caller's sight, a 403 in sight without the capability), every write
through `plans.services` (their refusals are 422s naming the field), every upload
through `services.check_upload` (`lib.uploads`: the same kinds and size as the page;
a refused file stores nothing). A write may carry the `version` the caller read (of
the plan, or of the item): when it has moved on since, the answer is 409 and nothing
is written. A linked opinion is shown as `link_shown` shows it, and named by its
keyed token (`point`), never by its id: no answer names an opinion's source."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from vanguard.accounts import idempotency
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib import filetypes, uploads
from vanguard.lib.api.errors import ApiError, ErrorOut
from vanguard.lib.api.fields import Date
from vanguard.lib.api.pagination import Pagination
from vanguard.lib.api.parser import MAX_INTEGER
from vanguard.organization import access as organization_access
from vanguard.organization.models import Member
from vanguard.rectification import access
from vanguard.rectification.models import Item, Plan, Update
from vanguard.rectification.plans import selectors, services, views

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}
# An id sent in a form field: no larger than a column holds (a JSON body is held to
# the same bound by the API's parser).
FormId = Field(None, ge=1, le=MAX_INTEGER)
# What an evidence download may be: the kinds an update takes, as stored.
EVIDENCE_CONTENT_TYPES = sorted(
    {filetypes.CONTENT_TYPES[kind] for kind in uploads.STUDY_KINDS} | {"application/octet-stream"}
)


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
    version: int = Field(..., description="Send it back with a submit or review: 409 if stale")


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
    item_id: int
    on: datetime.date
    text: str
    evidence_url: str | None = Field(..., description="The evidence on the site (a session)")
    evidence_download_url: str | None = Field(..., description="The evidence through the API")
    evidence_name: str
    meeting_title: str | None
    study_session_topic: str | None
    activity_title: str | None

    @staticmethod
    def resolve_evidence_url(obj: Update) -> str | None:
        return reverse("rectification:update_evidence", args=[obj.pk]) if obj.evidence else None

    @staticmethod
    def resolve_evidence_download_url(obj: Update) -> str | None:
        if not obj.evidence:
            return None
        return reverse("api-1:rectification_update_evidence", kwargs={"update_id": obj.pk})

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
    version: int = Field(..., description="Send it back with a change, status or verdict")
    links: list[LinkOut] = []
    updates: list[UpdateOut] = []


class PlanDecisionOut(Schema):
    """A review's word, as the plan's page shows it (not who gave it)."""

    verdict: str
    verdict_display: str
    reason: str
    at: datetime.datetime


class PlanDetailOut(PlanFields):
    items: list[PlanItemOut]
    decisions: list[PlanDecisionOut]


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
    version: int | None = Field(None, description="The item's version read: 409 if stale")


class UpdateIn(Schema):
    on: Date
    text: str = Field("", max_length=services.TEXT_MAX)
    meeting_id: int | None = None
    study_session_id: int | None = None
    activity_id: int | None = None
    status: str = Field("", description="Optionally move the item: in_progress or done")


class UpdateUploadIn(Schema):
    """The fields of a multipart update (the file is the part `evidence`)."""

    on: Date
    text: str = Field("", max_length=services.TEXT_MAX)
    meeting_id: int | None = FormId
    study_session_id: int | None = FormId
    activity_id: int | None = FormId
    status: str = Field("", description="Optionally move the item: in_progress or done")


class PlanSubmitIn(Schema):
    summary: str = Field("", max_length=services.SUMMARY_MAX)
    version: int | None = Field(None, description="The plan's version read: 409 if stale")


class PlanReviewIn(Schema):
    verdict: Literal["approve", "return"]
    reason: str = Field("", max_length=services.REASON_MAX, description="Required to return")
    version: int | None = Field(None, description="The plan's version read: 409 if stale")


class ItemStatusIn(Schema):
    status: Literal["planned", "in_progress", "done"]
    version: int | None = Field(None, description="The item's version read: 409 if stale")


class ItemVerifyIn(Schema):
    outcome: Literal["verified", "reopened"]
    note: str = Field("", max_length=services.TEXT_MAX, description="Required when reopened")
    version: int | None = Field(None, description="The item's version read: 409 if stale")


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
        "version": item.version,
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
        "version": plan.version,
    }
    out["items"] = [_item_out(view) for view in selectors.plan_items(plan)]
    out["decisions"] = [
        {
            "verdict": decision.verdict,
            "verdict_display": str(decision.get_verdict_display()),
            "reason": decision.reason,
            "at": decision.at,
        }
        for decision in plan.decisions.order_by("at", "pk")
    ]
    return out


def _one_item(item: Item) -> dict[str, Any]:
    view = next(v for v in selectors.plan_items(item.plan) if v.item.pk == item.pk)
    return _item_out(view)


# The services' field names where the API's differ (an id instead of the record).
_API_FIELD = {
    "responsible": "responsible_id",
    "meeting": "meeting_id",
    "study_session": "study_session_id",
    "activity": "activity_id",
}


def _invalid(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({_API_FIELD.get(k, k): v for k, v in error.message_dict.items()})


@contextmanager
def _writing(record: Plan | Item, version: int | None) -> Iterator[None]:
    """One transaction around a service's write: refused with 409 (nothing written)
    when the caller sent the `version` of `record` they read and it has moved on since;
    the service's refusals named by the API's fields. The version is read under the
    row's lock (PostgreSQL) or the write lock SQLite's transactions take at their start
    here, so no other write slips between the check and the service's."""
    try:
        with transaction.atomic():
            if version is not None:
                current = (
                    type(record)
                    ._default_manager.select_for_update()
                    .filter(pk=record.pk)
                    .values_list("version", flat=True)
                    .first()
                )
                if current != version:
                    raise ApiError(
                        409,
                        _("内容已被他人更改，请重新读取后再提交。"),
                        [
                            {
                                "field": "version",
                                "message": _("当前版本为 %(n)s。") % {"n": current},
                            }
                        ],
                    )
            yield
    except ValidationError as error:
        raise _invalid(error) from error


def _responsible(request: HttpRequest, plan: Plan, pk: int | None) -> Member | None:
    if pk is None:
        return None
    found = selectors.responsible_choices(plan).filter(pk=pk).first()
    if found is None:
        raise ValidationError({"responsible_id": [_("责任人须是本支部的党员。")]})
    return found


# --- Plans ------------------------------------------------------------------------------


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
    summary="One plan with its items, their links and updates, and the review's decisions",
)
def plan_detail(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    return _plan_out(access.get_plan_for_user(request.user, plan_id))


@router.post(
    "plans/{int:plan_id}/submit",
    response={200: PlanDetailOut, **WRITE_ERRORS},
    summary="Hand the plan in for review (its writers; a draft or returned plan with items)",
)
def plan_submit(
    request: AuthenticatedHttpRequest, plan_id: int, payload: PlanSubmitIn
) -> dict[str, Any]:
    plan = access.get_plan_for_user(request.user, plan_id, need=access.can_edit_plan)
    with _writing(plan, payload.version):
        services.plan_submit(plan=plan, summary=payload.summary, actor=request.user)
    return _plan_out(access.get_plan_for_user(request.user, plan_id))


@router.post(
    "plans/{int:plan_id}/review",
    response={200: PlanDetailOut, **WRITE_ERRORS},
    summary="Approve a submitted plan, or return it with a reason (its reviewers)",
)
def plan_review(
    request: AuthenticatedHttpRequest, plan_id: int, payload: PlanReviewIn
) -> dict[str, Any]:
    plan = access.get_plan_for_user(request.user, plan_id, need=access.can_review_plan)
    with _writing(plan, payload.version):
        services.plan_review(
            plan=plan,
            approve=payload.verdict == "approve",
            reason=payload.reason,
            actor=request.user,
        )
    return _plan_out(access.get_plan_for_user(request.user, plan_id))


# --- Items ------------------------------------------------------------------------------


@router.post(
    "plans/{int:plan_id}/items",
    response={201: PlanItemOut, **ERRORS},
    summary="Add an item (while the plan is a draft or returned)",
)
def item_create(request: AuthenticatedHttpRequest, plan_id: int, payload: ItemIn) -> Status:
    """Sent again with the same `Idempotency-Key` header (a retry after a lost answer),
    it returns the item the first request added instead of a second one."""
    user = request.user
    key = idempotency.key_of(request)
    plan = access.get_plan_for_user(user, plan_id, need=access.can_edit_plan)
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
            actor=user,
            submission_token=idempotency.token(user=user, key=key, scope="rectification.items"),
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, _one_item(access.get_item_for_user(user, item.pk)))


@router.patch(
    "items/{int:item_id}",
    response={200: PlanItemOut, **WRITE_ERRORS},
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
    with _writing(item, payload.version):
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
    return _one_item(access.get_item_for_user(request.user, item_id))


@router.post(
    "items/{int:item_id}/status",
    response={200: PlanItemOut, **WRITE_ERRORS},
    summary="Move an item: planned, in progress or done (who reports on it)",
)
def item_status(
    request: AuthenticatedHttpRequest, item_id: int, payload: ItemStatusIn
) -> dict[str, Any]:
    item = access.get_item_for_user(request.user, item_id, need=access.can_report_item)
    with _writing(item, payload.version):
        services.item_set_status(item=item, status=payload.status, actor=request.user)
    return _one_item(access.get_item_for_user(request.user, item_id))


@router.post(
    "items/{int:item_id}/verify",
    response={200: PlanItemOut, **WRITE_ERRORS},
    summary="Verify a done item, or send it back with a note (the plan's reviewers)",
)
def item_verify(
    request: AuthenticatedHttpRequest, item_id: int, payload: ItemVerifyIn
) -> dict[str, Any]:
    item = access.get_item_for_user(request.user, item_id, need=access.can_verify_item)
    with _writing(item, payload.version):
        services.item_verify(
            item=item,
            passed=payload.outcome == "verified",
            note=payload.note,
            actor=request.user,
        )
    return _one_item(access.get_item_for_user(request.user, item_id))


# --- Updates ----------------------------------------------------------------------------


@router.get(
    "items/{int:item_id}/updates",
    response={200: list[UpdateOut], **ERRORS},
    summary="An item's updates, the oldest first",
)
@paginate(Pagination)
def update_list(request: HttpRequest, item_id: int) -> QuerySet[Update]:
    item = access.get_item_for_user(request.user, item_id)
    return item.updates.select_related("meeting", "study_session", "activity").order_by("on", "pk")


@router.get(
    "updates/{int:update_id}",
    response={200: UpdateOut, **ERRORS},
    summary="One update",
)
def update_detail(request: HttpRequest, update_id: int) -> Update:
    return access.get_update_for_user(request.user, update_id)


def _record_update(
    request: AuthenticatedHttpRequest,
    item_id: int,
    payload: UpdateIn | UpdateUploadIn,
    upload: UploadedFile | None = None,
) -> Status:
    """An update recorded through `services.update_create`, as the page records it:
    what it points at chosen among what the page offers the caller. Sent again with the
    same `Idempotency-Key` header, the first request's update is the answer."""
    user = request.user
    key = idempotency.key_of(request)
    item = access.get_item_for_user(user, item_id, need=access.can_report_item)
    plan = item.plan
    member = organization_access.member_of(user)
    meeting = study_session = activity = None
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
    if payload.activity_id is not None:
        activity = selectors.activity_choices(plan).filter(pk=payload.activity_id).first()
        if activity is None:
            raise ValidationError({"activity_id": [_("所选活动不在可选范围内。")]})
    if payload.status and payload.status not in (Item.Status.IN_PROGRESS, Item.Status.DONE):
        raise ValidationError({"status": [_("请选择进行中或已完成。")]})
    try:
        update = services.update_create(
            item=item,
            on=payload.on,
            text=payload.text,
            upload=upload,
            meeting=meeting,
            study_session=study_session,
            activity=activity,
            status=payload.status,
            actor=user,
            submission_token=idempotency.token(user=user, key=key, scope="rectification.updates"),
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, _one_item(access.get_item_for_user(user, update.item_id)))


@router.post(
    "items/{int:item_id}/updates",
    response={201: PlanItemOut, **ERRORS},
    summary="Record progress on an item: a note, or a meeting, study session or activity",
)
def update_create(request: AuthenticatedHttpRequest, item_id: int, payload: UpdateIn) -> Status:
    """Sent again with the same `Idempotency-Key` header (a retry after a lost answer),
    it records nothing more and answers as the first time."""
    return _record_update(request, item_id, payload)


@router.post(
    "items/{int:item_id}/updates/upload",
    response={201: PlanItemOut, **ERRORS},
    summary="Record progress with an evidence file (multipart/form-data, the file as `evidence`)",
    description=(
        "A photo (JPEG, PNG, HEIC — stored as JPEG), a PDF or a Word .docx, at most the "
        "size the page allows; it is opened and stored as a cleaned copy. A refused file "
        "answers 422 naming `evidence`, and nothing is stored. Sent again with the same "
        "`Idempotency-Key` header (a retry after a lost answer), it records and stores "
        "nothing more and answers as the first time."
    ),
)
def update_upload(
    request: AuthenticatedHttpRequest,
    item_id: int,
    payload: Form[UpdateUploadIn],
    evidence: File[UploadedFile | None] = None,
) -> Status:
    # A NUL in a form field never gets here: lib.middleware answers 400 naming it.
    return _record_update(request, item_id, payload, evidence)


@router.get(
    "updates/{int:update_id}/evidence",
    response={**ERRORS},
    url_name="rectification_update_evidence",
    summary="Download an update's evidence file (whoever sees the item)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The evidence file: a photo shown inline, else a download",
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in EVIDENCE_CONTENT_TYPES
                },
            }
        }
    },
)
def update_evidence(request: HttpRequest, update_id: int) -> HttpResponseBase:
    # The page's own view: the same access (`get_evidence_for_user`), name and headers.
    return views.update_evidence(request, update_id)
