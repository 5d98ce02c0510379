"""Who may see and do what in study: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import READ_ROLES, REVIEW_ROLES, covers, paths, under
from vanguard.accounts.models import Role
from vanguard.campaigns.access import can_keep_records, can_view_records
from vanguard.lib.paths import path_ids
from vanguard.organization.access import member_branch_path

if TYPE_CHECKING:
    from vanguard.organization.models import Member


def can_review_work(user: Any, member: Member) -> bool:
    return covers(paths(user, REVIEW_ROLES), member.branch.path)


def visible_study_works(user: Any) -> QuerySet[Any]:
    """A member's own work, and the work of members a reviewer or observer covers."""
    from vanguard.study.models import StudyWork

    query = under(paths(user, REVIEW_ROLES | {Role.OBSERVER}), "member__branch__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(member__user=user)
    return StudyWork.objects.filter(query).select_related("member", "member__branch", "campaign")


def get_study_work_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """`write` means the member editing their own work, allowed until it is reviewed."""
    work = visible_study_works(user).filter(pk=pk).first()
    if work is None:
        raise Http404
    if write and (work.member.user_id != user.pk or work.is_locked):
        raise PermissionDenied
    return work


def get_study_session_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """A study session or lecture: read by officers over its unit and by the members
    under it; `write` (attendance, the sign-in QR code) by those who keep its records."""
    from vanguard.study.models import StudySession

    session = StudySession.objects.filter(pk=pk).select_related("unit", "campaign").first()
    if session is None or not can_view_records(user, session.unit):
        raise Http404
    if write and not can_keep_records(user, session.unit):
        raise PermissionDenied
    return session


def visible_study_sessions(user: Any) -> QuerySet[Any]:
    """Study sessions and lectures whose records the person may read (the list form of
    `can_view_records`): officers and observers over the unit, and members of the unit
    or of a unit below it."""
    from vanguard.study.models import StudySession

    query = under(paths(user, READ_ROLES), "unit__path")
    member_path = member_branch_path(user)
    if member_path:
        query |= Q(unit_id__in=path_ids(member_path))
    return StudySession.objects.filter(query).select_related("unit", "campaign")
