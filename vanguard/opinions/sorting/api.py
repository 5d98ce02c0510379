"""JSON API of intake by officers and of sorting (梳理), at /api/v1/opinions/.

The same rules as the pages, fetched through `opinions.access`: a caller lists and
reads the opinions in their scope, never one about themself (404); an opinion's
`source` is in the answer only where `can_see_opinion_sources` allows it (null for
supervisors and observers, and for a sorter who could be the opinion's subject);
writes need `can_sort_opinions` over the unit that gathered the opinion (403 for
those who only read it). Errors are the shape of
`vanguard/api/errors.py`.
"""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.accounts import idempotency
from vanguard.accounts.access import Person
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.fields import Date, SchemaName
from vanguard.lib.api.pagination import Pagination
from vanguard.opinions import access
from vanguard.opinions.models import Aspect, Opinion, OpinionRound
from vanguard.opinions.sorting import services
from vanguard.organization.models import Member, Unit

OpinionStatus = Annotated[Opinion.Status, SchemaName("OpinionStatus")]
OpinionChannel = Annotated[Opinion.Channel, SchemaName("OpinionChannel")]
OpinionSubjectKind = Annotated[Opinion.SubjectKind, SchemaName("OpinionSubjectKind")]
router = Router(tags=["opinions"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Service field names as the caller spells them in the JSON body.
BODY_FIELD_OF = {
    "subject_member": "subject_member_id",
    "subject_unit": "subject_unit_id",
    "aspect": "aspect_id",
    "survivor": "id",
    "branch": "branch_id",
    "about": "subject_kind",
}


class SourceOut(Schema):
    contact: str
    source: str
    email_sender: str | None
    participants: str | None
    attachment_notes: str | None = Field(
        None, description="The e-mail's attachments that were not kept, one per line"
    )


class OpinionOut(Schema):
    id: int
    campaign_id: int
    branch_id: int
    branch_name: str
    round: int
    channel: str
    channel_display: str
    text: str
    received_on: datetime.date
    subject_kind: str
    subject_member_id: int | None
    subject_member_name: str | None
    subject_unit_id: int | None
    subject_unit_name: str | None
    aspect_id: int | None
    aspect_name: str | None
    kind: str
    status: str
    set_aside_reason: str
    merged_into_id: int | None
    source: SourceOut | None = Field(
        None, description="Who or what the opinion came from; null unless the caller sorts it"
    )

    @staticmethod
    def resolve_branch_name(obj: Opinion) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_channel_display(obj: Opinion) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_subject_member_name(obj: Opinion) -> str | None:
        return obj.subject_member.name if obj.subject_member_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_subject_unit_name(obj: Opinion) -> str | None:
        return obj.subject_unit.name if obj.subject_unit_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_aspect_name(obj: Opinion) -> str | None:
        return obj.aspect.name if obj.aspect_id else None  # type: ignore[union-attr]

    @staticmethod
    def resolve_source(obj: Opinion, context: Any) -> dict[str, Any] | None:
        request = context["request"]
        if not access.can_see_opinion_sources(request.user, obj):
            return None
        return {
            "contact": obj.contact,
            "source": obj.source,
            "email_sender": obj.email.sender if obj.email_id else None,  # type: ignore[union-attr]
            "participants": obj.record.participants if obj.record_id else None,  # type: ignore[union-attr]
            "attachment_notes": obj.email.attachment_notes if obj.email_id else None,  # type: ignore[union-attr]
        }


class IntakeIn(Schema):
    campaign_id: int | None = Field(None, description="Default: the unit's active campaign")
    branch_id: int | None = Field(None, description="The unit that gathered it (or record_id)")
    record_id: int | None = Field(None, description="The talk or symposium record it was heard in")
    channel: Literal["talk", "symposium"] | None = None
    text: str = Field(..., max_length=services.MAX_TEXT)
    received_on: Date | None = None
    source: str = Field("", max_length=300)
    subject_kind: OpinionSubjectKind = Opinion.SubjectKind.UNASSIGNED
    subject_member_id: int | None = None
    subject_unit_id: int | None = None


class SortIn(Schema):
    subject_kind: Literal["member", "branch", "committee"]
    subject_member_id: int | None = None
    subject_unit_id: int | None = None
    aspect_id: int | None = None
    kind: Literal["praise", "criticism", "suggestion"]


class MergeIn(Schema):
    duplicates: list[int] = Field(..., min_length=1, description="Opinions merged into this one")


class SetAsideIn(Schema):
    reason: str = Field(..., min_length=1, max_length=services.MAX_REASON)


class RoundIn(Schema):
    branch_id: int
    reason: str = Field(..., min_length=1, max_length=services.MAX_REASON)


class RoundOut(Schema):
    campaign_id: int
    branch_id: int
    number: int
    reason: str
    opened_on: datetime.date


def _with_related(queryset: QuerySet[Opinion], user: Person) -> QuerySet[Opinion]:
    """With what `OpinionOut` reads, and whether the caller sees the sources (one
    query for a whole page)."""
    return access.with_sources_shown(queryset.select_related("email", "record"), user)


def _fetch(request: HttpRequest, opinion_id: int, *, write: bool = False) -> Opinion:
    """The opinion as `OpinionOut` reads it; to write it, the caller must sort it (403)."""
    need = access.can_sort_opinion if write else None
    return access.get_opinion_for_user(
        request.user, opinion_id, need=need, related=("email", "record")
    )


def _invalid(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {BODY_FIELD_OF.get(field, field): found for field, found in error.message_dict.items()}
    )


def _unprocessable(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


@router.get("/", response=list[OpinionOut], summary="Opinions in the caller's scope")
@paginate(Pagination)
def opinion_list(
    request: HttpRequest,
    campaign: int | None = None,
    status: OpinionStatus | None = None,
    channel: OpinionChannel | None = None,
    round: int | None = None,  # noqa: A002 (the query parameter's name)
    subject_kind: OpinionSubjectKind | None = None,
    branch: int | None = None,
) -> QuerySet[Opinion]:
    opinions = access.visible_opinions(request.user)
    if campaign is not None:
        opinions = opinions.filter(campaign_id=campaign)
    if status is not None:
        opinions = opinions.filter(status=status)
    if channel is not None:
        opinions = opinions.filter(channel=channel)
    if round is not None:
        opinions = opinions.filter(round=round)
    if subject_kind is not None:
        opinions = opinions.filter(subject_kind=subject_kind)
    if branch is not None:
        unit = Unit.objects.filter(pk=branch).first()
        if unit is None:
            return Opinion.objects.none()
        opinions = opinions.filter(branch__path__startswith=unit.path)
    return _with_related(opinions, request.user).order_by("-received_on", "-pk")


@router.get(
    "/{int:opinion_id}", response={200: OpinionOut, **ERRORS}, summary="One opinion in scope"
)
def opinion_detail(request: HttpRequest, opinion_id: int) -> Opinion:
    return _fetch(request, opinion_id)


@router.post(
    "/",
    response={201: OpinionOut, **ERRORS},
    summary="Enter an opinion heard in an individual talk or a symposium",
)
def opinion_intake(request: HttpRequest, payload: IntakeIn) -> Status:
    """A request sent again with the same `Idempotency-Key` header (a retry after a
    lost answer) returns the opinion the first one entered, not a second one."""
    user = request.user
    key = idempotency.key_of(request)
    record = None
    branch: Unit | None
    if payload.record_id is not None:
        record = access.get_followed_record_for_user(user, payload.record_id)
        branch = record.branch
    elif payload.branch_id is not None:
        branch = access.get_followed_unit_for_user(user, payload.branch_id)
    else:
        raise _unprocessable(
            "branch_id", _("请给出收集意见的组织（branch_id）或谈话、座谈记录（record_id）。")
        )
    campaign = _campaign_for(user, branch, payload.campaign_id, record)
    channel = payload.channel or (record.kind if record is not None else None)
    if channel is None:
        raise _unprocessable("channel", _("请给出渠道：个人交谈（talk）或座谈会（symposium）。"))
    member = unit = None
    if payload.subject_member_id is not None:
        member = (
            Member.objects.select_related("branch").filter(pk=payload.subject_member_id).first()
        )
        if member is None:
            raise _unprocessable("subject_member_id", _("找不到所选党员。"))
    if payload.subject_unit_id is not None:
        unit = Unit.objects.filter(pk=payload.subject_unit_id, is_active=True).first()
    try:
        opinion = services.opinion_enter(
            campaign=campaign,
            branch=branch,
            channel=channel,
            text=payload.text,
            received_on=payload.received_on,
            source=payload.source,
            record=record,
            subject_kind=payload.subject_kind,
            subject_member=member,
            subject_unit=unit,
            submission_token=idempotency.token(user=user, key=key, scope="opinions"),
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, _fetch(request, opinion.pk))


def _campaign_for(user: Person, branch: Unit, wanted: int | None, record: Any) -> Campaign:
    if record is not None:
        return record.campaign
    campaign: Campaign | None
    if wanted is not None:
        campaign = campaigns_access.get_campaign_for_user(user, wanted)
    else:
        from vanguard.campaigns.selectors import active_campaign_for_unit

        campaign = active_campaign_for_unit(branch.path)
    if campaign is None:
        raise _unprocessable("campaign_id", _("该组织没有进行中的活动。"))
    return campaign


def _sort(request: HttpRequest, opinion_id: int, payload: SortIn) -> Opinion:
    opinion = _fetch(request, opinion_id, write=True)
    member = unit = aspect = None
    if payload.subject_member_id is not None:
        member = (
            Member.objects.select_related("branch").filter(pk=payload.subject_member_id).first()
        )
        if member is None:
            raise _unprocessable("subject_member_id", _("找不到所选党员。"))
    if payload.subject_unit_id is not None:
        unit = Unit.objects.filter(pk=payload.subject_unit_id, is_active=True).first()
    if payload.aspect_id is not None:
        aspect = Aspect.objects.filter(pk=payload.aspect_id).first()
        if aspect is None or aspect.campaign_id != opinion.campaign_id:
            raise _unprocessable("aspect_id", _("所选方面不属于本次活动。"))
    try:
        services.opinion_sort(
            opinion=opinion,
            subject_kind=payload.subject_kind,
            subject_member=member,
            subject_unit=unit,
            aspect=aspect,
            kind=payload.kind,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return _fetch(request, opinion.pk)


@router.post(
    "/{int:opinion_id}/sort",
    response={200: OpinionOut, **ERRORS},
    summary="Sort an opinion: its subject, aspect and kind",
)
def opinion_sort(request: HttpRequest, opinion_id: int, payload: SortIn) -> Opinion:
    return _sort(request, opinion_id, payload)


@router.patch(
    "/{int:opinion_id}",
    response={200: OpinionOut, **ERRORS},
    summary="Sort an opinion (the same as POST …/sort)",
)
def opinion_patch(request: HttpRequest, opinion_id: int, payload: SortIn) -> Opinion:
    return _sort(request, opinion_id, payload)


@router.post(
    "/{int:opinion_id}/merge",
    response={200: OpinionOut, **ERRORS},
    summary="Merge duplicates into this opinion (their texts are kept)",
)
def opinion_merge(request: HttpRequest, opinion_id: int, payload: MergeIn) -> Opinion:
    survivor = _fetch(request, opinion_id, write=True)
    duplicates = [
        access.get_opinion_for_user(request.user, pk, need=access.can_sort_opinion)
        for pk in dict.fromkeys(payload.duplicates)
    ]
    try:
        services.opinion_merge(survivor=survivor, duplicates=duplicates)
    except ValidationError as error:
        raise _invalid(error) from error
    return _fetch(request, survivor.pk)


@router.post(
    "/{int:opinion_id}/set-aside",
    response={200: OpinionOut, **ERRORS},
    summary="Set an opinion aside, with the reason (it is never deleted)",
)
def opinion_set_aside(request: HttpRequest, opinion_id: int, payload: SetAsideIn) -> Opinion:
    opinion = _fetch(request, opinion_id, write=True)
    try:
        services.opinion_set_aside(opinion=opinion, reason=payload.reason)
    except ValidationError as error:
        raise _invalid(error) from error
    return _fetch(request, opinion.pk)


@router.post(
    "/rounds",
    response={201: RoundOut, **ERRORS},
    summary="Open a branch's next round of solicitation",
)
def round_open(request: AuthenticatedHttpRequest, payload: RoundIn) -> Status:
    from vanguard.campaigns.selectors import active_campaign_for_unit

    user = request.user
    branch = access.get_followed_unit_for_user(user, payload.branch_id)
    campaign = active_campaign_for_unit(branch.path)
    if campaign is None:
        raise _unprocessable("branch_id", _("该组织没有进行中的活动。"))
    try:
        opened: OpinionRound = services.round_open(
            campaign=campaign, branch=branch, reason=payload.reason, actor=user
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, opened)
