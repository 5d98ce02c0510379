"""Who may see and do what in opinions: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Entry points (pages, API, commands, admin) fetch every opinion, record, survey,
mailbox, attachment, unit and feedback sheet here: a `get_*` is a 404 outside the
person's sight and a 403 in sight without the capability (`need`, where callers
differ in what they need). Services trust their caller and check only the data.

Two sights of a unit are used, as the pages have always answered: the intake pages
(box poster, surveys, records) see a unit as the organisation pages do
(`organization.access.can_view_unit`: officers over it and its own members), so a
member of the branch is refused (403); sorting (the round page and the API) sees
the units whose progress a person follows (`campaigns.access.can_view_progress`),
so a member is told nothing (404).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from vanguard.accounts.access import ACTIVITY_ROLES, Person, covers, get_for_user, paths, under
from vanguard.accounts.models import Role
from vanguard.campaigns.access import (
    can_view_progress,
    get_campaign_for_user,
    record_units,
    visible_campaigns,
)
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.lib.paths import path_ids
from vanguard.opinions.models import EmailAttachment, Mailbox, Opinion, OpinionRecord, Survey
from vanguard.organization.access import can_view_unit, member_of
from vanguard.organization.models import Member, Unit
from vanguard.study.access import can_review_work

# Those who keep a unit's records also gather and sort its opinions, and may see
# where an opinion came from (to answer an e-mail, to follow up a talk) unless they
# could be its subject (see `sources_shown_filter` below). Supervisors
# and observers read opinions without their sources. Nobody — whatever their roles —
# sees an opinion about themself in the sorting pages: they read it on their own
# feedback sheet, where no source is ever shown.
OPINION_READ_ROLES = frozenset({Role.SUPERVISOR, Role.OBSERVER})


def _not_about_self(user: Person) -> Q:
    member = member_of(user)
    return ~Q(subject_member=member) if member is not None else Q()


def visible_opinions(user: Person) -> QuerySet[Opinion]:
    query = under(paths(user, ACTIVITY_ROLES | OPINION_READ_ROLES), "branch__path")
    return (
        Opinion.objects.filter(query)
        .filter(_not_about_self(user))
        .select_related("branch", "subject_member", "subject_unit", "aspect", "campaign")
    )


def can_sort_opinions(user: Person, unit: Unit) -> bool:
    """May enter, sort, merge and set aside opinions gathered in this unit."""
    return covers(paths(user, ACTIVITY_ROLES), unit.path)


def can_sort_opinion(user: Person, opinion: Opinion) -> bool:
    """May sort, merge or set aside this opinion: one who sorts the opinions of the
    unit that gathered it."""
    return can_sort_opinions(user, opinion.branch)


def _could_concern(member: Member) -> Q:
    """Opinions that are, or may turn out to be, about this member."""
    above = path_ids(member.branch.path)
    return Q(subject_member=member) | Q(branch_id__in=above) | Q(subject_unit_id__in=above)


def sources_shown_filter(user: Person) -> Q:
    """The opinions whose sources this person may see, as a query condition."""
    query = under(paths(user, ACTIVITY_ROLES), "branch__path")
    member = member_of(user)
    if member is None:
        return query
    concern = _could_concern(member)
    sharing_a_source = Opinion.objects.filter(concern).filter(
        Q(record_id=OuterRef("record_id")) | Q(email_id=OuterRef("email_id"))
    )
    return Q(query, ~concern, ~Exists(sharing_a_source))


def with_sources_shown(opinions: QuerySet[Opinion], user: Person) -> QuerySet[Opinion]:
    """The opinions annotated with `sources_shown` for this person (one query for a list)."""
    return opinions.annotate(
        sources_shown=Case(
            When(sources_shown_filter(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def can_see_opinion_sources(user: Person, opinion: Opinion) -> bool:
    shown = getattr(opinion, "sources_shown", None)
    if shown is not None:
        return bool(shown)
    if not can_sort_opinions(user, opinion.branch):
        return False
    return Opinion.objects.filter(pk=opinion.pk).filter(sources_shown_filter(user)).exists()


def can_see_sources_in(user: Person, unit: Unit) -> bool:
    """May see who gave the opinions gathered in this unit (a survey's respondents,
    a record's participants) — the unit-wide part of the rule above."""
    if not can_sort_opinions(user, unit):
        return False
    member = member_of(user)
    return member is None or not member.branch.path.startswith(unit.path)


def can_see_record_sources(user: Person, record: OpinionRecord) -> bool:
    """May see who took part in a talk or symposium, and its notes."""
    if not can_see_sources_in(user, record.branch):
        return False
    member = member_of(user)
    if member is None:
        return True
    return not Opinion.objects.filter(record=record).filter(_could_concern(member)).exists()


def get_opinion_for_user(
    user: Person,
    pk: object,
    *,
    need: Callable[[Person, Opinion], bool] | None = None,
    related: Sequence[str] = (),
) -> Opinion:
    """An opinion this person reads (never one about themself), with `related` joined
    as well; 403 without `need` (e.g. `can_sort_opinion` to write)."""
    return get_for_user(visible_opinions(user).select_related(*related), user, pk, need=need)


def reads_opinions(user: Person) -> bool:
    """Holds a role that reads gathered opinions somewhere (the sorting list and the
    opinion dashboard): those who sort them, and supervisors and observers."""
    return bool(paths(user, ACTIVITY_ROLES | OPINION_READ_ROLES))


def get_opinions_campaign_for_user(user: Person, wanted: str = "") -> Campaign | None:
    """The campaign whose opinions the sorting list and the dashboard show: 403 for one
    who reads opinions nowhere; the campaign asked for (?campaign=<pk>; 404 outside
    their sight), else their nearest active one, else None."""
    if not reads_opinions(user):
        raise PermissionDenied
    if wanted.isdigit():
        return get_campaign_for_user(user, wanted)
    return (
        visible_campaigns(user)
        .filter(status=Campaign.Status.ACTIVE)
        .order_by("-unit__depth", "-year", "-pk")
        .first()
    )


# --- Units where opinions are gathered ---------------------------------------------


def opinion_units(user: Person) -> QuerySet[Unit]:
    """Units whose opinions this person gathers and sorts."""
    return record_units(user)


def get_opinion_units_for_user(user: Person) -> QuerySet[Unit]:
    """The units whose opinions this person gathers; 403 for one who gathers none."""
    units = opinion_units(user)
    if not units.exists():
        raise PermissionDenied
    return units


def gathering_branches(user: Person) -> QuerySet[Unit]:
    """The branches whose opinions this person gathers (surveys and records are kept
    by branch), in the order of the tree."""
    return (
        opinion_units(user).filter(kind=Unit.Kind.BRANCH).select_related("parent").order_by("path")
    )


def get_gathering_branches_for_user(user: Person) -> QuerySet[Unit]:
    """As `gathering_branches`; 403 for one who gathers the opinions of no branch."""
    branches = gathering_branches(user)
    if not branches.exists():
        raise PermissionDenied
    return branches


def _in_unit_sight(user: Person, unit: Unit) -> bool:
    return unit.is_active and can_view_unit(user, unit)


def _follows(user: Person, unit: Unit) -> bool:
    return unit.is_active and can_view_progress(user, unit)


def get_unit_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Unit], bool] = can_sort_opinions
) -> Unit:
    """A unit as the intake pages fetch it: 404 unless it is active and in the person's
    sight of units (its officers and its own members); 403 without `need`."""
    units = Unit.objects.select_related("parent")
    return get_for_user(units, user, pk, see=_in_unit_sight, need=need)


