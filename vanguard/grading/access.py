"""Who may see and do what in grading: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Pages fetch the branch, the proposal's case or the member's registration form here,
naming the capability they need (`get_grading_branch_for_user(user, pk,
need=can_decide_grades)`); the services then trust them and keep grading's own
rules (the cap on excellent, the order of the steps)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from vanguard.accounts.access import ADMIN_ROLES, Person, covers, get_for_user, paths, scopes, under
from vanguard.accounts.models import Role
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.grading.models import GradeProposal, UnqualifiedCase
from vanguard.organization.access import member_of
from vanguard.organization.models import Member, Unit
from vanguard.reviews.access import BRANCH_REVIEW_ROLES, SELF_ANALYSIS_READ_ROLES

BranchCapability = Callable[[Person, Unit], bool]


# The branch secretary and branch committee propose; the committee approves or returns;
# the level above the branch (its general branch, or the committee) pre-reviews a
# proposal of unqualified; supervisors, observers and general-branch secretaries read.
# A member sees only their own grade, and only once the committee has approved it.
GRADING_PROPOSE_ROLES = BRANCH_REVIEW_ROLES


GRADING_PREREVIEW_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY, Role.COMMITTEE_ADMIN})


GRADING_READ_ROLES = SELF_ANALYSIS_READ_ROLES


def can_view_grading(user: Person, branch: Unit) -> bool:
    return covers(paths(user, GRADING_READ_ROLES), branch.path)


def can_propose_grades(user: Person, branch: Unit) -> bool:
    return covers(paths(user, GRADING_PROPOSE_ROLES), branch.path)


def can_decide_grades(user: Person, branch: Unit) -> bool:
    return covers(paths(user, ADMIN_ROLES), branch.path)


def can_view_registration_form(user: Person, member: Member) -> bool:
    """A member's appraisal registration form (党员评议登记表): the member themself, and
    those who read the member's branch grading. (What the member themself sees of their
    grade before the committee's approval is decided by the form's selector.)"""
    if member.user_id is not None and member.user_id == getattr(user, "pk", None):
        return True
    return can_view_grading(user, member.branch)


def can_prereview_unqualified(user: Person, branch: Unit) -> bool:
    """The level above the branch: a general-branch secretary over it, or the committee
    (a branch's own officers cannot pre-review their own proposal)."""
    return any(
        scope.role in GRADING_PREREVIEW_ROLES
        and branch.path.startswith(scope.path)
        and scope.path != branch.path
        for scope in scopes(user)
    )


# Who records each step of the handling of a member proposed unqualified (the
# committee's approval comes with its decision on the branch's grades).
STEP_RECORDERS: dict[str, BranchCapability] = {
    "talk": can_propose_grades,
    "prereview": can_prereview_unqualified,
    "vote": can_propose_grades,
    "outcome": can_decide_grades,
}


def can_record_step(user: Person, case: UnqualifiedCase, step: str) -> bool:
    allowed = STEP_RECORDERS.get(step)
    return allowed is not None and allowed(user, case.proposal.grading.branch)


def grading_branches(user: Person) -> QuerySet[Unit]:
    """Branches whose grading this person reads (and, by role, proposes or decides)."""
    return Unit.objects.filter(
        under(paths(user, GRADING_READ_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


def get_grading_branch_for_user(
    user: Person, pk: object, *, need: BranchCapability | None = None
) -> Unit:
    """A branch whose grading page this person may open: 404 otherwise, 403 without the
    capability `need` (`can_propose_grades`, `can_decide_grades`)."""
    return get_for_user(grading_branches(user), user, pk, need=need)


def get_campaign_for_branch(user: Person, pk: object, branch: Unit) -> Campaign:
    """A campaign this person sees that runs over `branch`: 404 otherwise."""
    return get_for_user(
        campaigns_access.visible_campaigns(user),
        user,
        pk,
        see=lambda _user, campaign: branch.path.startswith(campaign.unit.path),
    )


def get_grade_proposal_for_user(user: Person, pk: object) -> GradeProposal:
    return get_for_user(
        GradeProposal.objects.select_related(
            "grading", "grading__branch", "grading__campaign", "member"
        ).filter(grading__branch__in=grading_branches(user)),
        user,
        pk,
    )


def get_unqualified_case_for_user(user: Person, pk: object, *, step: str = "") -> UnqualifiedCase:
    """The handling case of proposal `pk`: 404 unless the person reads the branch's
    grading and the proposal has a case. With `step`: 404 for a step nobody records
    here, 403 unless this person records it."""
    proposal = get_grade_proposal_for_user(user, pk)
    if step and step not in STEP_RECORDERS:
        raise Http404
    case = UnqualifiedCase.objects.filter(proposal=proposal).first()
    if case is None:
        raise Http404
    case.proposal = proposal
    if step and not can_record_step(user, case, step):
        raise PermissionDenied
    return case


def get_registration_member_for_user(user: Person, pk: object) -> Member:
    """A member whose registration form this person may read: 404 otherwise."""
    return get_for_user(
        Member.objects.select_related("branch"), user, pk, see=can_view_registration_form
    )


def get_own_member(user: Person) -> Member:
    """The person's own member record: 404 for a login without one (it has no grades)."""
    member = member_of(user)
    if member is None:
        raise Http404
    return member
