"""Who may see and do what in supervision: the app's `visible_*`, `can_*` and
fetches, built on the vocabulary in `vanguard.accounts.access`.

- The committee (committee admins over the campaign's unit) forms the groups, opens
  rounds, draws samples, names note types and keeps the watch list.
- Supervisors are the members of a group; the group's branches are their scope
  (Role.SUPERVISOR grants made from the group). They and the committee check
  branches, assess sampled notes, order make-up work (补课) and re-check it, record
  guidance and talks, and sign a branch off to the next phase.
- General-branch secretaries read all their members' notes first (assessments at the
  general-branch level) and order make-up work in their general branch.
- A branch's officers read the checks, findings, orders and guidance about their
  branch; the person responsible for an order (and the member it is for) reports it
  done. A member sees their own orders and assessments.
- The watch list (重点支部、重点人) and its talks: the committee and the branch's
  supervisors only, and never a person whose own branch it is, nor the member on it.

Entry points fetch every object here: `get_*_for_user(user, pk, need=...)` is a 404
outside the person's sight and a 403 in sight without the capability `need`."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import Http404

from vanguard.accounts.access import (
    ADMIN_ROLES,
    READ_ROLES,
    Person,
    Placed,
    covers,
    get_for_user,
    holders,
    paths,
    under,
)
from vanguard.accounts.models import Role, User
from vanguard.campaigns.access import visible_campaigns
from vanguard.campaigns.models import Campaign
from vanguard.lib.paths import path_prefixes
from vanguard.organization.access import member_of
from vanguard.organization.models import Member, Unit
from vanguard.supervision.models import (
    Check,
    Exemplar,
    GuidanceSession,
    NoteAssessment,
    NoteType,
    RemediationOrder,
    Round,
    Sample,
    SampledMember,
    SupervisionGroup,
    Talk,
    WatchEntry,
)

# Who checks a branch: its supervisors, and the committee over it.
CHECK_ROLES = frozenset({Role.COMMITTEE_ADMIN, Role.SUPERVISOR})
# Who reads all of a general branch's notes first and orders make-up work there.
GENERAL_BRANCH_ROLES = frozenset({Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY})
# Who reads what supervision found about a branch: every officer over it, and observers.
FINDINGS_ROLES = READ_ROLES
# Who keeps and reads the watch list.
WATCH_ROLES = CHECK_ROLES


def _signed_in(user: Person) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "is_active", False)


# --- The committee -------------------------------------------------------------------


def can_manage_supervision(user: Person, campaign: Campaign) -> bool:
    """Form groups, open rounds, draw samples, name note types, keep the watch list:
    a committee admin over the campaign's unit."""
    return covers(paths(user, ADMIN_ROLES), campaign.unit.path)


def supervision_campaigns(user: Person) -> QuerySet[Campaign]:
    """The campaigns whose supervision this person takes part in or reads: those
    running over or around a unit they hold a reading role for."""
    query = Q(pk__in=[])
    for path in paths(user, FINDINGS_ROLES):
        query |= Q(unit__path__startswith=path) | Q(unit__path__in=path_prefixes(path))
    return (
        Campaign.objects.filter(query).exclude(status=Campaign.Status.DRAFT).select_related("unit")
    )


def get_supervision_campaign_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Campaign], bool] | None = None
) -> Campaign:
    """A campaign's supervision pages: a 404 for anyone who reads none of it."""
    return get_for_user(supervision_campaigns(user), user, pk, need=need)


# --- Branches: who checks, who reads ---------------------------------------------------


def can_check_branch(user: Person, branch: Placed) -> bool:
    """Check the branch, assess its sampled notes, order and re-check make-up work,
    record guidance and talks, sign it off: its supervisors and the committee."""
    return covers(paths(user, CHECK_ROLES), branch.path)


def can_assess_in_general_branch(user: Person, branch: Placed) -> bool:
    """Read and assess every member's notes of the branch at the general-branch level,
    and order make-up work: the general branch's secretary (and the committee)."""
    return covers(paths(user, GENERAL_BRANCH_ROLES), branch.path)


def can_read_findings(user: Person, branch: Placed) -> bool:
    """Read the checks, findings, orders and guidance about the branch."""
    return covers(paths(user, FINDINGS_ROLES), branch.path)


