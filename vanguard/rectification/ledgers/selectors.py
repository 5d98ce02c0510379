"""Reads of the ledgers (整改台账): each member's ledger (一人一账), the branch ledger,
the roll-up over a person's scope (the college's ledger), and "you said, we did"
(你们提的，我们改的) for the members of a branch.

Every count comes from one function, `tally_plans`, which counts any set of plans
and their items in one grouped query: the member rows of a branch, the branch, the
general branches and the college are the same arithmetic over different groupings,
so their totals agree with the items by construction. What an item's status means
(overdue, due, done on time) is written once in `rectification.selectors` and shared
with the requirement kinds the dashboards show.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, Expression, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from vanguard.accounts.access import Person, under
from vanguard.campaigns.models import Campaign
from vanguard.organization.models import Member, Unit
from vanguard.rectification import access
from vanguard.rectification.activities.selectors import campaign_activities
from vanguard.rectification.models import Activity, Idea, Item, ItemLink, Plan, Update
from vanguard.rectification.plans.selectors import ItemView, plan_items
from vanguard.rectification.selectors import (
    LinkShown,
    due_q,
    link_shown,
    on_time_q,
    overdue_q,
)

# A plan counts as written once submitted (a returned plan is being revised; it was
# written), as the requirement "every member has a plan" counts it.
WRITTEN = (Plan.Status.SUBMITTED, Plan.Status.RETURNED, Plan.Status.APPROVED)


@dataclass
class Tally:
    """Counts over a set of plans and their items. Member plans and unit (branch)
    plans are counted apart; items are counted over both."""

    members: int = 0  # active members (filled by the caller that knows the roster)
    member_plans: int = 0  # started, whatever their status
    written: int = 0  # submitted, returned or approved
    submitted: int = 0  # waiting for a decision
    approved: int = 0
    branches: int = 0  # branches counted (filled by the roll-up)
    branch_plans: int = 0
    branch_plans_approved: int = 0
    items: int = 0
    planned: int = 0
    in_progress: int = 0
    done: int = 0
    verified: int = 0
    overdue: int = 0
    due: int = 0  # deadline today or past
    on_time: int = 0  # of those, done by the deadline

    def add(self, other: Tally) -> None:
        for spec in fields(self):
            setattr(self, spec.name, getattr(self, spec.name) + getattr(other, spec.name))

    @property
    def finished(self) -> int:
        """Done or verified."""
        return self.done + self.verified

    @property
    def not_started(self) -> int:
        """Active members with no written plan."""
        return max(self.members - self.written, 0)

    @property
    def on_time_percent(self) -> int | None:
        """The share of the items due that were done by their deadline; None when
        nothing is due yet (not behind, and not 100 % of anything either)."""
        if not self.due:
            return None
        # Rounded down, as the requirement kind reads it: 79.9 % is not 80 %.
        return self.on_time * 100 // self.due


_ITEM_COUNTS = {
    "planned": Q(items__status=Item.Status.PLANNED),
    "in_progress": Q(items__status=Item.Status.IN_PROGRESS),
    "done": Q(items__status=Item.Status.DONE),
    "verified": Q(items__status=Item.Status.VERIFIED),
}


def tally_plans(
    plans: QuerySet[Plan], by: Expression | F | str, *, today: datetime.date | None = None
) -> dict[Any, Tally]:
    """{key: Tally} for the plans grouped by `by` (an expression over Plan: "pk",
    "member_id", the owner's branch …), in one query whatever their number."""
    today = today or timezone.localdate()
    key = F(by) if isinstance(by, str) else by
    rows = (
        plans.order_by()
        .annotate(ledger_key=key)
        .values("ledger_key", "level")
        .annotate(
            plans=Count("pk", distinct=True),
            written=Count("pk", distinct=True, filter=Q(status__in=WRITTEN)),
            submitted=Count("pk", distinct=True, filter=Q(status=Plan.Status.SUBMITTED)),
            approved=Count("pk", distinct=True, filter=Q(status=Plan.Status.APPROVED)),
            items_n=Count("items"),
            overdue=Count("items", filter=overdue_q(today, "items__")),
            due=Count("items", filter=due_q(today, "items__")),
            on_time=Count("items", filter=due_q(today, "items__") & on_time_q("items__")),
            **{name: Count("items", filter=condition) for name, condition in _ITEM_COUNTS.items()},
        )
    )
    found: dict[Any, Tally] = {}
    for row in rows:
        tally = found.setdefault(row["ledger_key"], Tally())
        if row["level"] == Plan.Level.MEMBER:
            tally.member_plans += row["plans"]
            tally.written += row["written"]
            tally.submitted += row["submitted"]
            tally.approved += row["approved"]
        elif row["level"] == Plan.Level.BRANCH:
            tally.branch_plans += row["plans"]
            tally.branch_plans_approved += row["approved"]
        tally.items += row["items_n"]
        tally.overdue += row["overdue"]
        tally.due += row["due"]
        tally.on_time += row["on_time"]
        for name in _ITEM_COUNTS:
            setattr(tally, name, getattr(tally, name) + row[name])
    return found


def _counted_plans(user: Person, campaign: Campaign) -> QuerySet[Plan]:
    """The plans a ledger counts: those the person reads, of active members (a member
    who left is off the roster, so off the ledger) and of units."""
    return (
        access.visible_plans(user)
        .filter(campaign=campaign)
        .filter(Q(member__isnull=True) | Q(member__is_active=True))
    )


def _owner_branch() -> Coalesce:
    # A member's plan is placed by the member's branch, a unit's by its unit.
    return Coalesce("member__branch_id", "unit_id")


def _members_by_branch(branch_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Member.objects.filter(branch_id__in=list(branch_ids), is_active=True)
        .order_by()
        .values("branch_id")
        .annotate(n=Count("pk"))
        .values_list("branch_id", "n")
    )
    return dict(rows)


# --- Each member's ledger (一人一账) -------------------------------------------------------


@dataclass
class MemberLedger:
    member: Member
    plan: Plan | None
    items: list[ItemView]
    tally: Tally


def member_ledger(user: Person, campaign: Campaign, member: Member) -> MemberLedger:
    """The member's plan in the campaign, its items (status, deadline, overdue,
    verification, the latest update) and its counts."""
    plan = access.visible_plans(user).filter(campaign=campaign, member=member).first()
    if plan is None:
        return MemberLedger(member, None, [], Tally(members=1))
    tally = tally_plans(Plan.objects.filter(pk=plan.pk), "pk").get(plan.pk, Tally())
    tally.members = 1
    return MemberLedger(member, plan, plan_items(plan), tally)


# --- The branch ledger ----------------------------------------------------------------


@dataclass
class MemberRow:
    member: Member
    plan_id: int | None
    plan_status: str  # "" when the member has no plan
    plan_status_label: str
    tally: Tally

    @property
    def started(self) -> bool:
        return self.plan_status in WRITTEN


@dataclass
class ActivityRow:
    activity: Activity
    total: Any  # the public total of a donation (never who gave how much)
    ideas: int
    adopted: int


@dataclass
class BranchLedger:
    branch: Unit
    plan: Plan | None
    plan_items: list[ItemView]
    plan_tally: Tally
    total: Tally  # the branch's plan and its members' plans
    rows: list[MemberRow]
    activities: list[ActivityRow] = field(default_factory=list)


# How the member rows may be narrowed (?show=) and ordered (?sort=).
ROW_FILTERS = ("not_started", "submitted", "returned", "approved", "overdue")
ROW_SORTS = ("number", "overdue", "on_time", "status")


def _row_matches(row: MemberRow, show: str) -> bool:
    if show == "not_started":
        return not row.started
    if show == "overdue":
        return row.tally.overdue > 0
    if show in (Plan.Status.SUBMITTED, Plan.Status.RETURNED, Plan.Status.APPROVED):
        return row.plan_status == show
    return True


_STATUS_ORDER = {"": 0, Plan.Status.DRAFT: 1, Plan.Status.RETURNED: 2, Plan.Status.SUBMITTED: 3}


def _sort_key(sort: str) -> Any:
    if sort == "overdue":
        return lambda row: (-row.tally.overdue, row.member.number, row.member.pk)
    if sort == "on_time":
        # The least done by the deadline first; nothing due yet last.
        return lambda row: (
            row.tally.on_time_percent is None,
            row.tally.on_time_percent or 0,
            row.member.number,
        )
    if sort == "status":
        return lambda row: (_STATUS_ORDER.get(row.plan_status, 9), row.member.number)
    return lambda row: (row.member.number, row.member.pk)


def branch_ledger(
    user: Person, campaign: Campaign, branch: Unit, *, show: str = "", sort: str = ""
) -> BranchLedger:
    """The branch's plan with its items, one row per active member (their plan's status
    and counts), the branch's totals and its activities: a fixed number of queries
    whatever the number of members."""
    plans = _counted_plans(user, campaign)
    today = timezone.localdate()
    members = list(
        Member.objects.filter(branch=branch, is_active=True)
        .select_related("branch")
        .order_by("number", "pk")
    )
    member_plans = plans.filter(member__branch=branch)
    by_member = tally_plans(member_plans, "member_id", today=today)
    status_of = {
        member_id: (pk, status)
        for member_id, pk, status in member_plans.order_by().values_list(
            "member_id", "pk", "status"
        )
    }
    labels = dict(Plan.Status.choices)
    rows = []
    for member in members:
        tally = by_member.get(member.pk, Tally())
        tally.members = 1
        plan_id, status = status_of.get(member.pk, (None, ""))
        rows.append(MemberRow(member, plan_id, status, str(labels.get(status, "")), tally))

    plan = plans.filter(level=Plan.Level.BRANCH, unit=branch).first()
    plan_tally = (
        tally_plans(plans.filter(pk=plan.pk), "pk", today=today).get(plan.pk, Tally())
        if plan
        else Tally()
    )
    total = tally_plans(
        plans.filter(Q(member__branch=branch) | Q(level=Plan.Level.BRANCH, unit=branch)),
        _owner_branch(),
        today=today,
    ).get(branch.pk, Tally())
    total.members = len(members)
    total.branches = 1

    shown = [row for row in rows if _row_matches(row, show)] if show in ROW_FILTERS else rows
    shown.sort(key=_sort_key(sort if sort in ROW_SORTS else "number"))
    return BranchLedger(
        branch=branch,
        plan=plan,
        plan_items=plan_items(plan) if plan else [],
        plan_tally=plan_tally,
        total=total,
        rows=shown,
        activities=branch_activities(user, campaign, branch),
    )


def branch_activities(user: Person, campaign: Campaign, branch: Unit) -> list[ActivityRow]:
    """The branch's activities with their public figures: a donation's total (never a
    person's amount), the ideas collected and adopted."""
    activities = list(campaign_activities(user, campaign, branch=branch))
    adopted = dict(
        Idea.objects.filter(activity__in=[a.pk for a in activities], decision=Idea.Decision.ADOPTED)
        .order_by()
        .values("activity_id")
        .annotate(n=Count("id"))
        .values_list("activity_id", "n")
    )
    return [
        ActivityRow(a, a.total, a.idea_count, adopted.get(a.pk, 0))  # type: ignore[attr-defined]
        for a in activities
    ]


# --- The roll-up (the college's ledger) ------------------------------------------------


@dataclass
class UnitRow:
    unit: Unit
    depth: int  # below the top of the ledger (0 for a root)
    tally: Tally

    @property
    def is_branch(self) -> bool:
        return self.unit.kind == Unit.Kind.BRANCH


@dataclass
class RollUp:
    roots: list[Unit]
    rows: list[UnitRow]
    total: Tally
    committee_plan: Plan | None
    committee_tally: Tally | None


ROLLUP_KINDS = (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH, Unit.Kind.BRANCH)


def roll_up(user: Person, campaign: Campaign, roots: list[Unit]) -> RollUp:
    """Per general branch and branch under `roots`: members, plans written and approved,
    the branch plans approved, items by status, overdue, verified and the share done by
    the deadline. Four queries, whatever the number of units or members."""
    root_paths = [root.path for root in roots]
    units = list(
        Unit.objects.filter(
            under(root_paths, "path"), is_active=True, kind__in=ROLLUP_KINDS
        ).order_by("path")
    )
    branches = [unit for unit in units if unit.kind == Unit.Kind.BRANCH]
    plans = _counted_plans(user, campaign).exclude(level=Plan.Level.COMMITTEE)
    plans = plans.filter(
        under(root_paths, "member__branch__path") | under(root_paths, "unit__path")
    )
    by_branch = tally_plans(plans, _owner_branch())
    members = _members_by_branch(unit.pk for unit in branches)

    tallies: dict[int, Tally] = {unit.pk: Tally() for unit in units}
    paths = {unit.pk: unit.path for unit in units}
    for branch in branches:
        own = by_branch.get(branch.pk, Tally())
        own.members = members.get(branch.pk, 0)
        own.branches = 1
        # Add the branch to itself and every unit above it in the ledger.
        for unit in units:
            if branch.path.startswith(paths[unit.pk]):
                tallies[unit.pk].add(own)
    # A root above the branches is the total row; what lies below it is indented from it.
    rows = []
    for unit in units:
        root = next(r for r in roots if unit.path.startswith(r.path))
        if root.kind == Unit.Kind.BRANCH:
            rows.append(UnitRow(unit, 0, tallies[unit.pk]))
        elif unit.pk != root.pk:
            rows.append(UnitRow(unit, unit.depth - root.depth - 1, tallies[unit.pk]))
    total = Tally()
    for root in roots:
        if root.pk in tallies:
            total.add(tallies[root.pk])

    committee_plan = (
        access.visible_plans(user)
        .filter(campaign=campaign, level=Plan.Level.COMMITTEE, unit=campaign.unit)
        .first()
    )
    committee_tally = None
    if committee_plan is not None:
        committee_tally = tally_plans(Plan.objects.filter(pk=committee_plan.pk), "pk").get(
            committee_plan.pk, Tally()
        )
    return RollUp(roots, rows, total, committee_plan, committee_tally)


# --- You said, we did (你们提的，我们改的) ------------------------------------------------


@dataclass
class SaidDid:
    item: Item
    said: list[LinkShown]  # what was said, as `link_shown` shows it (never who, when, how)
    latest: Update | None


def said_did(user: Person, campaign: Campaign, branch: Unit) -> list[SaidDid]:
    """The items of the branch's approved plan and of the committee's approved plan
    that answer opinions, each with what was said, the measure, the status and the
    latest evidence. A member's own plan never appears here, nor a plan not approved."""
    plans = (
        access.visible_plans(user)
        .filter(campaign=campaign, status=Plan.Status.APPROVED)
        .filter(
            Q(level=Plan.Level.BRANCH, unit=branch)
            | Q(level=Plan.Level.COMMITTEE, unit=campaign.unit)
        )
    )
    opinion_links = ItemLink.objects.filter(target=ItemLink.Target.OPINION).select_related(
        "opinion__aspect"
    )
    updates = Update.objects.select_related("meeting", "study_session", "activity").order_by(
        "on", "pk"
    )
    items = (
        Item.objects.filter(
            plan__in=plans,
            pk__in=ItemLink.objects.filter(target=ItemLink.Target.OPINION).values("item_id"),
        )
        .select_related("plan", "plan__unit", "responsible")
        .prefetch_related(
            Prefetch("links", queryset=opinion_links.order_by("pk"), to_attr="opinion_links"),
            Prefetch("updates", queryset=updates, to_attr="ordered_updates"),
        )
        .order_by("plan__level", "order", "pk")
    )
    found = []
    for item in items:
        shown = [link_shown(link) for link in item.opinion_links]  # type: ignore[attr-defined]
        ordered: list[Update] = item.ordered_updates  # type: ignore[attr-defined]
        found.append(SaidDid(item, shown, ordered[-1] if ordered else None))
    return found