def get_followed_unit_for_user(
    user: Person,
    pk: object,
    *,
    need: Callable[[Person, Unit], bool] = can_sort_opinions,
    kind: str | None = None,
) -> Unit:
    """A unit as sorting fetches it (the round page, the API): 404 unless it is active
    (and of `kind`, if given) and the person follows its progress (officers and
    observers over it, not its members); 403 without `need`."""
    units = Unit.objects.filter(kind=kind) if kind is not None else Unit.objects.all()
    return get_for_user(units, user, pk, see=_follows, need=need)


def get_running_campaign(unit: Unit) -> Campaign:
    """The campaign running over the unit; 404 when none does (there is nothing to
    gather opinions for)."""
    campaign = active_campaign_for_unit(unit.path)
    if campaign is None:
        raise Http404
    return campaign


# --- Records and surveys ---------------------------------------------------------------


def _gathers_in_branch(user: Person, found: OpinionRecord | Survey) -> bool:
    return can_sort_opinions(user, found.branch)


def _branch_in_unit_sight(user: Person, found: OpinionRecord | Survey) -> bool:
    return _in_unit_sight(user, found.branch)


def get_record_for_user(user: Person, pk: object) -> OpinionRecord:
    """A talk or symposium record of a branch whose opinions this person gathers: 404
    outside their sight of units, 403 for one who sees the branch but does not gather
    its opinions."""
    records = OpinionRecord.objects.select_related(
        "branch", "campaign", "campaign__unit", "recorded_by"
    )
    return get_for_user(records, user, pk, see=_branch_in_unit_sight, need=_gathers_in_branch)