def supervised_branches(user: Person) -> QuerySet[Unit]:
    """The branches this person checks (a supervisor's own; the committee's all)."""
    return Unit.objects.filter(
        under(paths(user, CHECK_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


# --- Groups --------------------------------------------------------------------------


def visible_groups(user: Person) -> QuerySet[SupervisionGroup]:
    """The groups of campaigns this person manages, and the groups they belong to."""
    query = under(paths(user, ADMIN_ROLES), "campaign__unit__path")
    if _signed_in(user):
        query |= Q(members=user)
    return SupervisionGroup.objects.filter(query).distinct().select_related("campaign__unit")


def can_manage_group(user: Person, group: SupervisionGroup) -> bool:
    return can_manage_supervision(user, group.campaign)


def get_group_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, SupervisionGroup], bool] | None = None,
) -> SupervisionGroup:
    """`write=True` is `need=can_manage_group`."""
    if write and need is None:
        need = can_manage_group
    return get_for_user(visible_groups(user), user, pk, need=need)


# --- Rounds and checks -----------------------------------------------------------------


def visible_rounds(user: Person) -> QuerySet[Round]:
    """Rounds of the campaigns whose supervision the person reads."""
    return Round.objects.filter(campaign__in=supervision_campaigns(user)).select_related(
        "campaign__unit", "phase"
    )


def can_manage_round(user: Person, round: Round) -> bool:
    return can_manage_supervision(user, round.campaign)


def get_round_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, Round], bool] | None = None,
) -> Round:
    """`write=True` is `need=can_manage_round`."""
    if write and need is None:
        need = can_manage_round
    return get_for_user(visible_rounds(user), user, pk, need=need)


def visible_checks(user: Person) -> QuerySet[Check]:
    """Checks of the branches whose findings the person reads."""
    return Check.objects.filter(under(paths(user, FINDINGS_ROLES), "branch__path")).select_related(
        "round__campaign__unit", "round__phase", "branch", "group"
    )


def can_fill_check(user: Person, check: Check) -> bool:
    return check.round.status != Round.Status.CLOSED and can_check_branch(user, check.branch)


def get_check_for_user(
    user: Person,
    pk: object,
    *,
    write: bool = False,
    need: Callable[[Person, Check], bool] | None = None,
) -> Check:
    """`write=True` is `need=can_fill_check`."""
    if write and need is None:
        need = can_fill_check
    return get_for_user(visible_checks(user), user, pk, need=need)


# --- Samples and assessments -------------------------------------------------------------


def visible_samples(user: Person) -> QuerySet[Sample]:
    """Samples of campaigns the person manages, and those reaching a branch they check."""
    query = under(paths(user, ADMIN_ROLES), "campaign__unit__path")
    query |= Q(pk__in=Sample.objects.filter(under(paths(user, CHECK_ROLES), "branches__path")))
    query |= Q(pk__in=Sample.objects.filter(under(paths(user, {Role.OBSERVER}), "branches__path")))
    return Sample.objects.filter(query).select_related("campaign__unit", "round")


def can_draw_sample(user: Person, campaign: Campaign) -> bool:
    return can_manage_supervision(user, campaign)


def get_sample_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Sample], bool] | None = None
) -> Sample:
    return get_for_user(visible_samples(user), user, pk, need=need)


def assessment_queue(user: Person) -> QuerySet[SampledMember]:
    """The sampled members whose notes this person reads: those of branches they check."""
    return SampledMember.objects.filter(
        under(paths(user, CHECK_ROLES), "branch__path")
    ).select_related("sample__campaign", "member", "branch")


def get_sampled_for_user(
    user: Person, pk: object, *, need: Callable[[Person, SampledMember], bool] | None = None
) -> SampledMember:
    """A sampled member's notes, to read and assess: a supervisor of the branch."""
    return get_for_user(assessment_queue(user), user, pk, need=need)


def visible_assessments(user: Person) -> QuerySet[NoteAssessment]:
    """Assessments of members in branches the person reads findings of, and a member's
    own."""
    query = under(paths(user, FINDINGS_ROLES), "member__branch__path")
    if _signed_in(user):
        query |= Q(member__user=user)
    return NoteAssessment.objects.filter(query).select_related(
        "member__branch", "note_type", "campaign"
    )


