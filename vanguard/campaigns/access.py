"""Who may see and do what in campaigns: the app's `visible_*`, `can_*` and fetches,
built on the vocabulary in `vanguard.accounts.access`.

Entry points fetch every campaign, phase, requirement and unit of a campaign here:
`get_*_for_user(user, ..., need=...)` is a 404 outside the person's sight and a 403
in sight without the capability `need`."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import (
    ACTIVITY_ROLES,
    ADMIN_ROLES,
    READ_ROLES,
    TRANSITION_ROLES,
    Person,
    Placed,
    covers,
    get_for_user,
    is_committee_admin,
    paths,
    scopes,
    under,
)
from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.lib.paths import path_ids
from vanguard.organization.access import can_view_unit, member_branch_path, member_of
from vanguard.organization.models import Member, Unit


def visible_campaigns(user: Person) -> QuerySet[Campaign]:
    """Campaigns running in a unit that contains, or lies inside, the person's scope."""
    own = [scope.path for scope in scopes(user)]
    member_path = member_branch_path(user)
    if member_path:
        own.append(member_path)
    query = Q(pk__in=[])
    for path in set(own):
        unit_ids = path_ids(path)
        query |= Q(unit_id__in=unit_ids) | Q(unit__path__startswith=path)
    # Drafts are seen only by the committee admins who prepare them.
    query = (query & ~Q(status="draft")) | under(paths(user, ADMIN_ROLES), "unit__path")
    return Campaign.objects.filter(query).select_related("unit")


def sees_campaign(user: Person, campaign: Campaign) -> bool:
    """`visible_campaigns`' rule for one campaign already loaded, without a query."""
    path = campaign.unit.path
    if covers(paths(user, ADMIN_ROLES), path):
        return True
    if campaign.status == Campaign.Status.DRAFT:
        return False
    own = [scope.path for scope in scopes(user)]
    member_path = member_branch_path(user)
    if member_path:
        own.append(member_path)
    return any(path.startswith(mine) or mine.startswith(path) for mine in own)


def can_manage_campaign(user: Person, campaign: Campaign) -> bool:
    return covers(paths(user, ADMIN_ROLES), campaign.unit.path)


def get_campaign_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, Campaign], bool] | None = None,
) -> Campaign:
    """A campaign this person sees. `write=True` is `need=can_manage_campaign`."""
    if write and need is None:
        need = can_manage_campaign
    campaigns = Campaign.objects.select_related("unit")
    return get_for_user(campaigns, user, pk, see=sees_campaign, need=need)


def can_view_progress(user: Person, unit: Placed) -> bool:
    """Progress of a unit and everything below it: officers and observers over it (a
    unit, or a unit's line on the dashboard)."""
    return covers(paths(user, READ_ROLES), unit.path)


def progress_units(user: Person) -> QuerySet[Unit]:
    return Unit.objects.filter(under(paths(user, READ_ROLES), "path"), is_active=True)


def can_keep_records(user: Person, unit: Unit) -> bool:
    """May add and change the unit's plans, sessions, meetings and attendance."""
    return covers(paths(user, ACTIVITY_ROLES), unit.path)


def record_units(user: Person) -> QuerySet[Unit]:
    """Units whose records this person keeps (for choosing where a meeting belongs)."""
    return Unit.objects.filter(under(paths(user, ACTIVITY_ROLES), "path"), is_active=True)


def can_view_records(user: Person, unit: Unit) -> bool:
    """May read the unit's plans, sessions and meetings: officers over it, and its members.

    A member reads the records of their own branch and of the units above it
    (a lecture for the whole college, a notice from the general branch)."""
    if covers(paths(user, READ_ROLES), unit.path):
        return True
    member_path = member_branch_path(user)
    return member_path is not None and member_path.startswith(unit.path)


def get_records_unit_for_user(
    user: Person,
    pk: object,
    *,
    kind: str | None = None,
    need: Callable[[Person, Unit], bool] | None = None,
) -> Unit:
    """An active unit (of `kind`, if given) whose records this person reads
    (`can_view_records`); `need=can_keep_records` for one whose records they keep."""
    units = Unit.objects.filter(is_active=True)
    if kind is not None:
        units = units.filter(kind=kind)
    return get_for_user(units, user, pk, see=can_view_records, need=need)


def can_approve_transition(user: Person, branch: Unit) -> bool:
    return covers(paths(user, TRANSITION_ROLES), branch.path)


def can_view_transition(user: Person, branch: Unit) -> bool:
    """May open a branch's phase-gating page (转段): those who approve its moves, and
    those who read its progress."""
    return can_approve_transition(user, branch) or can_view_progress(user, branch)


def managed_campaigns(user: Person) -> QuerySet[Campaign]:
    """Campaigns whose phases and requirements this person edits (committee admins)."""
    return Campaign.objects.filter(under(paths(user, ADMIN_ROLES), "unit__path")).select_related(
        "unit"
    )


