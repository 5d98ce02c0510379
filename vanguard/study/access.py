"""Who may see and do what in study: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Entry points fetch every study work, session and branch here: `get_*_for_user(user,
pk, need=...)` is a 404 outside the person's sight and a 403 in sight without the
capability `need`."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import (
    ACTIVITY_ROLES,
    READ_ROLES,
    REVIEW_ROLES,
    Person,
    covers,
    get_for_user,
    paths,
    scopes,
    under,
)
from vanguard.accounts.models import Role
from vanguard.campaigns.access import (
    can_keep_records,
    can_view_records,
    get_records_unit_for_user,
    record_units,
)
from vanguard.lib.paths import path_ids
from vanguard.organization.access import member_branch_path, member_of
from vanguard.organization.models import Member, Unit
from vanguard.study.models import StudySession, StudyWork


def can_review_work(user: Person, member: Member) -> bool:
    return covers(paths(user, REVIEW_ROLES), member.branch.path)


def can_review_study_work(user: Person, work: StudyWork) -> bool:
    """May mark this work as reviewed (已阅): a reviewer over its author's branch."""
    return can_review_work(user, work.member)


def is_own_work(user: Person, work: StudyWork) -> bool:
    return work.member.user_id is not None and work.member.user_id == user.pk


def entered_it_on_behalf(user: Person, work: StudyWork) -> bool:
    """The officer who entered this work for the member (代录), while they still keep
    the records of the member's branch."""
    return (
        work.entered_by_id is not None
        and work.entered_by_id == user.pk
        and can_keep_records(user, work.member.branch)
    )


def may_write_work(user: Person, work: StudyWork) -> bool:
    """The member, or the officer who entered it on their behalf (to correct a typing
    slip); whether it is still open to changes (not yet reviewed) is `can_edit_work`."""
    return is_own_work(user, work) or entered_it_on_behalf(user, work)


def can_edit_work(user: Person, work: StudyWork) -> bool:
    """`may_write_work`, until a reviewer has looked at the work."""
    return may_write_work(user, work) and not work.is_locked


def proxy_role(user: Person, member: Member) -> str | None:
    """The role in which this person may enter study work on the member's behalf (代录):
    the one nearest the member's branch among the roles that keep the branch's records
    (a branch secretary before the general-branch secretary); None if they keep none,
    and for the member themselves, who enters their own work."""
    if member.user_id is not None and member.user_id == user.pk:
        return None
    if not member.is_active:
        return None
    keeping = [
        scope
        for scope in scopes(user)
        if scope.role in ACTIVITY_ROLES and member.branch.path.startswith(scope.path)
    ]
    if not keeping:
        return None
    return max(keeping, key=lambda scope: len(scope.path)).role


def can_enter_work_for(user: Person, member: Member) -> bool:
    return proxy_role(user, member) is not None


def proxy_members(user: Person) -> QuerySet[Member]:
    """The active members this person may enter study work for, in roster order."""
    members = Member.objects.filter(
        under(paths(user, ACTIVITY_ROLES), "branch__path"), is_active=True
    )
    own_pk = getattr(user, "pk", None)
    if own_pk is not None:
        members = members.exclude(user_id=own_pk)
    return members.select_related("branch").order_by("branch__path", "number")


def get_proxy_members_for_user(user: Person) -> QuerySet[Member]:
    """`proxy_members`, for the page that enters work on a member's behalf: a 403 for
    a person who keeps no branch's records."""
    if not paths(user, ACTIVITY_ROLES):
        raise PermissionDenied
    return proxy_members(user)


def visible_study_works(user: Person) -> QuerySet[StudyWork]:
    """A member's own work, and the work of members a reviewer or observer covers."""
    query = under(paths(user, REVIEW_ROLES | {Role.OBSERVER}), "member__branch__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(member__user=user)
    return StudyWork.objects.filter(query).select_related(
        "member", "member__branch", "campaign", "entered_by"
    )


def get_study_work_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, StudyWork], bool] | None = None,
) -> StudyWork:
    """A study work this person sees. `write=True` is `need=can_edit_work`."""
    if write and need is None:
        need = can_edit_work
    return get_for_user(visible_study_works(user), user, pk, need=need)


def get_work_attachment_for_user(user: Person, pk: object) -> StudyWork:
    """A study work this person sees, for its uploaded file: a 404 if it has none."""
    work = get_study_work_for_user(user, pk)
    if not work.attachment:
        raise Http404
    return work


def get_author_for_user(user: Person, *, active_only: bool = False) -> Member:
    """The member record of a person submitting their own study work: a 403 for a login
    without one (an officer who is not a member). With `active_only` (the API), also for
    a member who has left the roster."""
    member = member_of(user)
    if member is None or (active_only and not member.is_active):
        raise PermissionDenied
    return member


def can_keep_session(user: Person, session: StudySession) -> bool:
    """May mark attendance and show the sign-in QR code: those who keep its unit's records."""
    return can_keep_records(user, session.unit)


def get_study_session_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, StudySession], bool] | None = None,
) -> StudySession:
    """A study session or lecture: read by officers over its unit and by the members
    under it; `write=True` (`need=can_keep_session`: attendance, the sign-in QR code)
    by those who keep its records."""
    if write and need is None:
        need = can_keep_session
    return get_for_user(
        StudySession.objects.select_related("unit", "campaign"),
        user,
        pk,
        see=lambda person, session: can_view_records(person, session.unit),
        need=need,
    )


def visible_study_sessions(user: Person) -> QuerySet[StudySession]:
    """Study sessions and lectures whose records the person may read (the list form of
    `can_view_records`): officers and observers over the unit, and members of the unit
    or of a unit below it."""
    query = under(paths(user, READ_ROLES), "unit__path")
    member_path = member_branch_path(user)
    if member_path:
        query |= Q(unit_id__in=path_ids(member_path))
    return StudySession.objects.filter(query).select_related("unit", "campaign")


def get_plan_branch_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Unit], bool] | None = None
) -> Unit:
    """A branch whose study plan this person reads; `need=can_keep_records` to write it."""
    return get_records_unit_for_user(user, pk, kind=Unit.Kind.BRANCH, need=need)


def get_session_units_for_user(user: Person) -> QuerySet[Unit]:
    """The units a person may hold a study session or lecture in (a party group holds
    none): a 403 for a person who keeps no unit's records."""
    units = record_units(user).exclude(kind=Unit.Kind.PARTY_GROUP)
    if not units.exists():
        raise PermissionDenied
    return units
