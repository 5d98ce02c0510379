"""Who may see and do what in grading: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from vanguard.accounts.access import ADMIN_ROLES, covers, paths, scopes, under
from vanguard.accounts.models import Role
from vanguard.reviews.access import BRANCH_REVIEW_ROLES, SELF_ANALYSIS_READ_ROLES

if TYPE_CHECKING:
    from vanguard.organization.models import Member, Unit


# The branch secretary and branch committee propose; the committee approves or returns;
# the level above the branch (its general branch, or the committee) pre-reviews a
# proposal of unqualified; supervisors, observers and general-branch secretaries read.
# A member sees only their own grade, and only once the committee has approved it.
GRADING_PROPOSE_ROLES = BRANCH_REVIEW_ROLES


GRADING_PREREVIEW_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY, Role.COMMITTEE_ADMIN})


GRADING_READ_ROLES = SELF_ANALYSIS_READ_ROLES


def can_view_grading(user: Any, branch: Unit) -> bool:
    return covers(paths(user, GRADING_READ_ROLES), branch.path)


def can_propose_grades(user: Any, branch: Unit) -> bool:
    return covers(paths(user, GRADING_PROPOSE_ROLES), branch.path)


def can_decide_grades(user: Any, branch: Unit) -> bool:
    return covers(paths(user, ADMIN_ROLES), branch.path)


def can_view_registration_form(user: Any, member: Member) -> bool:
    """A member's appraisal registration form (党员评议登记表): the member themself, and
    those who read the member's branch grading. (What the member themself sees of their
    grade before the committee's approval is decided by the form's selector.)"""
    if member.user_id is not None and member.user_id == getattr(user, "pk", None):
        return True
    return can_view_grading(user, member.branch)


def can_prereview_unqualified(user: Any, branch: Unit) -> bool:
    """The level above the branch: a general-branch secretary over it, or the committee
    (a branch's own officers cannot pre-review their own proposal)."""
    return any(
        scope.role in GRADING_PREREVIEW_ROLES
        and branch.path.startswith(scope.path)
        and scope.path != branch.path
        for scope in scopes(user)
    )


def grading_branches(user: Any) -> QuerySet[Unit]:
    """Branches whose grading this person reads (and, by role, proposes or decides)."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        under(paths(user, GRADING_READ_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


def get_grading_branch_for_user(user: Any, pk: Any, *, write: bool = False) -> Unit:
    """A branch whose grading page this person may open; `write` means proposing."""
    branch = grading_branches(user).filter(pk=pk).first()
    if branch is None:
        raise Http404
    if write and not can_propose_grades(user, branch):
        raise PermissionDenied
    return branch


def get_grade_proposal_for_user(user: Any, pk: Any) -> Any:
    from vanguard.grading.models import GradeProposal

    proposal = (
        GradeProposal.objects.select_related(
            "grading", "grading__branch", "grading__campaign", "member"
        )
        .filter(pk=pk, grading__branch__in=grading_branches(user))
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal
