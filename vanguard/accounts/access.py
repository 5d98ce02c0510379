"""The vocabulary of access: roles held over units, what a role reaches, and the
one way to fetch an object for a person.

Roles are held over a unit and reach everything below it (its subtree, by the
unit's materialised path `/1/4/17/`). Every app builds its own `access.py` on
these words — its `visible_*` lists, `can_*` questions and `get_*_for_user`
fetches — and every view, API function, command and admin class asks there.

This module imports no other app of the project: a unit is anything with a
`path`, and the member record is reached through the user's `member` relation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from vanguard.accounts.models import ApiToken, Role, RoleAssignment, User
from vanguard.lib.paths import path_prefixes

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Whoever makes a request: a login, or nobody yet.
Person: TypeAlias = "User | AnonymousUser | AbstractBaseUser"
ObjectT = TypeVar("ObjectT", bound=Model)


class Placed(Protocol):
    """A unit, or anything else with a materialised unit path."""

    @property
    def path(self) -> str: ...


# Who may read the people and units in their scope.
READ_ROLES = frozenset(
    {
        Role.COMMITTEE_ADMIN,
        Role.SUPERVISOR,
        Role.GENERAL_BRANCH_SECRETARY,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_COMMITTEE,
        Role.OBSERVER,
    }
)


# Party-group leaders read only their group's members (and their group).
GROUP_ROLES = frozenset({Role.GROUP_LEADER})


# Who may keep a roster: add, change and move members, import and export.
ROSTER_ROLES = frozenset(
    {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY}
)


ADMIN_ROLES = frozenset({Role.COMMITTEE_ADMIN})


@dataclass(frozen=True)
class Scope:
    role: str
    unit_id: int
    path: str
    kind: str = ""  # the unit's kind (Unit.Kind's value), read in the same query


def scopes(user: Person) -> list[Scope]:
    """The roles a user holds, each with the path of its unit; cached on the user object."""
    if not isinstance(user, User) or not user.is_active:
        return []
    cached: list[Scope] | None = getattr(user, "_vanguard_scopes", None)
    if cached is not None:
        return cached
    found = [
        Scope(role=role, unit_id=unit_id, path=path, kind=kind)
        for role, unit_id, path, kind in RoleAssignment.objects.filter(
            user=user, unit__is_active=True
        ).values_list("role", "unit_id", "unit__path", "unit__kind")
    ]
    if user.is_superuser:
        # The superuser made by `createsuperuser` is the first committee admin of everything.
        found.append(Scope(role=Role.COMMITTEE_ADMIN, unit_id=0, path="/"))
    setattr(user, "_vanguard_scopes", found)  # noqa: B010 (a cache, not a model field)
    return found


def forget_scopes(user: Person) -> None:
    """Call after changing a user's roles in the same request."""
    if hasattr(user, "_vanguard_scopes"):
        del user._vanguard_scopes


def roles(user: Person) -> set[str]:
    return {scope.role for scope in scopes(user)}


def paths(user: Person, allowed: Iterable[str]) -> list[str]:
    allowed = set(allowed)
    return sorted({scope.path for scope in scopes(user) if scope.role in allowed})


def covers(path_list: list[str], path: str) -> bool:
    return any(path.startswith(prefix) for prefix in path_list)


def under(path_list: list[str], field: str) -> Q:
    """Rows whose `field` path lies under any of the given paths (nothing if none)."""
    query = Q(pk__in=[])
    for prefix in path_list:
        query |= Q(**{f"{field}__startswith": prefix})
    return query


def is_committee_admin(user: Person) -> bool:
    return Role.COMMITTEE_ADMIN in roles(user)


def can_use_admin(user: Person) -> bool:
    """Django admin is for committee admins only, each inside their scope (see
    `accounts.admin.ScopedAdmin`); a superuser's scope is everything."""
    return is_committee_admin(user)


def admin_scope(user: Person, field: str) -> Q:
    """Rows whose `field` (a unit path) lies under a unit this person is committee admin of."""
    return under(paths(user, ADMIN_ROLES), field)


def in_admin_scope(user: Person, unit: Placed) -> bool:
    return covers(paths(user, ADMIN_ROLES), unit.path)


def admin_users(user: Person) -> QuerySet[User]:
    """Logins a committee admin may look up in the back office: those of members in their
    scope and of people holding a role in it. A login attached to nothing is seen only
    by superusers (nobody can tell whose it is)."""
    users = User.objects.all()
    if getattr(user, "is_superuser", False) and user.is_active:
        return users
    scope = paths(user, ADMIN_ROLES)
    holders = RoleAssignment.objects.filter(under(scope, "unit__path")).values("user_id")
    return users.filter(under(scope, "member__branch__path") | Q(pk__in=holders))


