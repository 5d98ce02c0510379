"""Who may see and do what in ballots: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

The secretary's pages fetch each session here, naming the capability they need
(`get_appraisal_session_for_user(user, pk, need=can_run_session)`); the services then
keep only the ballot's own rules. The public card page is not a person's page: it
finds its session by id alone (`card_page_session`) and never reads the user."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from vanguard.accounts.access import (
    ACTIVITY_ROLES,
    ADMIN_ROLES,
    Person,
    covers,
    get_for_user,
    paths,
    under,
)
from vanguard.ballots.models import AppraisalSession, PaperTally
from vanguard.organization.access import member_of
from vanguard.organization.models import Member, Unit

Capability = Callable[[Person, AppraisalSession], bool]


def can_run_appraisal(user: Person, unit: Unit) -> bool:
    """May create, open and close the unit's appraisal vote, tick the roll, print cards
    and read the tally: the officers who keep the unit's records (ACTIVITY_ROLES)."""
    return covers(paths(user, ACTIVITY_ROLES), unit.path)


def can_allow_login_voting(user: Person, unit: Unit) -> bool:
    """Only the committee may allow logged-in voting (it weakens secrecy during the vote)."""
    return covers(paths(user, ADMIN_ROLES), unit.path)


def appraisal_units(user: Person) -> QuerySet[Unit]:
    """Branches and party groups whose appraisal vote this person may run."""
    return Unit.objects.filter(
        under(paths(user, ACTIVITY_ROLES), "path"),
        kind__in=[Unit.Kind.BRANCH, Unit.Kind.PARTY_GROUP],
        is_active=True,
    )


def get_appraisal_units_for_user(user: Person) -> QuerySet[Unit]:
    """The units a new vote may be created in; 403 for a person who runs no vote."""
    units = appraisal_units(user)
    if not units.exists():
        raise PermissionDenied
    return units


def visible_appraisal_sessions(user: Person) -> QuerySet[AppraisalSession]:
    """Sessions this person runs, and those whose roll they are on (to vote by logging
    in, or to check their receipt after the close)."""
    query = under(paths(user, ACTIVITY_ROLES), "unit__path")
    member = member_of(user)
    if member is not None:
        query |= Q(roll__member=member)
    return AppraisalSession.objects.filter(query).distinct().select_related("unit", "campaign")


def can_run_session(user: Person, session: AppraisalSession) -> bool:
    """Runs this vote (`can_run_appraisal` over its unit)."""
    return can_run_appraisal(user, session.unit)


def can_allow_login_voting_in(user: Person, session: AppraisalSession) -> bool:
    return can_allow_login_voting(user, session.unit)


def can_enter_paper_totals(user: Person, session: AppraisalSession) -> bool:
    """May type in the paper ballots' totals after the close: whoever runs the vote."""
    return can_run_appraisal(user, session.unit)


def can_confirm_paper_totals(user: Person, session: AppraisalSession) -> bool:
    """The second pair of eyes on the paper totals: a committee admin over the unit who
    did not enter them (two-person rule)."""
    if not covers(paths(user, ADMIN_ROLES), session.unit.path):
        return False
    return not PaperTally.objects.filter(session_id=session.pk, entered_by_id=user.pk).exists()


def get_appraisal_session_for_user(
    user: Person, pk: object, *, need: Capability | None = None
) -> AppraisalSession:
    """The session `pk`: 404 outside the person's sight, 403 without the capability
    `need` (`can_run_session` for the secretary's pages)."""
    return get_for_user(visible_appraisal_sessions(user), user, pk, need=need)


def get_roll_member(user: Person, session: AppraisalSession, pk: object) -> Member:
    """Member `pk` as a line of the session's roll (the door's tick): 404 when the
    member is not on it (before the vote opens the roll is empty)."""
    return get_for_user(Member.objects.filter(appraisal_roll_entries__session=session), user, pk)


def card_page_session(pk: int) -> AppraisalSession | None:
    """The session the public card page names, found by id alone, or None. Whether it
    is open is the page's question: it answers every refusal alike, with status 200."""
    return AppraisalSession.objects.select_related("unit").filter(pk=pk).first()
