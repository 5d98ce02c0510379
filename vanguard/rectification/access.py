"""Who may see and do what in rectification: the app's `visible_*`, `can_*` and
fetches, on the vocabulary of `vanguard.accounts.access`.

- A member's plan: the member sees and writes it; the branch's officers (secretary,
  branch committee) and the readers of the scope (committee, general-branch
  secretary, supervisors, observers) see it; the branch's officers review it and
  verify its items. Nobody else — not another member, not the party-group leader.
- A branch's plan: the branch's officers write it; the committee reviews it; once
  approved every member of the branch reads it ("you said, we did").
- The committee's plan: the committee writes and approves (publishes) it; once
  approved every member of the campaign's unit reads it.
- Nobody reviews or verifies their own plan or item.
- An item's links never show a source: see `selectors.link_shown`, the one place a
  linked record is turned into what a page may show, for every reader alike. The
  records a plan may link are `linkable_*` below: a member's own feedback sheet's
  points, a branch's (or the committee's) sorted opinions about itself, the
  member's branch reviews, the branch's supervision findings and make-up orders.
- Donations: the total is public to whoever sees the activity; who gave how much
  only to the member (their own line) and the activity's keeper — its named
  treasurer, or while nobody is named, the branch secretary (there is no treasurer
  role in accounts; see README.md of this app).
- Ideas: an anonymous idea has no author stored; a named one shows its author to
  whoever sees the activity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

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
from vanguard.campaigns.access import visible_campaigns
from vanguard.campaigns.models import Campaign
from vanguard.lib.paths import path_ids
from vanguard.opinions.access import visible_opinions
from vanguard.opinions.feedback.selectors import AGGREGATE_ONLY_CHANNELS
from vanguard.opinions.models import Opinion
from vanguard.organization.access import member_of
from vanguard.organization.models import Member, Unit
from vanguard.rectification.models import Activity, Donation, Idea, Item, ItemLink, Plan, Update
from vanguard.reviews.models import BranchReview
from vanguard.supervision.access import visible_checks, visible_orders
from vanguard.supervision.models import Check, CheckFinding, RemediationOrder

# The branch's officers: review the members' plans, write the branch's plan, keep its
# activities.
BRANCH_OFFICER_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE})

# Who reads every plan in their scope (the party-group leader does not: a plan answers
# the opinions about a member, which the group leader does not read either).
PLAN_READ_ROLES = frozenset(
    {
        Role.COMMITTEE_ADMIN,
        Role.GENERAL_BRANCH_SECRETARY,
        Role.BRANCH_SECRETARY,
        Role.BRANCH_COMMITTEE,
        Role.SUPERVISOR,
        Role.OBSERVER,
    }
)

# Who keeps a donation's lines while the activity names no treasurer.
DEFAULT_KEEPER_ROLES = frozenset({Role.BRANCH_SECRETARY})

PlanCapability = Callable[[Person, Plan], bool]
ItemCapability = Callable[[Person, Item], bool]


def _own_member_id(user: Person) -> int | None:
    member = member_of(user)
    return member.pk if member is not None else None


def _above_or_at(user: Person) -> list[int]:
    """Ids of the units a published (approved) unit plan is read from: the person's own
    branch and the units above it, and the units above or at their scopes."""
    found: set[int] = set()
    member = member_of(user)
    if member is not None:
        found.update(path_ids(member.branch.path))
    for scope in scopes(user):
        found.update(path_ids(scope.path))
    return sorted(found)


# --- Plans -------------------------------------------------------------------------------


def visible_plans(user: Person) -> QuerySet[Plan]:
    read = paths(user, PLAN_READ_ROLES)
    query = under(read, "member__branch__path") | under(read, "unit__path")
    own = _own_member_id(user)
    if own is not None:
        # Their own plan, and the plans naming them responsible for an item (a
        # branch's or the committee's: a member's plan names only its member).
        query |= Q(member_id=own) | Q(
            pk__in=Item.objects.filter(responsible_id=own).values("plan_id")
        )
    query |= Q(unit_id__in=_above_or_at(user), status=Plan.Status.APPROVED)
    return Plan.objects.filter(query).select_related("campaign", "member", "member__branch", "unit")


def _is_own(user: Person, plan: Plan) -> bool:
    own = _own_member_id(user)
    return own is not None and plan.member_id == own


def _owner_path(plan: Plan) -> str:
    if plan.member_id is not None:
        return plan.member.branch.path  # type: ignore[union-attr]
    return plan.unit.path  # type: ignore[union-attr]


def can_edit_plan(user: Person, plan: Plan) -> bool:
    """Write the plan and its items: the member alone for their own plan; the branch's
    officers for the branch's; the committee for its own."""
    if plan.level == Plan.Level.MEMBER:
        return _is_own(user, plan)
    if plan.level == Plan.Level.BRANCH:
        return covers(paths(user, BRANCH_OFFICER_ROLES), _owner_path(plan))
    return covers(paths(user, ADMIN_ROLES), _owner_path(plan))


def can_create_plan(user: Person, level: str, *, member: Member | None, unit: Unit | None) -> bool:
    """Start a plan that does not exist yet (the same people as `can_edit_plan`)."""
    if level == Plan.Level.MEMBER:
        own = _own_member_id(user)
        return member is not None and own is not None and member.pk == own
    if unit is None:
        return False
    roles = BRANCH_OFFICER_ROLES if level == Plan.Level.BRANCH else ADMIN_ROLES
    return covers(paths(user, roles), unit.path)


def can_review_plan(user: Person, plan: Plan) -> bool:
    """Approve or return the plan: the branch's officers for a member's plan, the
    committee for a branch's; the committee approves (publishes) its own plan. Nobody
    reviews their own member plan."""
    if _is_own(user, plan):
        return False
    if plan.level == Plan.Level.MEMBER:
        return covers(paths(user, BRANCH_OFFICER_ROLES), _owner_path(plan))
    return covers(paths(user, ADMIN_ROLES), _owner_path(plan))


def get_plan_for_user(user: Person, pk: object, *, need: PlanCapability | None = None) -> Plan:
    """The plan `pk`: 404 outside the person's sight, 403 without `need`."""
    return get_for_user(visible_plans(user), user, pk, need=need)


def get_member_plan_for_user(user: Person, pk: object) -> Plan:
    """A member's plan, for its export (for the annual assessment and post appointment):
    whoever reads it — the member themself, their branch's officers, the readers of
    the scope. 404 otherwise, and for a branch's or the committee's plan."""
    plans = visible_plans(user).filter(level=Plan.Level.MEMBER)
    return get_for_user(plans.select_related("member__party_group"), user, pk)


# --- Items and updates ------------------------------------------------------------------


def visible_items(user: Person) -> QuerySet[Item]:
    return Item.objects.filter(plan__in=visible_plans(user)).select_related(
        "plan", "plan__member", "plan__member__branch", "plan__unit", "responsible"
    )


def _is_responsible(user: Person, item: Item) -> bool:
    own = _own_member_id(user)
    return own is not None and item.responsible_id == own


def can_edit_item(user: Person, item: Item) -> bool:
    """Change the item's five clarities: whoever writes the plan."""
    return can_edit_plan(user, item.plan)


def can_report_item(user: Person, item: Item) -> bool:
    """Add an update, mark the item in progress or done: whoever writes the plan, and
    the member the item names as responsible."""
    return can_edit_plan(user, item.plan) or _is_responsible(user, item)


def can_verify_item(user: Person, item: Item) -> bool:
    """Verify a done item (or send it back): whoever reviews the plan, except the
    person responsible for it."""
    return can_review_plan(user, item.plan) and not _is_responsible(user, item)


def get_item_for_user(user: Person, pk: object, *, need: ItemCapability | None = None) -> Item:
    return get_for_user(visible_items(user), user, pk, need=need)


def visible_updates(user: Person) -> QuerySet[Update]:
    return Update.objects.filter(item__in=visible_items(user)).select_related("item", "item__plan")


def get_update_for_user(user: Person, pk: object) -> Update:
    """An update (and its evidence file): read by whoever sees its item."""
    return get_for_user(visible_updates(user), user, pk)


def trace_urls(user: Person, links: Iterable[ItemLink]) -> dict[int, str]:
    """Where each link leads this reader back to what it answers, {link pk: url}: an
    opinion to its sorting page for those who read it there (never for the member it
    is about: `visible_opinions` leaves those out; the sorting page applies its own rules
    on sources), a finding to its check, a 补课 order to its page. A link the
    reader may not follow has no entry. One query per kind of record linked."""
    links = list(links)
    wanted: dict[str, set[int]] = {"opinion": set(), "check": set(), "order": set()}
    for link in links:
        if link.opinion_id is not None:
            wanted["opinion"].add(link.opinion_id)
        elif link.check_finding_id is not None:
            wanted["check"].add(link.check_finding.check_record_id)  # type: ignore[union-attr]
        elif link.remediation_id is not None:
            wanted["order"].add(link.remediation_id)
    allowed = {
        kind: set(queryset.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        for kind, ids, queryset in (
            ("opinion", wanted["opinion"], visible_opinions(user)),
            ("check", wanted["check"], visible_checks(user)),
            ("order", wanted["order"], visible_orders(user)),
        )
    }
    found: dict[int, str] = {}
    for link in links:
        if link.opinion_id in allowed["opinion"]:
            found[link.pk] = reverse("opinions:sorting_detail", args=[link.opinion_id])
        elif link.check_finding_id is not None:
            check_id = link.check_finding.check_record_id  # type: ignore[union-attr]
            if check_id in allowed["check"]:
                found[link.pk] = reverse("supervision:check_detail", args=[check_id])
        elif link.remediation_id in allowed["order"]:
            found[link.pk] = reverse("supervision:order_detail", args=[link.remediation_id])
    return found


# --- What a plan may link (never a source) ----------------------------------------------


def linkable_opinions(plan: Plan) -> QuerySet[Opinion]:
    """The opinions a plan may answer. A member's: the points of their own feedback
    sheet (sorted, about them, not a survey row — those reach them only as an
    aggregate). A branch's or the committee's: the sorted opinions about that unit."""
    sorted_ = Opinion.objects.filter(campaign_id=plan.campaign_id, status=Opinion.Status.SORTED)
    if plan.level == Plan.Level.MEMBER:
        return sorted_.filter(
            subject_kind=Opinion.SubjectKind.MEMBER, subject_member_id=plan.member_id
        ).exclude(channel__in=AGGREGATE_ONLY_CHANNELS)
    kind = (
        Opinion.SubjectKind.BRANCH
        if plan.level == Plan.Level.BRANCH
        else Opinion.SubjectKind.COMMITTEE
    )
    return sorted_.filter(subject_kind=kind, subject_unit_id=plan.unit_id)


def linkable_reviews(plan: Plan) -> QuerySet[BranchReview]:
    """A member's plan may answer the branch's reviews of their self-analysis (what the
    member already reads: the problems pointed out, the directions)."""
    if plan.level != Plan.Level.MEMBER:
        return BranchReview.objects.none()
    return BranchReview.objects.filter(
        round__document__campaign_id=plan.campaign_id,
        round__document__member=plan.member,
    )


def linkable_check_findings(plan: Plan) -> QuerySet[CheckFinding]:
    """A branch's plan may answer the supervision's findings about the branch."""
    if plan.level != Plan.Level.BRANCH:
        return CheckFinding.objects.none()
    return CheckFinding.objects.filter(
        check_record__round__campaign_id=plan.campaign_id,
        check_record__branch_id=plan.unit_id,
        check_record__status=Check.Status.DONE,
    )


def linkable_remediation_orders(plan: Plan) -> QuerySet[RemediationOrder]:
    """Make-up orders addressed to the member (a member's plan) or to the branch as a
    whole (a branch's plan)."""
    orders = RemediationOrder.objects.filter(campaign_id=plan.campaign_id)
    if plan.level == Plan.Level.MEMBER:
        return orders.filter(member=plan.member)
    if plan.level == Plan.Level.BRANCH:
        return orders.filter(branch_id=plan.unit_id, member__isnull=True)
    return orders.none()


# --- Activities, donations, ideas -------------------------------------------------------


def visible_activities(user: Person) -> QuerySet[Activity]:
    """The readers of the scope, and the members of the unit (or below it)."""
    query = under(paths(user, PLAN_READ_ROLES), "branch__path")
    member = member_of(user)
    if member is not None:
        query |= Q(branch_id__in=path_ids(member.branch.path))
    return Activity.objects.filter(query).select_related("branch", "campaign")


def can_manage_activity(user: Person, activity: Activity) -> bool:
    """Change the activity, record its donations, decide its ideas: the branch's officers."""
    return covers(paths(user, BRANCH_OFFICER_ROLES), activity.branch.path)


def can_create_activity(user: Person, branch: Unit) -> bool:
    return covers(paths(user, BRANCH_OFFICER_ROLES), branch.path)


def is_donation_keeper(user: Person, activity: Activity) -> bool:
    """Sees every donation line's amount: the activity's named treasurer; while nobody
    is named, the branch secretary."""
    if activity.treasurer_id is not None:
        return activity.treasurer_id == getattr(user, "pk", None)
    return covers(paths(user, DEFAULT_KEEPER_ROLES), activity.branch.path)


def can_see_donation(user: Person, donation: Donation) -> bool:
    """Who gave how much: the member themself, and the keeper."""
    own = _own_member_id(user)
    if own is not None and donation.member_id == own:
        return True
    return is_donation_keeper(user, donation.activity)


def can_record_donation(user: Person, activity: Activity) -> bool:
    return activity.kind == Activity.Kind.DONATION and is_donation_keeper(user, activity)


def visible_donations(user: Person, activity: Activity) -> QuerySet[Donation]:
    """The lines of the activity this person may read with their amounts."""
    lines = Donation.objects.filter(activity=activity).select_related("member")
    if is_donation_keeper(user, activity):
        return lines
    own = _own_member_id(user)
    return lines.filter(member_id=own) if own is not None else lines.none()


def get_donation_for_user(user: Person, pk: object) -> Donation:
    """A donation line: 404 unless it is the person's own or they keep the activity's
    lines (a line's existence is as private as its amount)."""
    lines = Donation.objects.filter(activity__in=visible_activities(user)).select_related(
        "activity", "activity__branch", "member"
    )
    return get_for_user(lines, user, pk, see=can_see_donation)


def can_submit_idea(user: Person, activity: Activity) -> bool:
    """Give a golden idea: a member of the activity's unit."""
    member = member_of(user)
    return (
        activity.kind == Activity.Kind.IDEAS
        and member is not None
        and member.branch.path.startswith(activity.branch.path)
    )


def visible_ideas(user: Person) -> QuerySet[Idea]:
    return Idea.objects.filter(activity__in=visible_activities(user)).select_related(
        "activity", "author", "became"
    )


def idea_author_shown(idea: Idea) -> Member | None:
    """The author a page may name: none for an anonymous idea, whoever reads it."""
    return None if idea.anonymous else idea.author


def get_activity_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Activity], bool] | None = None
) -> Activity:
    return get_for_user(visible_activities(user), user, pk, need=need)


def get_idea_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Idea], bool] | None = None
) -> Idea:
    return get_for_user(visible_ideas(user), user, pk, need=need)


def can_decide_idea(user: Person, idea: Idea) -> bool:
    return can_manage_activity(user, idea.activity)


# --- Activities workflow (activities/) ---------------------------------------------------


def activity_branches(user: Person) -> QuerySet[Unit]:
    """The branches where the person may record an activity (as a branch officer)."""
    return Unit.objects.filter(
        under(paths(user, BRANCH_OFFICER_ROLES), "path"), kind=Unit.Kind.BRANCH
    ).order_by("path")


def can_create_activity_in_campaign(user: Person, campaign: Campaign) -> bool:
    return activity_branches(user).filter(path__startswith=campaign.unit.path).exists()


def get_kept_donation_for_user(user: Person, pk: object) -> Donation:
    """A donation line to change or remove: 404 unless the person sees the line, 403
    unless they keep the activity's lines."""
    lines = Donation.objects.filter(activity__in=visible_activities(user)).select_related(
        "activity", "activity__branch", "member"
    )
    return get_for_user(
        lines, user, pk, see=can_see_donation, need=lambda u, d: can_record_donation(u, d.activity)
    )


# --- Plans workflow (plans/) ------------------------------------------------------------


def own_plan(user: Person, campaign: Campaign) -> Plan | None:
    """The person's own member plan in the campaign, if they have started one."""
    own = _own_member_id(user)
    if own is None:
        return None
    return visible_plans(user).filter(campaign=campaign, member_id=own).first()


def reviewable_plans(user: Person) -> QuerySet[Plan]:
    """The plans this person approves or returns (`can_review_plan` as a query):
    members' plans of the branches they are an officer of (never their own), and the
    branches' and the committee's plans under their committee scope."""
    query = under(paths(user, BRANCH_OFFICER_ROLES), "member__branch__path")
    query |= under(paths(user, ADMIN_ROLES), "unit__path")
    plans = visible_plans(user).filter(query)
    own = _own_member_id(user)
    return plans.exclude(member_id=own) if own is not None else plans


