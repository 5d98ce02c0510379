"""Who may see and do what in reviews: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import ADMIN_ROLES, covers, paths, under
from vanguard.accounts.models import Role

if TYPE_CHECKING:
    from vanguard.organization.models import Unit


# The branch secretary and branch committee review their members' documents; the
# committee gives guidance, opinion and approval; general-branch secretaries,
# supervisors and observers read their scope. Nobody reviews their own document.
BRANCH_REVIEW_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE})


SELF_ANALYSIS_READ_ROLES = frozenset(
    {
        Role.COMMITTEE_ADMIN,
        Role.GENERAL_BRANCH_SECRETARY,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_COMMITTEE,
        Role.SUPERVISOR,
        Role.OBSERVER,
    }
)


def visible_self_analyses(user: Any) -> QuerySet[Any]:
    from vanguard.reviews.models import SelfAnalysis

    query = under(paths(user, SELF_ANALYSIS_READ_ROLES), "member__branch__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(member__user=user)
    return SelfAnalysis.objects.filter(query).select_related("member", "member__branch", "campaign")


def _is_author(user: Any, document: Any) -> bool:
    return bool(document.member.user_id) and document.member.user_id == getattr(user, "pk", None)


def can_edit_self_analysis(user: Any, document: Any) -> bool:
    """Only the member writes their own document."""
    return _is_author(user, document)


def can_branch_review(user: Any, document: Any) -> bool:
    return not _is_author(user, document) and covers(
        paths(user, BRANCH_REVIEW_ROLES), document.member.branch.path
    )


def can_committee_respond(user: Any, document: Any) -> bool:
    return not _is_author(user, document) and covers(
        paths(user, ADMIN_ROLES), document.member.branch.path
    )


def get_self_analysis_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    """`write` means the author editing or submitting their own document."""
    document = visible_self_analyses(user).filter(pk=pk).first()
    if document is None:
        raise Http404
    if write and not can_edit_self_analysis(user, document):
        raise PermissionDenied
    return document


def branch_review_units(user: Any) -> QuerySet[Unit]:
    """Branches whose members' documents this person reviews (the review queue)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        under(paths(user, BRANCH_REVIEW_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


def committee_review_units(user: Any) -> QuerySet[Unit]:
    """Units under which this person gives the committee's guidance, opinion and approval."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(under(paths(user, ADMIN_ROLES), "path"), is_active=True)