def can_assess_member(user: Person, member: Member, level: str) -> bool:
    """Assess a member's notes at a level: the college's readers (supervisors and the
    committee) over the member's branch, or the general branch's over it."""
    if level == NoteAssessment.Level.COLLEGE:
        return can_check_branch(user, member.branch)
    return can_assess_in_general_branch(user, member.branch)


def can_assess_notes(user: Person, campaign: Campaign, level: str) -> bool:
    """Has a reading queue in the campaign at this level: checks some of its branches
    (college), or reads some of its general branches' notes first (general branch)."""
    roles = CHECK_ROLES if level == NoteAssessment.Level.COLLEGE else GENERAL_BRANCH_ROLES
    top = campaign.unit.path
    return any(p.startswith(top) or top.startswith(p) for p in paths(user, roles))


def general_branch_members(user: Person) -> QuerySet[Member]:
    """The members whose notes this person reads first, at the general-branch level."""
    return Member.objects.filter(
        under(paths(user, GENERAL_BRANCH_ROLES), "branch__path"), is_active=True
    ).select_related("branch")


def get_member_to_assess_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Member], bool] | None = None
) -> Member:
    """A member of the person's general branch, to read and assess their notes."""
    return get_for_user(general_branch_members(user), user, pk, need=need)


def note_figure_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The campaign's branches whose note figures the person reads: the committee's all,
    a supervisor's own, a general-branch secretary's general branch."""
    return Unit.objects.filter(
        under(paths(user, CHECK_ROLES | GENERAL_BRANCH_ROLES), "path"),
        path__startswith=campaign.unit.path,
        kind=Unit.Kind.BRANCH,
        is_active=True,
    )


def can_read_note_figures(user: Person, campaign: Campaign) -> bool:
    return note_figure_branches(user, campaign).exists()


def visible_note_types(user: Person) -> QuerySet[NoteType]:
    return NoteType.objects.filter(campaign__in=supervision_campaigns(user))


def can_manage_note_type(user: Person, note_type: NoteType) -> bool:
    return can_manage_supervision(user, note_type.campaign)


def get_note_type_for_user(
    user: Person, pk: object, *, need: Callable[[Person, NoteType], bool] | None = None
) -> NoteType:
    return get_for_user(
        visible_note_types(user).select_related("campaign__unit"), user, pk, need=need
    )


def get_exemplar_campaign_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Campaign], bool] | None = None
) -> Campaign:
    """A campaign's exemplars page: everyone of the campaign's units reads it."""
    return get_for_user(visible_campaigns(user), user, pk, need=need)


# --- Exemplars ---------------------------------------------------------------------------


def visible_exemplars(user: Person) -> QuerySet[Exemplar]:
    """Published exemplars, for everyone in the campaign; withdrawn ones for those who
    manage the campaign's supervision."""
    manages = under(paths(user, ADMIN_ROLES), "campaign__unit__path")
    published = Q(withdrawn_at__isnull=True, campaign__in=visible_campaigns(user))
    return Exemplar.objects.filter(manages | published).select_related(
        "work__member__branch", "note_type", "campaign"
    )


def can_manage_exemplar(user: Person, exemplar: Exemplar) -> bool:
    return can_manage_supervision(user, exemplar.campaign)


def get_exemplar_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Exemplar], bool] | None = None
) -> Exemplar:
    return get_for_user(visible_exemplars(user), user, pk, need=need)


# --- Remediation orders --------------------------------------------------------------------


def visible_orders(user: Person) -> QuerySet[RemediationOrder]:
    """Orders about branches whose findings the person reads; a member's own orders; the
    orders a person is responsible for."""
    query = under(paths(user, FINDINGS_ROLES), "branch__path")
    if _signed_in(user):
        query |= Q(member__user=user) | Q(responsible=user)
    return RemediationOrder.objects.filter(query).select_related(
        "campaign__unit", "branch", "member", "responsible"
    )


def can_order_makeup(user: Person, branch: Placed) -> bool:
    """Order make-up work in a branch: its supervisors, the committee, or its general
    branch's secretary."""
    return can_check_branch(user, branch) or can_assess_in_general_branch(user, branch)


def can_report_order(user: Person, order: RemediationOrder) -> bool:
    """Report an open (or sent back) order done: the person responsible, the member it is
    for, or a secretary of the branch."""
    if order.status not in (RemediationOrder.Status.OPEN, RemediationOrder.Status.REOPENED):
        return False
    if not _signed_in(user):
        return False
    if order.responsible_id == user.pk:
        return True
    if order.member is not None and order.member.user_id == user.pk:
        return True
    return covers(paths(user, {Role.BRANCH_SECRETARY}), order.branch.path)


