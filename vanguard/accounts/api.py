"""JSON API for the person calling it: their login, roles and member record."""

from typing import cast

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from ninja import Router, Schema

from vanguard.accounts.models import RoleAssignment, User
from vanguard.lib.api.errors import ErrorOut

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_display: str
    unit_id: int
    unit_name: str


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]
    member_id: int | None


@router.get(
    "/me", response={200: MeOut, 401: ErrorOut}, summary="The caller: roles and member record"
)
def me(request: HttpRequest) -> dict:
    user = cast(User, request.user)  # the API authenticated them (vanguard/api/auth.py)
    assignments = (
        RoleAssignment.objects.filter(user=user, unit__is_active=True)
        .select_related("unit")
        .order_by("unit__path", "role")
    )
    # The member record through the login's `member` relation: accounts imports no other app.
    try:
        member_id: int | None = user.member.pk
    except ObjectDoesNotExist:
        member_id = None
    return {
        "username": user.get_username(),
        "display_name": str(user),
        "roles": [
            {
                "role": a.role,
                "role_display": a.get_role_display(),
                "unit_id": a.unit_id,
                "unit_name": a.unit.name,
            }
            for a in assignments
        ],
        "member_id": member_id,
    }