def can_manage_user(actor: Person, target: User) -> bool:
    """May change this login (its details, active flag, password): a superuser, or a
    committee admin over everything the login reaches — its member record and every role
    it holds. Nobody but a superuser changes a superuser or a staff login, so nobody takes
    over a login that sees more than they do."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return True
    if target.is_superuser or target.is_staff:
        return False
    scope = paths(actor, ADMIN_ROLES)
    if not scope:
        return False
    reaches = list(RoleAssignment.objects.filter(user=target).values_list("unit__path", flat=True))
    reaches += [
        path
        for path in User.objects.filter(pk=target.pk).values_list("member__branch__path", flat=True)
        if path
    ]
    return bool(reaches) and all(covers(scope, path) for path in reaches)


def can_grant_role(actor: Person, role: str, unit: Placed) -> bool:
    """May give (or take away) `role` over `unit`: a committee admin over the unit. The
    committee admin is the highest role, so no role granted inside their scope is above
    their own; a unit above their scope is refused, whatever the role."""
    return role in Role.values and covers(paths(actor, ADMIN_ROLES), unit.path)


def can_change_role_grant(user: Person, assignment: RoleAssignment) -> bool:
    """May change or take away this grant as it stands (see `can_grant_role`)."""
    return can_grant_role(user, assignment.role, assignment.unit)


def check_role_grant(actor: Person, assignment: RoleAssignment) -> None:
    """A grant about to be saved, new or changed: a 403 unless the grant as it will be
    and, for a change, the grant as it is stored both lie inside the actor's scope.
    Nobody grants a role over a unit above their own, nor moves someone else's grant
    out of (or into) their reach."""
    refused = PermissionDenied(_("不能在您管理的范围之外授予角色。"))
    if not can_grant_role(actor, assignment.role, assignment.unit):
        raise refused
    if assignment.pk is not None:
        before = RoleAssignment.objects.select_related("unit").filter(pk=assignment.pk).first()
        if before is not None and not can_change_role_grant(actor, before):
            raise refused


class MemberRecord(Protocol):
    """An organisation member, as far as a login needs one (accounts imports no other app)."""

    user_id: int | None
    user: User | None

    @property
    def branch(self) -> Placed: ...

    def save(self, *, update_fields: Iterable[str] | None = None) -> None: ...


def check_new_login(
    actor: Person,
    *,
    member: MemberRecord | None = None,
    role: str | None = None,
    unit: Placed | None = None,
) -> None:
    """A new login tied to what it is for — a member record without a login, and/or a
    first role over a unit: a 403 unless both lie inside the actor's scope."""
    if member is not None and (
        member.user_id is not None or not in_admin_scope(actor, member.branch)
    ):
        raise PermissionDenied(_("不能把账号关联到您管理范围之外的党员。"))
    if role and unit is not None and not can_grant_role(actor, role, unit):
        raise PermissionDenied(_("不能在您管理的范围之外授予角色。"))


# --- API tokens: each person's own ----------------------------------------------------


def can_revoke_token(user: Person, token: ApiToken) -> bool:
    """A token is revoked by its owner alone (not even a committee admin)."""
    return bool(getattr(user, "is_authenticated", False)) and token.user_id == user.pk


def get_token_for_user(
    user: Person,
    pk: object,
    *,
    need: Callable[[Person, ApiToken], bool] | None = None,
) -> ApiToken:
    """One of this person's own tokens; anyone else's is a 404, like one that does not exist."""
    own = ApiToken.objects.filter(user=user) if isinstance(user, User) else ApiToken.objects.none()
    return get_for_user(own, user, pk, need=need)


# Who keeps a branch's records (plans, sessions, meetings, attendance).
ACTIVITY_ROLES = frozenset(
    {
        Role.COMMITTEE_ADMIN,
        Role.GENERAL_BRANCH_SECRETARY,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_COMMITTEE,
    }
)


# Who may look at (and mark as reviewed) members' study work.
REVIEW_ROLES = ACTIVITY_ROLES | {Role.SUPERVISOR}


# Who may approve a branch moving on to the next phase (转段).
TRANSITION_ROLES = frozenset({Role.COMMITTEE_ADMIN, Role.SUPERVISOR})


# --- One fetch, and its inverse -----------------------------------------------


def get_for_user(
    queryset: QuerySet[ObjectT],
    user: Person,
    pk: object,
    *,
    see: Callable[[Person, ObjectT], bool] | None = None,
    need: Callable[[Person, ObjectT], bool] | None = None,
) -> ObjectT:
    """The object `pk` of `queryset`, for this person.

    Outside their sight it is a 404, whether or not it exists (`queryset` already
    limited to what they see, or `see` says no), so an id reveals nothing. In sight but
    without the capability `need` it is a 403. A malformed id is a 404 too."""
    try:
        found = queryset.filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None or (see is not None and not see(user, found)):
        raise Http404
    if need is not None and not need(user, found):
        raise PermissionDenied
    return found


def holders(unit: Placed, roles: Iterable[str], *, within: bool = False) -> QuerySet[User]:
    """The active logins holding any of `roles` over `unit` or a unit above it: the
    people a reminder or a notice about this unit goes to. With `within=True`, over
    `unit` or a unit below it instead: the officers inside the unit (those a notice to
    it reaches, those a meeting of its officers calls)."""
    over = (
        Q(role_assignments__unit__path__startswith=unit.path)
        if within
        else Q(role_assignments__unit__path__in=path_prefixes(unit.path))
    )
    return User.objects.filter(
        over,
        is_active=True,
        role_assignments__role__in=list(roles),
        role_assignments__unit__is_active=True,
    ).distinct()


def grants_over(
    unit_ids: Iterable[int] | QuerySet[Any, Any], roles: Iterable[str]
) -> QuerySet[RoleAssignment]:
    """The grants of any of `roles` that active logins hold over exactly these units (a
    list of ids, or a queryset of them), not over a unit above: the officers a unit's
    page names. `holders` answers the other question — who must be told about a unit —
    and counts the units above it too."""
    ids = unit_ids if isinstance(unit_ids, QuerySet) else list(unit_ids)
    return RoleAssignment.objects.filter(
        unit_id__in=ids, role__in=list(roles), user__is_active=True
    )
