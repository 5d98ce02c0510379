"""Who may see and do what in notices: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import ADMIN_ROLES, READ_ROLES, covers, paths, scopes, under
from vanguard.accounts.models import Role
from vanguard.lib.paths import path_ids
from vanguard.organization.access import member_branch_path

if TYPE_CHECKING:
    from vanguard.organization.models import Unit


# Secretaries publish notices to their own unit; committee admins to any unit they cover.
NOTICE_OWN_UNIT_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY})


def notice_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    own = [s.unit_id for s in scopes(user) if s.role in NOTICE_OWN_UNIT_ROLES]
    return Unit.objects.filter(
        under(paths(user, ADMIN_ROLES), "path") | Q(pk__in=own),
        is_active=True,
    ).exclude(kind=Unit.Kind.PARTY_GROUP)


def can_publish_notice(user: Any, unit: Unit) -> bool:
    if unit.kind == "party_group":
        return False
    if covers(paths(user, ADMIN_ROLES), unit.path):
        return True
    return any(s.unit_id == unit.pk for s in scopes(user) if s.role in NOTICE_OWN_UNIT_ROLES)


def visible_notices(user: Any) -> QuerySet[Any]:
    """Notices to the person's branch or any unit above it, or above any unit they hold a
    role over; officers and observers also see the notices inside their scope."""
    from vanguard.notices.models import Notice

    above: set[int] = set()
    member_path = member_branch_path(user)
    if member_path:
        above.update(path_ids(member_path))
    for scope in scopes(user):
        above.update(path_ids(scope.path))
    query = Q(unit_id__in=above) | under(paths(user, READ_ROLES), "unit__path")
    return Notice.objects.filter(query).select_related("unit", "published_by")


def get_notice_for_user(user: Any, pk: Any) -> Any:
    notice = visible_notices(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice
