"""Who may see and do what in ballots: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import ACTIVITY_ROLES, ADMIN_ROLES, covers, paths, under
from vanguard.organization.access import member_of

if TYPE_CHECKING:
    from vanguard.organization.models import Unit


def can_run_appraisal(user: Any, unit: Unit) -> bool:
    """May create, open and close the unit's appraisal vote, tick the roll, print cards
    and read the tally: the officers who keep the unit's records (ACTIVITY_ROLES)."""
    return covers(paths(user, ACTIVITY_ROLES), unit.path)


def can_allow_login_voting(user: Any, unit: Unit) -> bool:
    """Only the committee may allow logged-in voting (it weakens secrecy during the vote)."""
    return covers(paths(user, ADMIN_ROLES), unit.path)


def appraisal_units(user: Any) -> QuerySet[Unit]:
    """Branches and party groups whose appraisal vote this person may run."""
    from vanguard.organization.models import Unit

    return Unit.objects.filter(
        under(paths(user, ACTIVITY_ROLES), "path"),
        kind__in=[Unit.Kind.BRANCH, Unit.Kind.PARTY_GROUP],
        is_active=True,
    )


def visible_appraisal_sessions(user: Any) -> QuerySet[Any]:
    """Sessions this person runs, and those whose roll they are on (to vote by logging
    in, or to check their receipt after the close)."""
    from vanguard.ballots.models import AppraisalSession

    query = under(paths(user, ACTIVITY_ROLES), "unit__path")
    member = member_of(user)
    if member is not None:
        query |= Q(roll__member=member)
    return AppraisalSession.objects.filter(query).distinct().select_related("unit", "campaign")


def get_appraisal_session_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    session = visible_appraisal_sessions(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    if write and not can_run_appraisal(user, session.unit):
        raise PermissionDenied
    return session


def can_enter_paper_totals(user: Any, session: Any) -> bool:
    """May type in the paper ballots' totals after the close: whoever runs the vote."""
    return can_run_appraisal(user, session.unit)


def can_confirm_paper_totals(user: Any, session: Any) -> bool:
    """The second pair of eyes on the paper totals: a committee admin over the unit who
    did not enter them (two-person rule)."""
    if not covers(paths(user, ADMIN_ROLES), session.unit.path):
        return False
    from vanguard.ballots.models import PaperTally

    return not PaperTally.objects.filter(session_id=session.pk, entered_by_id=user.pk).exists()
