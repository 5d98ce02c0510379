"""Who may see and do what in reviews: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Views and API functions fetch every document here, naming the capability they need
(`get_self_analysis_for_user(user, pk, need=can_branch_review)`); the services that
change a document then trust them and enforce only the three rounds' rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from vanguard.accounts.access import (
    ADMIN_ROLES,
    Person,
    covers,
    get_for_user,
    paths,
    scopes,
    under,
)
from vanguard.accounts.models import Role
from vanguard.campaigns import access as campaigns_access
from vanguard.organization.models import Unit
from vanguard.reviews.models import SelfAnalysis, SubmittedVersion

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

Capability = Callable[[Person, SelfAnalysis], bool]


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


def visible_self_analyses(user: Person) -> QuerySet[SelfAnalysis]:
    query = under(paths(user, SELF_ANALYSIS_READ_ROLES), "member__branch__path")
    if getattr(user, "is_authenticated", False):
        query |= Q(member__user=user)
    return SelfAnalysis.objects.filter(query).select_related("member", "member__branch", "campaign")


def _is_author(user: Person, document: SelfAnalysis) -> bool:
    return bool(document.member.user_id) and document.member.user_id == getattr(user, "pk", None)


def can_edit_self_analysis(user: Person, document: SelfAnalysis) -> bool:
    """Only the member writes (saves and submits) their own document."""
    return _is_author(user, document)


def can_branch_review(user: Person, document: SelfAnalysis) -> bool:
    return not _is_author(user, document) and covers(
        paths(user, BRANCH_REVIEW_ROLES), document.member.branch.path
    )


def can_committee_respond(user: Person, document: SelfAnalysis) -> bool:
    return not _is_author(user, document) and covers(
        paths(user, ADMIN_ROLES), document.member.branch.path
    )


def can_record_grade_fact(user: Person, document: SelfAnalysis) -> bool:
    """The grade facts of rounds 2 and 3: the branch's reviewers, or the committee."""
    return can_branch_review(user, document) or can_committee_respond(user, document)


# Why a capability is refused, said to the person (the API answers it in its 403).
REFUSALS: dict[Capability, StrPromise] = {
    can_edit_self_analysis: _("只有党员本人可以修改自己的材料。"),
    can_branch_review: _("只有该党员所在支部的书记或支委可以审阅这份材料。"),
    can_committee_respond: _("只有党委可以对这份材料给出意见。"),
    can_record_grade_fact: _("只有该党员所在支部的书记或支委可以登记评议与等级情况。"),
}


def get_self_analysis_for_user(
    user: Person, pk: object, *, need: Capability | None = None
) -> SelfAnalysis:
    """The document `pk`: 404 outside the person's sight, 403 (saying why, from
    `REFUSALS`) without the capability `need`."""
    try:
        return get_for_user(visible_self_analyses(user), user, pk, need=need)
    except PermissionDenied:
        reason = REFUSALS.get(need) if need is not None else None
        raise PermissionDenied(str(reason or "")) from None


def get_self_analyses_for_user(
    user: Person, pks: Iterable[int], *, need: Capability
) -> list[SelfAnalysis]:
    """The documents `pks`, in that order, for one action on them all (the committee's
    one answer to many): 404 if one is outside the person's sight, 403 (saying why) if
    they lack `need` on one. One query."""
    wanted = list(pks)
    found = {d.pk: d for d in visible_self_analyses(user).filter(pk__in=wanted)}
    documents = []
    for pk in wanted:
        document = found.get(pk)
        if document is None:
            raise Http404
        if not need(user, document):
            raise PermissionDenied(str(REFUSALS.get(need) or ""))
        documents.append(document)
    return documents


def get_version(document: SelfAnalysis, number: int) -> SubmittedVersion:
    """Version `number` of a document the person already sees: 404 when there is none."""
    version = document.versions.filter(number=number).select_related("submitted_by").first()
    if version is None:
        raise Http404
    return version


# --- The reviewers' pages: 403 for a person with nothing to review there -------------


def _some(units: QuerySet[Unit]) -> QuerySet[Unit]:
    if not units.exists():
        raise PermissionDenied
    return units


def branch_review_units(user: Person) -> QuerySet[Unit]:
    """Branches whose members' documents this person reviews (the review queue)."""
    return Unit.objects.filter(
        under(paths(user, BRANCH_REVIEW_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


def reviews_branches(user: Person) -> bool:
    """Whether `branch_review_units` holds a branch: without a query when a role is
    held over a branch itself (a branch's secretary), or over no unit at all."""
    held = [scope for scope in scopes(user) if scope.role in BRANCH_REVIEW_ROLES]
    if any(scope.kind == Unit.Kind.BRANCH for scope in held):
        return True
    return bool(held) and branch_review_units(user).exists()


def get_branch_review_units_for_user(user: Person) -> QuerySet[Unit]:
    """The review queue's branches; 403 for a person who reviews no branch."""
    return _some(branch_review_units(user))


def committee_review_units(user: Person) -> QuerySet[Unit]:
    """Units under which this person gives the committee's guidance, opinion and approval."""
    return Unit.objects.filter(under(paths(user, ADMIN_ROLES), "path"), is_active=True)


def get_committee_review_units_for_user(user: Person) -> QuerySet[Unit]:
    """The committee list's units; 403 for a person who is no committee admin."""
    return _some(committee_review_units(user))


def get_progress_units_for_user(user: Person) -> QuerySet[Unit]:
    """Units whose review progress this person follows; 403 for a person who follows none."""
    return _some(campaigns_access.progress_units(user))
