"""JSON API for units and members (read). Every object comes through
`organization.access`: lists are the caller's visible units and members, and a
unit or member outside their scope is a 404 like one that does not exist."""

import datetime
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.fields import SchemaName
from vanguard.lib.api.pagination import Pagination
from vanguard.organization import access, selectors
from vanguard.organization.models import Member, Unit

UnitKind = Annotated[Unit.Kind, SchemaName("UnitKind")]
router = Router(tags=["organization"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
QUERY_MAX_LENGTH = 50


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_display: str
    branch_type: str
    branch_type_display: str
    parent_id: int | None
    parent_name: str | None
    depth: int

    @staticmethod
    def resolve_kind_display(obj: Unit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_branch_type_display(obj: Unit) -> str:
        return str(obj.get_branch_type_display()) if obj.branch_type else ""

    @staticmethod
    def resolve_parent_name(obj: Unit) -> str | None:
        return obj.parent.name if obj.parent_id else None  # type: ignore[union-attr]


class MemberOut(Schema):
    id: int
    name: str
    number: str
    category: str
    category_display: str
    standing: str
    standing_display: str
    joined_on: datetime.date | None
    is_active: bool
    branch_id: int
    branch_name: str
    party_group_id: int | None
    party_group_name: str | None
    phone: str | None = None
    email: str | None = None

    @staticmethod
    def resolve_category_display(obj: Member) -> str:
        return str(obj.get_category_display())

    @staticmethod
    def resolve_standing_display(obj: Member) -> str:
        return str(obj.get_standing_display())

    @staticmethod
    def resolve_branch_name(obj: Member) -> str:
        return obj.branch.name

    @staticmethod
    def resolve_party_group_name(obj: Member) -> str | None:
        return obj.party_group.name if obj.party_group_id else None  # type: ignore[union-attr]

    # Contact details only for those who keep the member's roster and the member
    # themself; everyone else gets null (not an empty string: "hidden", not "none").
    @staticmethod
    def resolve_phone(obj: Member, context: dict[str, Any]) -> str | None:
        if not access.can_view_member_contact(context["request"].user, obj):
            return None
        return obj.phone or None

    @staticmethod
    def resolve_email(obj: Member, context: dict[str, Any]) -> str | None:
        if not access.can_view_member_contact(context["request"].user, obj):
            return None
        return obj.email or None


def _search(members: QuerySet[Member], q: str | None) -> QuerySet[Member]:
    q = (q or "").strip()
    if not q:
        return members
    return members.filter(Q(name__icontains=q) | Q(number__istartswith=q))


# --- Units --------------------------------------------------------------------


@router.get("/units", response=list[UnitOut], summary="Units the caller may see")
@paginate(Pagination)
def unit_list(
    request: HttpRequest,
    parent: int | None = None,
    kind: UnitKind | None = None,
    q: str | None = Query(None, max_length=QUERY_MAX_LENGTH),
) -> QuerySet[Unit]:
    units = access.visible_units(request.user).select_related("parent")
    if parent is not None:
        units = units.filter(parent_id=parent)
    if kind is not None:
        units = units.filter(kind=kind)
    if q and q.strip():
        units = units.filter(name__icontains=q.strip())
    return units.order_by("path")


@router.get("/units/{int:unit_id}", response={200: UnitOut, **ERRORS}, summary="One unit")
def unit_detail(request: HttpRequest, unit_id: int) -> Unit:
    return access.get_unit_for_user(request.user, unit_id)


@router.get(
    "/units/{int:unit_id}/members",
    response=list[MemberOut],
    summary="The roster of a unit (for those who may list it)",
)
@paginate(Pagination)
def unit_member_list(
    request: HttpRequest,
    unit_id: int,
    q: str | None = Query(None, max_length=QUERY_MAX_LENGTH),
    include_inactive: bool = False,
) -> QuerySet[Member]:
    unit = access.get_unit_for_user(request.user, unit_id, need=access.can_list_unit_members)
    members = selectors.unit_roster(request.user, unit, include_inactive=include_inactive)
    return _search(members, q)


# --- Members ------------------------------------------------------------------


@router.get("/members", response=list[MemberOut], summary="Members the caller may see")
@paginate(Pagination)
def member_list(
    request: HttpRequest,
    q: str | None = Query(None, max_length=QUERY_MAX_LENGTH, description="name or number"),
    include_inactive: bool = False,
) -> QuerySet[Member]:
    members = access.visible_members(request.user).select_related("branch", "party_group")
    if not include_inactive:
        members = members.filter(is_active=True)
    return _search(members, q).order_by("branch__path", "number")


@router.get("/members/{int:member_id}", response={200: MemberOut, **ERRORS}, summary="One member")
def member_detail(request: HttpRequest, member_id: int) -> Member:
    return access.get_member_for_user(request.user, member_id)