def reportable_orders(user: Person) -> QuerySet[RemediationOrder]:
    """The orders this person may report done now (`can_report_order`, as a query): open
    or sent back, and theirs, their own member's, or of a branch they are secretary of."""
    if not isinstance(user, User) or not user.is_active:
        return RemediationOrder.objects.none()
    whose = (
        Q(responsible=user)
        | Q(member__user=user)
        | under(paths(user, {Role.BRANCH_SECRETARY}), "branch__path")
    )
    return RemediationOrder.objects.filter(
        whose,
        status__in=[RemediationOrder.Status.OPEN, RemediationOrder.Status.REOPENED],
    ).select_related("campaign__unit", "branch", "member", "responsible")


def can_verify_order(user: Person, order: RemediationOrder) -> bool:
    """Re-check an order reported done: whoever may order make-up work in the branch."""
    return order.status == RemediationOrder.Status.REPORTED and can_order_makeup(user, order.branch)


def get_order_for_user(
    user: Person, pk: object, *, need: Callable[[Person, RemediationOrder], bool] | None = None
) -> RemediationOrder:
    return get_for_user(visible_orders(user), user, pk, need=need)


def orderable_branches(user: Person) -> QuerySet[Unit]:
    """The branches where this person may order make-up work (`can_order_makeup`)."""
    return Unit.objects.filter(
        under(paths(user, CHECK_ROLES | GENERAL_BRANCH_ROLES), "path"),
        kind=Unit.Kind.BRANCH,
        is_active=True,
    )


def can_order_in_campaign(user: Person, campaign: Campaign) -> bool:
    """Order make-up work in some branch of the campaign."""
    return orderable_branches(user).filter(path__startswith=campaign.unit.path).exists()


def can_check_in_campaign(user: Person, campaign: Campaign) -> bool:
    """Check some branch of the campaign (record guidance, follow the lagging branches):
    the committee and the supervisors."""
    return supervised_branches(user).filter(path__startswith=campaign.unit.path).exists()


# --- Guidance ---------------------------------------------------------------------------------


def visible_guidance(user: Person) -> QuerySet[GuidanceSession]:
    return GuidanceSession.objects.filter(
        under(paths(user, FINDINGS_ROLES), "branch__path")
    ).select_related("campaign__unit", "branch")


def can_record_guidance(user: Person, branch: Placed) -> bool:
    return can_check_branch(user, branch)


def get_guidance_for_user(
    user: Person, pk: object, *, need: Callable[[Person, GuidanceSession], bool] | None = None
) -> GuidanceSession:
    return get_for_user(visible_guidance(user), user, pk, need=need)


# --- The watch list ------------------------------------------------------------------------------


def visible_watch_entries(user: Person) -> QuerySet[WatchEntry]:
    """Key branches and key persons: the committee and the branch's supervisors only;
    never an entry about the person's own branch, nor about the person."""
    if not isinstance(user, User) or not user.is_active:
        return WatchEntry.objects.none()
    entries = WatchEntry.objects.filter(under(paths(user, WATCH_ROLES), "branch__path"))
    own = member_of(user)
    if own is not None:
        entries = entries.exclude(branch_id=own.branch_id).exclude(member=own)
    return entries.exclude(member__user=user).select_related("campaign__unit", "branch", "member")


def can_keep_watch_entry(user: Person, entry: WatchEntry) -> bool:
    """Add talks to an entry, close it: whoever sees it (the committee, the supervisors)."""
    return visible_watch_entries(user).filter(pk=entry.pk).exists()


def can_add_watch_entry(user: Person, branch: Unit, member: Member | None = None) -> bool:
    """Put a branch or one of its members on the watch list: the committee or the
    branch's supervisors, never about their own branch or themselves."""
    if not _signed_in(user) or not covers(paths(user, WATCH_ROLES), branch.path):
        return False
    own = member_of(user)
    if own is not None and own.branch_id == branch.pk:
        return False
    return member is None or member.user_id != user.pk


