"""Who may see and do what in organization: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Entry points (views, API functions) fetch every unit, member and import job here:
`get_*_for_user(user, pk, need=...)` is a 404 outside the person's sight and a 403
in sight without the capability `need`."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet

from vanguard.accounts.access import (
    ADMIN_ROLES,
    GROUP_ROLES,
    READ_ROLES,
    ROSTER_ROLES,
    Person,
    covers,
    get_for_user,
    paths,
    under,
)
from vanguard.organization.models import ImportJob, Member, Unit


def member_of(user: Person) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.member  # type: ignore[union-attr]
    except (ObjectDoesNotExist, AttributeError):  # no member record (or no login model)
        return None


def visible_units(user: Person) -> QuerySet[Unit]:
    query = under(paths(user, READ_ROLES | GROUP_ROLES), "path")
    member = member_of(user)
    if member is not None:
        query |= Q(pk=member.branch_id)
    return Unit.objects.filter(query, is_active=True)


def can_view_unit(user: Person, unit: Unit) -> bool:
    if covers(paths(user, READ_ROLES | GROUP_ROLES), unit.path):
        return True
    member = member_of(user)
    return member is not None and member.branch_id == unit.pk


def can_list_unit_members(user: Person, unit: Unit) -> bool:
    """May see the roster of this unit (a member sees only their branch's name, not its roster)."""
    return covers(paths(user, READ_ROLES | GROUP_ROLES), unit.path)


def can_manage_roster(user: Person, unit: Unit) -> bool:
    """May import, export and change members of this unit's subtree."""
    return covers(paths(user, ROSTER_ROLES), unit.path)


def can_import_roster(user: Person, unit: Unit) -> bool:
    """May import a roster into this unit: one whose roster they keep, not a party group
    (a roster names branches, and a party group has none below it)."""
    return unit.kind != Unit.Kind.PARTY_GROUP and can_manage_roster(user, unit)


def get_unit_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, Unit], bool] | None = None,
) -> Unit:
    """An active unit this person sees. `write=True` is `need=can_manage_roster`."""
    if write and need is None:
        need = can_manage_roster
    return get_for_user(
        Unit.objects.filter(is_active=True).select_related("parent"),
        user,
        pk,
        see=can_view_unit,
        need=need,
    )


def visible_members(user: Person) -> QuerySet[Member]:
    query = under(paths(user, READ_ROLES), "branch__path")
    query |= under(paths(user, GROUP_ROLES), "party_group__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(user=user)
    return Member.objects.filter(query)


def can_view_member(user: Person, member: Member) -> bool:
    if covers(paths(user, READ_ROLES), member.branch.path):
        return True
    if member.party_group_id and covers(paths(user, GROUP_ROLES), member.party_group.path):  # type: ignore[union-attr]
        return True
    return bool(member.user_id) and member.user_id == getattr(user, "pk", None)


def can_edit_member(user: Person, member: Member) -> bool:
    return can_manage_roster(user, member.branch)


def can_view_member_contact(user: Person, member: Member) -> bool:
    """Phone and e-mail: for those who keep the member's roster, and the member themself."""
    if bool(member.user_id) and member.user_id == getattr(user, "pk", None):
        return True
    return can_edit_member(user, member)


def manages_any_roster(user: Person) -> bool:
    """Holds a roster role somewhere (decides whether the roster-import link is shown)."""
    return bool(paths(user, ROSTER_ROLES))


def get_member_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, Member], bool] | None = None,
) -> Member:
    """A member this person sees. `write=True` is `need=can_edit_member`."""
    if write and need is None:
        need = can_edit_member
    return get_for_user(
        Member.objects.select_related("branch", "party_group", "user"),
        user,
        pk,
        see=can_view_member,
        need=need,
    )


def roster_units(user: Person) -> QuerySet[Unit]:
    """Units whose roster this user may import into or export."""
    return Unit.objects.filter(under(paths(user, ROSTER_ROLES), "path"), is_active=True)


def import_units(user: Person) -> QuerySet[Unit]:
    """The units a person may import a roster into, in tree order (see `can_import_roster`)."""
    return roster_units(user).exclude(kind=Unit.Kind.PARTY_GROUP).order_by("path")


def get_import_units_for_user(user: Person) -> QuerySet[Unit]:
    """The import page's choice of units: a 403 for a person who keeps no roster."""
    units = import_units(user)
    if not units.exists():
        raise PermissionDenied
    return units


def can_view_import_job(user: Person, job: ImportJob) -> bool:
    """A roster import job (its errors quote the file) is seen by the person who started
    it and by committee admins over its unit, no one else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    return covers(paths(user, ADMIN_ROLES), job.unit.path)


def get_import_job_for_user(user: Person, pk: object) -> ImportJob:
    return get_for_user(
        ImportJob.objects.select_related("unit", "created_by"),
        user,
        pk,
        see=can_view_import_job,
    )


def member_branch_path(user: Person) -> str | None:
    member = member_of(user)
    return member.branch.path if member is not None else None