def get_managed_campaigns_for_user(user: Person) -> QuerySet[Campaign]:
    """The campaign management list: a 403 for anyone who is not a committee admin."""
    if not is_committee_admin(user):
        raise PermissionDenied
    return managed_campaigns(user)


def campaign_units(user: Person) -> QuerySet[Unit]:
    """Units a committee admin may start a campaign in (a committee or general branch)."""
    return Unit.objects.filter(
        under(paths(user, ADMIN_ROLES), "path"),
        kind__in=[Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH],
        is_active=True,
    )


def get_campaign_units_for_user(user: Person) -> QuerySet[Unit]:
    """The new-campaign page's choice of units: a 403 for a person who may start none."""
    units = campaign_units(user)
    if not units.exists():
        raise PermissionDenied
    return units


def progress_roots(user: Person) -> list[Unit]:
    """The units at the top of a person's progress view: those over which they hold a
    role that reads progress (the committee, a general branch, supervised branches)."""
    found = [scope for scope in scopes(user) if scope.role in READ_ROLES]
    if any(scope.path == "/" for scope in found):  # the superuser
        return list(Unit.objects.filter(parent__isnull=True, is_active=True))
    units = Unit.objects.filter(pk__in={scope.unit_id for scope in found}, is_active=True)
    return sorted(units, key=lambda unit: (unit.path.count("/"), unit.path))


def get_progress_roots_for_user(user: Person, campaign: Campaign) -> list[Unit]:
    """The units whose progress in the campaign this person reads when they name none:
    the campaign's own unit if they read its progress, else their progress roots inside
    it (a general branch for its secretary). A 403 for a person who reads none."""
    if can_view_progress(user, campaign.unit):
        return [campaign.unit]
    inside = [root for root in progress_roots(user) if root.path.startswith(campaign.unit.path)]
    if not inside:
        raise PermissionDenied
    return inside


def _units_of(campaign: Campaign) -> QuerySet[Unit]:
    """The active units inside the campaign's unit (itself included)."""
    return Unit.objects.filter(is_active=True, path__startswith=campaign.unit.path)


def _sees_unit_or_progress(user: Person, unit: Unit) -> bool:
    return can_view_progress(user, unit) or can_view_unit(user, unit)


def get_progress_unit_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    """A unit of the campaign whose progress this person reads (the API): a 404 for a
    unit they cannot see at all, a 403 for one they see but whose progress is not theirs
    to read (a member's own branch)."""
    return get_for_user(
        _units_of(campaign), user, pk, see=_sees_unit_or_progress, need=can_view_progress
    )


def get_progress_page_unit_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    """A unit of the campaign whose progress page this person opens: a party group has
    none, and a unit whose progress is not theirs to read is not found (404)."""
    return get_for_user(
        _units_of(campaign).exclude(kind=Unit.Kind.PARTY_GROUP),
        user,
        pk,
        see=can_view_progress,
    )


def get_own_progress_member(user: Person, campaign: Campaign) -> Member:
    """The person's own member record, for their "my progress" page in the campaign: a
    404 for a person without one, or whose branch lies outside the campaign."""
    member = member_of(user)
    if member is None or not member.branch.path.startswith(campaign.unit.path):
        raise Http404
    return member


def get_transition_branch_for_user(
    user: Person,
    campaign: Campaign,
    pk: object,
    *,
    need: Callable[[Person, Unit], bool] | None = None,
) -> Unit:
    """A branch of the campaign this person sees, for its phase-gating page (转段);
    `need` is `can_view_transition` to look, `can_approve_transition` to move it on."""
    return get_for_user(
        _units_of(campaign).filter(kind=Unit.Kind.BRANCH), user, pk, see=can_view_unit, need=need
    )


def get_transition_unit_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    """The college or a general branch of the campaign, whose branches the committee
    moves on at once: a 404 for a unit the person cannot see, a 403 for anyone who does
    not manage the campaign."""

    def manages(person: Person, _unit: Unit) -> bool:
        return can_manage_campaign(person, campaign)

    return get_for_user(
        _units_of(campaign).filter(kind__in=[Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH]),
        user,
        pk,
        see=can_view_unit,
        need=manages,
    )


def get_phase_for_user(user: Person, campaign: Campaign, pk: object) -> Phase:
    """A phase of a campaign the person already holds (its check is the campaign's);
    a 404 for a phase of another campaign, or none."""
    return get_for_user(Phase.objects.filter(campaign=campaign), user, pk)


def get_requirement_for_user(user: Person, campaign: Campaign, pk: object) -> Requirement:
    """A requirement of a phase of a campaign the person already holds; else a 404."""
    return get_for_user(
        Requirement.objects.select_related("phase").filter(phase__campaign=campaign), user, pk
    )


def get_campaign_covering(pk: int | str, unit: Unit) -> Campaign:
    """The campaign `pk` if its unit contains `unit` (a branch whose page the person may
    already open), else 404."""
    campaign = Campaign.objects.select_related("unit").filter(pk=pk).first()
    if campaign is None or not unit.path.startswith(campaign.unit.path):
        raise Http404
    return campaign
