"""JSON API of the watch list (重点支部、重点人) and its talks, at /api/v1/supervision/:
for the committee and the branch's supervisors only. Everyone else gets a 404 — for
the list too, which is asked per campaign — so the API never tells a branch's
officers or the member that a list exists."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.fields import Date
from vanguard.organization import access as organization_access
from vanguard.supervision import access
from vanguard.supervision.models import Talk, WatchEntry
from vanguard.supervision.watch import services

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
BODY_FIELD_OF = {"branch": "branch_id", "member": "member_id"}


class WatchOut(Schema):
    id: int
    campaign_id: int
    kind: str
    branch_id: int
    branch_name: str
    member_id: int | None
    member_name: str | None
    reason: str
    added_at: datetime.datetime
    closed_at: datetime.datetime | None
    closed_note: str

    @staticmethod
    def resolve_branch_name(obj: WatchEntry) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_member_name(obj: WatchEntry) -> str | None:
        return obj.member.name if obj.member is not None else None


class WatchIn(Schema):
    campaign_id: int
    kind: Literal["branch", "person"]
    branch_id: int | None = Field(None, description="Default: the member's branch")
    member_id: int | None = Field(None, description="For a key person")
    reason: str = Field(..., min_length=1, max_length=services.TEXT_MAX)


class TalkOut(Schema):
    id: int
    entry_id: int
    held_on: datetime.date
    talked_by: str
    gist: str
    follow_up: str


class TalkIn(Schema):
    held_on: Date
    talked_by: str = Field(..., min_length=1, max_length=services.NAME_MAX)
    gist: str = Field(..., min_length=1, max_length=services.TEXT_MAX)
    follow_up: str = Field("", max_length=services.TEXT_MAX)


def _invalid(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {BODY_FIELD_OF.get(name, name): found for name, found in error.message_dict.items()}
    )


@router.get(
    "watch/",
    response={200: list[WatchOut], **ERRORS},
    summary="A campaign's key branches and key persons",
)
def watch_list(request: HttpRequest, campaign: int) -> QuerySet[WatchEntry]:
    found = access.get_watch_campaign_for_user(request.user, campaign)
    return (
        access.visible_watch_entries(request.user)
        .filter(campaign=found)
        .order_by("closed_at", "branch__path", "pk")
    )


@router.get("watch/{int:entry_id}", response={200: WatchOut, **ERRORS}, summary="One entry")
def watch_detail(request: HttpRequest, entry_id: int) -> WatchEntry:
    return access.get_watch_entry_for_user(request.user, entry_id)


@router.post("watch/", response={201: WatchOut, **ERRORS}, summary="Add a key branch or person")
def watch_create(request: HttpRequest, payload: WatchIn) -> Status:
    user = request.user
    campaign = access.get_watch_campaign_for_user(user, payload.campaign_id)
    member = None
    if payload.member_id is not None:
        member = organization_access.get_member_for_user(
            user,
            payload.member_id,
            need=lambda u, m: access.can_add_watch_entry(u, m.branch, m),
        )
    if payload.branch_id is not None:
        branch = organization_access.get_unit_for_user(
            user, payload.branch_id, need=lambda u, b: access.can_add_watch_entry(u, b)
        )
    elif member is not None:
        branch = member.branch
    else:
        raise ValidationError({"branch_id": [_("请给出支部（branch_id）或党员（member_id）。")]})
    try:
        entry = services.watch_add(
            campaign=campaign,
            kind=payload.kind,
            branch=branch,
            member=member,
            reason=payload.reason,
            actor=user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, access.get_watch_entry_for_user(user, entry.pk))


@router.get(
    "watch/{int:entry_id}/talks",
    response={200: list[TalkOut], **ERRORS},
    summary="The talks with a key person or branch",
)
def talk_list(request: HttpRequest, entry_id: int) -> QuerySet[Talk]:
    entry = access.get_watch_entry_for_user(request.user, entry_id)
    return access.visible_talks(request.user).filter(entry=entry).order_by("held_on", "pk")


@router.post(
    "watch/{int:entry_id}/talks", response={201: TalkOut, **ERRORS}, summary="Record a talk"
)
def talk_create(request: HttpRequest, entry_id: int, payload: TalkIn) -> Status:
    entry = access.get_watch_entry_for_user(
        request.user, entry_id, need=access.can_keep_watch_entry
    )
    try:
        talk = services.talk_record(
            entry=entry,
            held_on=payload.held_on,
            talked_by=payload.talked_by,
            gist=payload.gist,
            follow_up=payload.follow_up,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as error:
        raise _invalid(error) from error
    return Status(201, talk)
