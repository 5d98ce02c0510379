"""Who may see and do what in notices: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Entry points fetch every notice, notification and calendar feed here: a 404 outside
the person's sight, a 403 in sight without the capability."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import (
    ADMIN_ROLES,
    READ_ROLES,
    Person,
    covers,
    get_for_user,
    paths,
    scopes,
    under,
)
from vanguard.accounts.models import Role, User
from vanguard.lib.paths import path_ids
from vanguard.notices.models import CalendarFeed, ChatRobot, Notice, Notification
from vanguard.organization.access import member_branch_path
from vanguard.organization.models import Unit

# Secretaries publish notices to their own unit; committee admins to any unit they cover.
NOTICE_OWN_UNIT_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY})


def notice_units(user: Person) -> QuerySet[Unit]:
    own = [s.unit_id for s in scopes(user) if s.role in NOTICE_OWN_UNIT_ROLES]
    return Unit.objects.filter(
        under(paths(user, ADMIN_ROLES), "path") | Q(pk__in=own),
        is_active=True,
    ).exclude(kind=Unit.Kind.PARTY_GROUP)


def get_notice_units_for_user(user: Person) -> QuerySet[Unit]:
    """The publishing page's choice of units: a 403 for a person who may publish to none."""
    units = notice_units(user)
    if not units.exists():
        raise PermissionDenied
    return units


def can_publish_notice(user: Person, unit: Unit) -> bool:
    if unit.kind == "party_group":
        return False
    if covers(paths(user, ADMIN_ROLES), unit.path):
        return True
    return any(s.unit_id == unit.pk for s in scopes(user) if s.role in NOTICE_OWN_UNIT_ROLES)


def visible_notices(user: Person) -> QuerySet[Notice]:
    """Notices to the person's branch or any unit above it, or above any unit they hold a
    role over; officers and observers also see the notices inside their scope."""
    above: set[int] = set()
    member_path = member_branch_path(user)
    if member_path:
        above.update(path_ids(member_path))
    for scope in scopes(user):
        above.update(path_ids(scope.path))
    query = Q(unit_id__in=above) | under(paths(user, READ_ROLES), "unit__path")
    return Notice.objects.filter(query).select_related("unit", "published_by")


def get_notice_for_user(user: Person, pk: object) -> Notice:
    return get_for_user(visible_notices(user), user, pk)


def get_notification_for_user(user: Person, pk: object) -> Notification:
    """One of the person's own notifications; anyone else's is a 404, like one that does
    not exist."""
    if not isinstance(user, User):
        raise Http404
    return get_for_user(Notification.objects.filter(user=user), user, pk)


def get_calendar_feed_for_token(token: str) -> CalendarFeed:
    """The calendar feed whose secret token this is (no login: calendar apps cannot log
    in, so the token is the key), if its owner's login is active; else a 404."""
    feed = (
        CalendarFeed.objects.filter(token=token, user__is_active=True)
        .select_related("user")
        .first()
    )
    if feed is None:
        raise Http404
    return feed


# --- Group-chat robots (群机器人) ---------------------------------------------------
# A unit's robots relay its notices: those who may publish a notice to a unit (its
# secretary; a committee admin for every unit they cover) manage its robots.


def chat_robot_units(user: Person) -> QuerySet[Unit]:
    return notice_units(user)


def get_chat_robot_units_for_user(user: Person) -> QuerySet[Unit]:
    """The robots page's units: a 403 for a person who manages none."""
    return get_notice_units_for_user(user)


def can_manage_chat_robots(user: Person, unit: Unit) -> bool:
    return can_publish_notice(user, unit)


def visible_chat_robots(user: Person) -> QuerySet[ChatRobot]:
    return ChatRobot.objects.filter(unit__in=chat_robot_units(user)).select_related("unit")


def get_chat_robot_for_user(user: Person, pk: object) -> ChatRobot:
    """A robot of a unit the person manages; any other is a 404."""
    return get_for_user(visible_chat_robots(user), user, pk)
