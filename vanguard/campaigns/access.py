"""Who may see and do what in campaigns: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import (
    ACTIVITY_ROLES,
    ADMIN_ROLES,
    READ_ROLES,
    TRANSITION_ROLES,
    covers,
    paths,
    scopes,
    under,
)
from vanguard.lib.paths import path_ids
from vanguard.organization.access import member_branch_path

if TYPE_CHECKING:
    from vanguard.organization.models import Unit


def visible_campaigns(user: Any) -> QuerySet[Any]:
    """Campaigns running in a unit that contains, or lies inside, the person's scope."""
    from vanguard.campaigns.models import Campaign

    own = [scope.path for scope in scopes(user)]
    member_path = member_branch_path(user)
    if member_path:
        own.append(member_path)
    query = Q(pk__in=[])
    for path in set(own):
        unit_ids = path_ids(path)
        query |= Q(unit_id__in=unit_ids) | Q(unit__path__startswith=path)
    # Drafts are seen only by the committee admins who prepare them.
    query = (query & ~Q(status="draft")) | under(paths(user, ADMIN_ROLES), "unit__path")
    return Campaign.objects.filter(query).select_related("unit")


def can_manage_campaign(user: Any, campaign: Any) -> bool:
    return covers(paths(user, ADMIN_ROLES), campaign.unit.path)


def get_campaign_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    campaign = visible_campaigns(user).filter(pk=pk).select_related("unit").first()
    if campaign is None:
        raise Http404
    if write and not can_manage_campaign(user, campaign):
        raise PermissionDenied
    return campaign


def can_view_progress(user: Any, unit: Unit) -> bool:
    """Progress of a unit and everything below it: officers and observers over it."""
    return covers(paths(user, READ_ROLES), unit.path)


def progress_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    return Unit.objects.filter(under(paths(user, READ_ROLES), "path"), is_active=True)


def can_keep_records(user: Any, unit: Unit) -> bool:
    """May add and change the unit's plans, sessions, meetings and attendance."""
    return covers(paths(user, ACTIVITY_ROLES), unit.path)


def record_units(user: Any) -> QuerySet[Unit]:
    """Units whose records this person keeps (for choosing where a meeting belongs)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(under(paths(user, ACTIVITY_ROLES), "path"), is_active=True)


def can_view_records(user: Any, unit: Unit) -> bool:
    """May read the unit's plans, sessions and meetings: officers over it, and its members.

    A member reads the records of their own branch and of the units above it
    (a lecture for the whole college, a notice from the general branch)."""
    if covers(paths(user, READ_ROLES), unit.path):
        return True
    member_path = member_branch_path(user)
    return member_path is not None and member_path.startswith(unit.path)


def can_approve_transition(user: Any, branch: Unit) -> bool:
    return covers(paths(user, TRANSITION_ROLES), branch.path)


def managed_campaigns(user: Any) -> QuerySet[Any]:
    """Campaigns whose phases and requirements this person edits (committee admins)."""
    from vanguard.campaigns.models import Campaign

    return Campaign.objects.filter(under(paths(user, ADMIN_ROLES), "unit__path")).select_related(
        "unit"
    )


def campaign_units(user: Any) -> QuerySet[Unit]:
    """Units a committee admin may start a campaign in (a committee or general branch)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        under(paths(user, ADMIN_ROLES), "path"),
        kind__in=[Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH],
        is_active=True,
    )


def progress_roots(user: Any) -> list[Unit]:
    """The units at the top of a person's progress view: those over which they hold a
    role that reads progress (the committee, a general branch, supervised branches)."""
    from vanguard.organization.models import Unit

    found = [scope for scope in scopes(user) if scope.role in READ_ROLES]
    if any(scope.path == "/" for scope in found):  # the superuser
        return list(Unit.objects.filter(parent__isnull=True, is_active=True))
    units = Unit.objects.filter(pk__in={scope.unit_id for scope in found}, is_active=True)
    return sorted(units, key=lambda unit: (unit.path.count("/"), unit.path))


def get_campaign_covering(pk: Any, unit: Unit) -> Any:
    """The campaign `pk` if its unit contains `unit` (a branch whose page the person may
    already open), else 404."""
    from vanguard.campaigns.models import Campaign

    campaign = Campaign.objects.select_related("unit").filter(pk=pk).first()
    if campaign is None or not unit.path.startswith(campaign.unit.path):
        raise Http404
    return campaign
