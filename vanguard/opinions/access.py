"""Who may see and do what in opinions: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import ACTIVITY_ROLES, covers, paths, under
from vanguard.accounts.models import Role
from vanguard.campaigns.access import record_units
from vanguard.lib.paths import path_ids
from vanguard.organization.access import member_of
from vanguard.study.access import can_review_work

if TYPE_CHECKING:
    from vanguard.organization.models import Member, Unit


# Those who keep a unit's records also gather and sort its opinions, and may see
# where an opinion came from (to answer an e-mail, to follow up a talk) unless they
# could be its subject (see `sources_shown_filter` below). Supervisors
# and observers read opinions without their sources. Nobody — whatever their roles —
# sees an opinion about themself in the sorting pages: they read it on their own
# feedback sheet, where no source is ever shown.
OPINION_READ_ROLES = frozenset({Role.SUPERVISOR, Role.OBSERVER})


def _not_about_self(user: Any) -> Q:
    member = member_of(user)
    return ~Q(subject_member=member) if member is not None else Q()


def visible_opinions(user: Any) -> QuerySet[Any]:
    from vanguard.opinions.models import Opinion

    query = under(paths(user, ACTIVITY_ROLES | OPINION_READ_ROLES), "branch__path")
    return (
        Opinion.objects.filter(query)
        .filter(_not_about_self(user))
        .select_related("branch", "subject_member", "subject_unit", "aspect", "campaign")
    )


def can_sort_opinions(user: Any, unit: Unit) -> bool:
    """May enter, sort, merge and set aside opinions gathered in this unit."""
    return covers(paths(user, ACTIVITY_ROLES), unit.path)


def _could_concern(member: Member) -> Q:
    """Opinions that are, or may turn out to be, about this member."""
    above = path_ids(member.branch.path)
    return Q(subject_member=member) | Q(branch_id__in=above) | Q(subject_unit_id__in=above)


def sources_shown_filter(user: Any) -> Q:
    """The opinions whose sources this person may see, as a query condition."""
    from django.db.models import Exists, OuterRef

    from vanguard.opinions.models import Opinion

    query = under(paths(user, ACTIVITY_ROLES), "branch__path")
    member = member_of(user)
    if member is None:
        return query
    concern = _could_concern(member)
    sharing_a_source = Opinion.objects.filter(concern).filter(
        Q(record_id=OuterRef("record_id")) | Q(email_id=OuterRef("email_id"))
    )
    return Q(query, ~concern, ~Exists(sharing_a_source))


def with_sources_shown(opinions: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The opinions annotated with `sources_shown` for this person (one query for a list)."""
    from django.db.models import BooleanField, Case, Value, When

    return opinions.annotate(
        sources_shown=Case(
            When(sources_shown_filter(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def can_see_opinion_sources(user: Any, opinion: Any) -> bool:
    shown = getattr(opinion, "sources_shown", None)
    if shown is not None:
        return bool(shown)
    if not can_sort_opinions(user, opinion.branch):
        return False
    from vanguard.opinions.models import Opinion

    return Opinion.objects.filter(pk=opinion.pk).filter(sources_shown_filter(user)).exists()


def can_see_sources_in(user: Any, unit: Unit) -> bool:
    """May see who gave the opinions gathered in this unit (a survey's respondents,
    a record's participants) — the unit-wide part of the rule above."""
    if not can_sort_opinions(user, unit):
        return False
    member = member_of(user)
    return member is None or not member.branch.path.startswith(unit.path)


def can_see_record_sources(user: Any, record: Any) -> bool:
    """May see who took part in a talk or symposium, and its notes."""
    from vanguard.opinions.models import Opinion

    if not can_see_sources_in(user, record.branch):
        return False
    member = member_of(user)
    if member is None:
        return True
    return not Opinion.objects.filter(record=record).filter(_could_concern(member)).exists()


def opinion_units(user: Any) -> QuerySet[Unit]:
    """Units whose opinions this person gathers and sorts."""
    return record_units(user)


def get_opinion_for_user(user: Any, pk: Any, *, write: bool = False) -> Any:
    opinion = visible_opinions(user).filter(pk=pk).first()
    if opinion is None:
        raise Http404
    if write and not can_sort_opinions(user, opinion.branch):
        raise PermissionDenied
    return opinion


def can_view_feedback_sheet(user: Any, member: Member) -> bool:
    """A member's feedback sheet (反馈表: the opinions about them, with no source): the
    member themself, and those who review the member's work or sort the opinions of
    the member's branch."""
    if member.user_id is not None and member.user_id == getattr(user, "pk", None):
        return True
    return can_review_work(user, member) or can_sort_opinions(user, member.branch)


def reads_opinions(user: Any) -> bool:
    """Holds a role that reads gathered opinions somewhere (the sorting list and the
    opinion dashboard): those who sort them, and supervisors and observers."""
    return bool(paths(user, ACTIVITY_ROLES | OPINION_READ_ROLES))


# Their settings hold a password: only the committee and the secretaries keep them.
MAILBOX_ROLES = frozenset(
    {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY}
)


def can_manage_mailbox(user: Any, unit: Unit) -> bool:
    """May set up, change and poll the opinion mailboxes of this unit."""
    return covers(paths(user, MAILBOX_ROLES), unit.path)


def mailbox_units(user: Any) -> QuerySet[Unit]:
    from vanguard.organization.models import Unit

    return Unit.objects.filter(under(paths(user, MAILBOX_ROLES), "path"), is_active=True)


def visible_mailboxes(user: Any) -> QuerySet[Any]:
    from vanguard.opinions.models import Mailbox

    return Mailbox.objects.filter(under(paths(user, MAILBOX_ROLES), "branch__path")).select_related(
        "campaign", "branch"
    )


def get_mailbox_for_user(user: Any, pk: Any) -> Any:
    mailbox = visible_mailboxes(user).filter(pk=pk).first()
    if mailbox is None:
        raise Http404
    return mailbox