def get_watch_entry_for_user(
    user: Person, pk: object, *, need: Callable[[Person, WatchEntry], bool] | None = None
) -> WatchEntry:
    return get_for_user(visible_watch_entries(user), user, pk, need=need)


def visible_talks(user: Person) -> QuerySet[Talk]:
    return Talk.objects.filter(entry__in=visible_watch_entries(user)).select_related("entry")


def watchable_branches(user: Person) -> QuerySet[Unit]:
    """The branches this person may put (or one of whose members they may put) on the
    watch list: those they check, never their own."""
    branches = supervised_branches(user)
    own = member_of(user)
    return branches.exclude(pk=own.branch_id) if own is not None else branches


def get_watch_campaign_for_user(user: Person, pk: object) -> Campaign:
    """A campaign's watch list: a 404 for everyone but those who keep it over some
    branch of the campaign (the committee and supervisors) — a branch's officers are
    not told that a watch list exists."""
    return get_for_user(
        supervision_campaigns(user),
        user,
        pk,
        see=lambda person, campaign: (
            _signed_in(person)
            and watchable_branches(person).filter(path__startswith=campaign.unit.path).exists()
        ),
    )


# --- Sign-off -------------------------------------------------------------------------------------


def can_sign_off(user: Person, branch: Placed) -> bool:
    """Sign a branch off to the next phase: its supervisors and the committee."""
    return can_check_branch(user, branch)


def findings_branches(user: Person) -> QuerySet[Unit]:
    """The branches whose checks, findings and sign-offs this person reads."""
    return Unit.objects.filter(
        under(paths(user, FINDINGS_ROLES), "path"), kind=Unit.Kind.BRANCH, is_active=True
    )


def get_signoff_branch_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Unit], bool] | None = can_sign_off
) -> Unit:
    """A branch to sign off: a 404 outside the person's findings, a 403 for an officer
    who reads them without checking the branch."""
    return get_for_user(findings_branches(user), user, pk, need=need)


def supervisors_of(branch: Placed) -> QuerySet[User]:
    """Whom to tell when an order of the branch is reported done: its supervisors."""
    return holders(branch, {Role.SUPERVISOR})


# --- Reports ------------------------------------------------------------------------------------

# The units a round's report is made for: the whole college, a general branch, a branch.
REPORT_UNIT_KINDS = (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH)


def get_supervision_campaigns_for_user(user: Person) -> QuerySet[Campaign]:
    """The supervision landing page's campaigns: a 404 for a person who reads no
    supervision (as for every page of it)."""
    campaigns = supervision_campaigns(user)
    if not campaigns.exists():
        raise Http404
    return campaigns


def report_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The campaign's branches whose supervision figures this person reads: the
    committee's all, a general branch's secretary theirs, a supervisor their own."""
    return Unit.objects.filter(
        under(paths(user, FINDINGS_ROLES), "path"),
        path__startswith=campaign.unit.path,
        kind=Unit.Kind.BRANCH,
        is_active=True,
    )


def reads_watch_list(user: Person, campaign: Campaign) -> bool:
    """Whether the overview may count key branches and persons for this person: one who
    keeps the watch list over some branch of the campaign (what they count is still only
    `visible_watch_entries`)."""
    return supervised_branches(user).filter(path__startswith=campaign.unit.path).exists()


def report_units(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The units of the campaign (the college, general branches, branches) whose reports
    this person reads: those whose findings they read, all of them."""
    return Unit.objects.filter(
        under(paths(user, FINDINGS_ROLES), "path"),
        path__startswith=campaign.unit.path,
        kind__in=REPORT_UNIT_KINDS,
        is_active=True,
    )


def get_report_unit_for_user(user: Person, round: Round, pk: object) -> Unit:
    """The unit a round's report is made for (the college, a general branch or a branch
    of the round's campaign): a 404 unless the person reads the findings of all of it."""
    return get_for_user(report_units(user, round.campaign), user, pk)


# --- Navigation --------------------------------------------------------------------------------


def reads_supervision(user: Person) -> bool:
    """Whether the navigation shows supervision: the committee, supervisors, general-branch
    secretaries and observers (a branch reads its own findings from its pages)."""
    return bool(
        paths(
            user,
            {
                Role.COMMITTEE_ADMIN,
                Role.SUPERVISOR,
                Role.GENERAL_BRANCH_SECRETARY,
                Role.OBSERVER,
            },
        )
    )