def get_followed_record_for_user(user: Person, pk: object) -> OpinionRecord:
    """A record as the API's intake fetches it: 404 unless the person follows the
    progress of its branch, 403 for one who does not gather its opinions."""
    records = OpinionRecord.objects.select_related("branch", "campaign", "campaign__unit")
    return get_for_user(
        records,
        user,
        pk,
        see=lambda person, record: can_view_progress(person, record.branch),
        need=_gathers_in_branch,
    )


def get_survey_for_user(user: Person, pk: object) -> Survey:
    """A survey of a branch whose opinions this person gathers (404 unseen, 403 for
    one who sees the branch but does not gather its opinions)."""
    surveys = Survey.objects.select_related("branch", "campaign", "campaign__unit")
    return get_for_user(surveys, user, pk, see=_branch_in_unit_sight, need=_gathers_in_branch)


# --- The feedback sheet ------------------------------------------------------------------


def can_view_feedback_sheet(user: Person, member: Member) -> bool:
    """A member's feedback sheet (反馈表: the opinions about them, with no source): the
    member themself, and those who review the member's work or sort the opinions of
    the member's branch."""
    if member.user_id is not None and member.user_id == getattr(user, "pk", None):
        return True
    return can_review_work(user, member) or can_sort_opinions(user, member.branch)


def get_feedback_member_for_user(user: Person, pk: object) -> Member:
    """A member whose feedback sheet this person may read; 404 for anyone else (a
    sheet's existence is not told)."""
    members = Member.objects.select_related("branch")
    return get_for_user(members, user, pk, see=can_view_feedback_sheet)


def get_own_member(user: Person, *, forbidden: bool = False) -> Member:
    """The person's own member record, whose sheet they read and acknowledge. A login
    with none gets a 404 — a 403 with `forbidden`, as the API answers (the endpoint
    exists; the caller has no sheet)."""
    member = member_of(user)
    if member is None:
        raise PermissionDenied if forbidden else Http404
    return member


def feedback_campaign(member: Member, campaign_pk: int | str | None = None) -> Campaign | None:
    """The campaign whose sheet is read: the one asked for (which must run over the
    member's branch, else 404), else the active one, else the latest one that did."""
    unit_ids = path_ids(member.branch.path)
    over_member = Campaign.objects.filter(unit_id__in=unit_ids).exclude(
        status=Campaign.Status.DRAFT
    )
    if campaign_pk is not None and campaign_pk != "":
        try:
            campaign = over_member.filter(pk=int(campaign_pk)).first()
        except (TypeError, ValueError):
            campaign = None
        if campaign is None:
            raise Http404
        return campaign
    return (
        active_campaign_for_unit(member.branch.path) or over_member.order_by("-year", "-pk").first()
    )


def get_feedback_campaign(member: Member, campaign_pk: int | str | None = None) -> Campaign:
    """As `feedback_campaign`, for acknowledging a sheet: 404 when there is none."""
    campaign = feedback_campaign(member, campaign_pk)
    if campaign is None:
        raise Http404
    return campaign


# --- Mailboxes and their mail ------------------------------------------------------------

# Their settings hold a password: only the committee and the secretaries keep them.
MAILBOX_ROLES = frozenset(
    {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY, Role.BRANCH_SECRETARY}
)


def can_manage_mailbox(user: Person, unit: Unit) -> bool:
    """May set up, change and poll the opinion mailboxes of this unit."""
    return covers(paths(user, MAILBOX_ROLES), unit.path)


def mailbox_units(user: Person) -> QuerySet[Unit]:
    return Unit.objects.filter(under(paths(user, MAILBOX_ROLES), "path"), is_active=True)


def get_mailbox_units_for_user(user: Person) -> QuerySet[Unit]:
    """The units whose mailboxes this person keeps; 403 for one who keeps none."""
    units = mailbox_units(user)
    if not units.exists():
        raise PermissionDenied
    return units


def visible_mailboxes(user: Person) -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(under(paths(user, MAILBOX_ROLES), "branch__path")).select_related(
        "campaign", "branch"
    )


def get_mailbox_for_user(user: Person, pk: object) -> Mailbox:
    return get_for_user(visible_mailboxes(user), user, pk)


def get_attachment_for_user(user: Person, pk: object) -> EmailAttachment:
    """An e-mail's attachment is source material: 404 unless the person reads the
    opinion the e-mail became, 403 unless they may also see where it came from —
    never for the member it concerns."""
    attachment = get_for_user(EmailAttachment.objects.select_related("message"), user, pk)
    opinion = attachment.message.opinions.order_by("pk").first()
    if opinion is None:
        raise Http404
    get_opinion_for_user(user, opinion.pk, need=can_see_opinion_sources)
    return attachment