def plan_units(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The units whose plan (branch or committee) this person may start in the
    campaign: the branches they are an officer of, the campaign's unit for the
    committee."""
    branches = Unit.objects.filter(
        under(paths(user, BRANCH_OFFICER_ROLES), "path"),
        kind=Unit.Kind.BRANCH,
        is_active=True,
        path__startswith=campaign.unit.path,
    )
    committee = Unit.objects.filter(pk=campaign.unit_id).filter(
        under(paths(user, ADMIN_ROLES), "path")
    )
    return (branches | committee).order_by("path")


def get_evidence_for_user(user: Person, pk: object) -> Update:
    """An update that holds an evidence file, for its download: whoever sees the item."""
    return get_for_user(visible_updates(user).exclude(evidence=""), user, pk)


# --- Campaigns --------------------------------------------------------------------------


def rectification_campaigns(user: Person) -> QuerySet[Campaign]:
    """Campaigns whose rectification the person takes part in or reads."""
    return visible_campaigns(user)


def get_rectification_campaign_for_user(
    user: Person, pk: object, *, need: Callable[[Person, Campaign], bool] | None = None
) -> Campaign:
    return get_for_user(rectification_campaigns(user), user, pk, need=need)


# --- Ledgers (ledgers/) -----------------------------------------------------------------
# A ledger shows the plans it counts: whoever reads a member's plan reads that member's
# ledger (一人一账), even before the plan exists; the branch ledger and the roll-up are
# for the readers of plans in the scope (the branch's officers, the general-branch
# secretary, the committee, supervisors, observers); "you said, we did" is also for the
# members of the branch, and shows only what they read anyway (approved unit plans).
# Each is of one campaign: a branch or member outside the campaign's unit is a 404.


def reads_ledgers(user: Person) -> bool:
    """Whether the person reads any ledger: no query beyond the scopes the navigation
    has already read."""
    return bool(paths(user, PLAN_READ_ROLES))


def ledger_paths(user: Person) -> list[str]:
    """The subtrees whose plans the person reads in the ledgers."""
    return paths(user, PLAN_READ_ROLES)


def ledger_roots(user: Person, campaign: Campaign) -> list[Unit]:
    """The tops of the person's ledger in the campaign: their scopes inside the campaign's
    unit (a scope above it becomes the campaign's unit), each subtree once."""
    found: set[str] = set()
    for path in ledger_paths(user):
        if path.startswith(campaign.unit.path):
            found.add(path)
        elif campaign.unit.path.startswith(path):
            found.add(campaign.unit.path)
    kept: list[str] = []
    for path in sorted(found, key=len):
        if not any(path.startswith(other) for other in kept):
            kept.append(path)
    if not kept:
        return []
    return list(Unit.objects.filter(path__in=kept, is_active=True).order_by("path"))


def get_ledger_roots_for_user(user: Person, campaign: Campaign) -> list[Unit]:
    """The roll-up's tops: a 404 for a person who reads no plan in the campaign."""
    roots = ledger_roots(user, campaign)
    if not roots:
        raise Http404
    return roots


def ledger_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The branches of the campaign whose ledger the person reads."""
    return Unit.objects.filter(
        under(ledger_paths(user), "path"),
        kind=Unit.Kind.BRANCH,
        path__startswith=campaign.unit.path,
    )


def get_ledger_branch_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    return get_for_user(ledger_branches(user, campaign), user, pk)


def ledger_members(user: Person, campaign: Campaign) -> QuerySet[Member]:
    """The members of the campaign whose ledger the person reads: the rule of
    `visible_plans` for a member's plan, asked of the member (their plan may not
    exist yet)."""
    query = under(ledger_paths(user), "branch__path")
    own = _own_member_id(user)
    if own is not None:
        query |= Q(pk=own)
    return Member.objects.filter(query, branch__path__startswith=campaign.unit.path).select_related(
        "branch"
    )


def get_ledger_member_for_user(user: Person, campaign: Campaign, pk: object) -> Member:
    return get_for_user(ledger_members(user, campaign), user, pk)


def said_did_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The branches of the campaign whose "you said, we did" (你们提的，我们改的) the
    person reads: their own branch, and the branches whose plans they read."""
    query = under(ledger_paths(user), "path")
    member = member_of(user)
    if member is not None:
        query |= Q(pk=member.branch_id)
    return Unit.objects.filter(query, kind=Unit.Kind.BRANCH, path__startswith=campaign.unit.path)


def get_said_did_branch_for_user(user: Person, campaign: Campaign, pk: object) -> Unit:
    return get_for_user(said_did_branches(user, campaign), user, pk)
