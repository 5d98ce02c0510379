"""Who may see and do what in organization: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import (
    ADMIN_ROLES,
    GROUP_ROLES,
    READ_ROLES,
    ROSTER_ROLES,
    covers,
    paths,
    under,
)

if TYPE_CHECKING:
    from vanguard.organization.models import Member, Unit


def member_of(user: Any) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.member
    except Exception:  # RelatedObjectDoesNotExist
        return None


def visible_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    query = under(paths(user, READ_ROLES | GROUP_ROLES), "path")
    member = member_of(user)
    if member is not None:
        query |= Q(pk=member.branch_id)
    return Unit.objects.filter(query, is_active=True)


def can_view_unit(user: Any, unit: Unit) -> bool:
    if covers(paths(user, READ_ROLES | GROUP_ROLES), unit.path):
        return True
    member = member_of(user)
    return member is not None and member.branch_id == unit.pk


def can_list_unit_members(user: Any, unit: Unit) -> bool:
    """May see the roster of this unit (a member sees only their branch's name, not its roster)."""
    return covers(paths(user, READ_ROLES | GROUP_ROLES), unit.path)


def can_manage_roster(user: Any, unit: Unit) -> bool:
    """May import, export and change members of this unit's subtree."""
    return covers(paths(user, ROSTER_ROLES), unit.path)


def get_unit_for_user(user: Any, pk: Any, *, write: bool = False) -> Unit:
    from vanguard.organization.models import Unit

    unit = Unit.objects.filter(pk=pk, is_active=True).select_related("parent").first()
    if unit is None or not can_view_unit(user, unit):
        raise Http404
    if write and not can_manage_roster(user, unit):
        raise PermissionDenied
    return unit


def visible_members(user: Any) -> QuerySet[Member]:
    from vanguard.organization.models import Member

    query = under(paths(user, READ_ROLES), "branch__path")
    query |= under(paths(user, GROUP_ROLES), "party_group__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(user=user)
    return Member.objects.filter(query)


def can_view_member(user: Any, member: Member) -> bool:
    if covers(paths(user, READ_ROLES), member.branch.path):
        return True
    if member.party_group_id and covers(paths(user, GROUP_ROLES), member.party_group.path):  # type: ignore[union-attr]
        return True
    return bool(member.user_id) and member.user_id == getattr(user, "pk", None)


def can_edit_member(user: Any, member: Member) -> bool:
    return can_manage_roster(user, member.branch)


def can_view_member_contact(user: Any, member: Member) -> bool:
    """Phone and e-mail: for those who keep the member's roster, and the member themself."""
    if bool(member.user_id) and member.user_id == getattr(user, "pk", None):
        return True
    return can_edit_member(user, member)


def manages_any_roster(user: Any) -> bool:
    """Holds a roster role somewhere (decides whether the roster-import link is shown)."""
    return bool(paths(user, ROSTER_ROLES))


def get_member_for_user(user: Any, pk: Any, *, write: bool = False) -> Member:
    from vanguard.organization.models import Member

    member = Member.objects.filter(pk=pk).select_related("branch", "party_group", "user").first()
    if member is None or not can_view_member(user, member):
        raise Http404
    if write and not can_edit_member(user, member):
        raise PermissionDenied
    return member


def roster_units(user: Any) -> QuerySet[Unit]:
    """Units whose roster this user may import into or export."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(under(paths(user, ROSTER_ROLES), "path"), is_active=True)


def can_view_import_job(user: Any, job: Any) -> bool:
    """A roster import job (its errors quote the file) is seen by the person who started
    it and by committee admins over its unit, no one else."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if job.created_by_id is not None and job.created_by_id == user.pk:
        return True
    return covers(paths(user, ADMIN_ROLES), job.unit.path)


def get_import_job_for_user(user: Any, pk: Any) -> Any:
    from vanguard.organization.models import ImportJob

    job = ImportJob.objects.filter(pk=pk).select_related("unit", "created_by").first()
    if job is None or not can_view_import_job(user, job):
        raise Http404
    return job


def member_branch_path(user: Any) -> str | None:
    member = member_of(user)
    return member.branch.path if member is not None else None
