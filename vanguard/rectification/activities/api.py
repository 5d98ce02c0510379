"""JSON API of branch activities (整改活动), at /api/v1/rectification/: the same rules
as the pages, every object fetched through `rectification.access` (a 404 outside the
caller's sight, a 403 in sight without the capability). An activity carries its
public total; a donation line's amount only for its keeper and the member themself;
an anonymous idea names no author."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vanguard.accounts.access import Person
from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.pagination import Pagination
from vanguard.organization.access import member_of
from vanguard.rectification import access
from vanguard.rectification.activities import selectors, services
from vanguard.rectification.models import Activity, Donation, Idea

router = Router()

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class ActivityOut(Schema):
    id: int
    campaign_id: int
    branch_id: int
    branch_name: str
    kind: str
    kind_display: str
    title: str
    held_on: datetime.date | None
    total: Decimal = Field(..., description="The donations' sum in yuan, public")
    idea_count: int

    @staticmethod
    def resolve_branch_name(obj: Activity) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_kind_display(obj: Activity) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_total(obj: Activity) -> Decimal:
        return Decimal(getattr(obj, "total", 0)).quantize(services.CENT)


class DonationOut(Schema):
    id: int
    member_id: int
    member_name: str
    amount: Decimal
    given_on: datetime.date | None

    @staticmethod
    def resolve_member_name(obj: Donation) -> str:
        return obj.member.name


class ActivityDetailOut(ActivityOut):
    description: str
    participants: list[str] = Field(
        ..., alias="participant_names", description="The names of the members who took part"
    )
    participants_note: str
    outcomes: str
    donor_count: int
    lines: list[DonationOut] = Field(
        ..., description="The lines the caller may read: all for the keeper, else their own"
    )


class IdeaOut(Schema):
    id: uuid.UUID
    activity_id: int
    text: str
    anonymous: bool
    author_name: str | None = Field(None, description="None for an anonymous idea")
    received_on: datetime.date
    decision: str
    decision_display: str
    decision_note: str
    became_item_id: int | None = Field(None, alias="became_id")

    @staticmethod
    def resolve_author_name(obj: Idea) -> str | None:
        author = access.idea_author_shown(obj)
        return author.name if author is not None else None

    @staticmethod
    def resolve_decision_display(obj: Idea) -> str:
        return str(obj.get_decision_display())


class IdeaIn(Schema):
    text: str = Field(..., min_length=1, max_length=services.IDEA_MAX)
    anonymous: bool = False


def _detail(user: Person, activity_id: int) -> Activity:
    """The activity with its figures and, as attributes the schema reads, what this
    caller may see of its participants and donation lines."""
    activity = selectors.with_figures(
        access.visible_activities(user).filter(pk=activity_id)
    ).first()
    assert activity is not None  # fetched through access by the caller
    shown: Any = activity
    shown.participant_names = list(
        activity.participants.order_by("number", "pk").values_list("name", flat=True)
    )
    shown.donor_count = activity.donations.count()
    shown.lines = list(selectors.kept_lines(user, activity))
    return activity


@router.get(
    "activities/", response=list[ActivityOut], summary="Branch activities in the caller's sight"
)
@paginate(Pagination)
def activity_list(
    request: HttpRequest,
    campaign: int | None = None,
    branch: int | None = None,
    kind: str | None = None,
) -> QuerySet[Activity]:
    found = access.visible_activities(request.user)
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    if branch is not None:
        found = found.filter(branch_id=branch)
    if kind is not None:
        found = found.filter(kind=kind)
    return selectors.with_figures(found).order_by("branch__path", "-held_on", "-pk")


@router.get(
    "activities/{int:activity_id}",
    response={200: ActivityDetailOut, **ERRORS},
    summary="One activity, with its total and the donation lines the caller may read",
)
def activity_detail(request: HttpRequest, activity_id: int) -> Activity:
    activity = access.get_activity_for_user(request.user, activity_id)
    return _detail(request.user, activity.pk)


@router.get(
    "activities/{int:activity_id}/ideas",
    response={200: list[IdeaOut], **ERRORS},
    summary="The activity's golden ideas (an anonymous one names no author)",
)
def idea_list(request: HttpRequest, activity_id: int) -> list[Idea]:
    activity = access.get_activity_for_user(request.user, activity_id)
    return [row.idea for row in selectors.activity_ideas(request.user, activity)]


@router.post(
    "activities/{int:activity_id}/ideas",
    response={201: IdeaOut, **ERRORS},
    summary="Give a golden idea, named or anonymous",
)
def idea_create(request: HttpRequest, activity_id: int, payload: IdeaIn) -> Status:
    user = request.user
    activity = access.get_activity_for_user(user, activity_id, need=access.can_submit_idea)
    author = member_of(user)
    assert author is not None  # can_submit_idea asks for a member
    idea = services.idea_submit(
        activity=activity, author=author, text=payload.text, anonymous=payload.anonymous
    )
    return Status(201, access.get_idea_for_user(user, idea.pk))
