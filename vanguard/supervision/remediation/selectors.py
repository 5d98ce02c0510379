"""Reads for make-up work (补课), guidance and the lagging branches, each starting from
what `supervision.access` lets the person see."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanguard.accounts.access import Person
from vanguard.campaigns import progress
from vanguard.campaigns.models import Campaign
from vanguard.organization.models import Member, Unit
from vanguard.supervision import access
from vanguard.supervision.models import (
    Check,
    CheckFinding,
    CheckItem,
    Finding,
    GuidanceSession,
    RemediationOrder,
)

Status = RemediationOrder.Status
# Orders the person responsible still has to act on.
OPEN_STATUSES = (Status.OPEN, Status.REOPENED)


def is_overdue(order: RemediationOrder, today: datetime.date | None = None) -> bool:
    """Past its deadline and not verified."""
    return order.status != Status.VERIFIED and order.deadline < (today or timezone.localdate())


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(deadline__lt=today or timezone.localdate()) & ~Q(status=Status.VERIFIED)


def campaign_orders(
    user: Person,
    campaign: Campaign,
    *,
    status: str = "",
    branch: Unit | None = None,
    overdue: bool = False,
) -> QuerySet[RemediationOrder]:
    orders = access.visible_orders(user).filter(campaign=campaign)
    if status:
        orders = orders.filter(status=status)
    if branch is not None:
        orders = orders.filter(branch__path__startswith=branch.path)
    if overdue:
        orders = orders.filter(overdue_q())
    return orders.select_related("check_record__round", "ordered_by").order_by(
        "deadline", "branch__path", "pk"
    )


def status_counts(orders: QuerySet[RemediationOrder]) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for row in orders.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    counts["overdue"] = orders.filter(overdue_q()).count()
    counts["total"] = sum(counts[s] for s in Status.values)
    return counts


def order_branches(user: Person, campaign: Campaign) -> QuerySet[Unit]:
    """The branches a person may filter the campaign's orders by."""
    return (
        access.findings_branches(user)
        .filter(path__startswith=campaign.unit.path, kind=Unit.Kind.BRANCH)
        .order_by("path")
    )


def orders_to_report(user: Person) -> list[RemediationOrder]:
    """The orders of running campaigns the person may report done now, soonest first:
    their to-do (the home page's, and the first list of `my_orders`)."""
    return list(
        access.reportable_orders(user)
        .filter(campaign__status=Campaign.Status.ACTIVE)
        .order_by("deadline", "pk")
    )


def my_orders(user: Person) -> tuple[list[RemediationOrder], list[RemediationOrder]]:
    """A person's to-do: the orders they may report done now (as the person
    responsible, the member it is for, or the branch's secretary); and the others
    about them or reported by them (waiting for the re-check, or done)."""
    if not getattr(user, "is_authenticated", False):
        return [], []
    todo = orders_to_report(user)
    mine = list(
        access.visible_orders(user)
        .filter(Q(responsible=user) | Q(reported_by=user) | Q(member__user=user))
        .filter(campaign__status=Campaign.Status.ACTIVE)
        .exclude(pk__in=[order.pk for order in todo])
        .order_by("deadline", "pk")
    )
    return todo, mine


def branch_members(branch: Unit) -> QuerySet[Member]:
    return (
        Member.objects.filter(branch=branch, is_active=True)
        .select_related("user")
        .order_by("number")
    )


# --- Guidance -------------------------------------------------------------------------------


def campaign_guidance(
    user: Person, campaign: Campaign, *, branch: Unit | None = None
) -> QuerySet[GuidanceSession]:
    sessions = access.visible_guidance(user).filter(campaign=campaign)
    if branch is not None:
        sessions = sessions.filter(branch__path__startswith=branch.path)
    return sessions.order_by("-held_on", "-pk")


# --- Lagging branches (进度滞后) -------------------------------------------------------------


@dataclass
class Lagging:
    branch: Unit
    reasons: list[str] = field(default_factory=list)
    behind: float = 0.0
    overdue: int = 0
    last_guidance: datetime.date | None = None


def lagging_branches(user: Person, campaign: Campaign) -> list[Lagging]:
    """The branches this person checks that lag: behind their phase's requirements (the
    campaign's progress), a 缺失 finding in their latest check, or overdue make-up work;
    each with why, furthest behind first."""
    branches = {
        b.pk: b
        for b in access.supervised_branches(user)
        .filter(path__startswith=campaign.unit.path)
        .order_by("path")
    }
    if not branches:
        return []
    found: dict[int, Lagging] = {}

    def entry(branch_id: int) -> Lagging:
        if branch_id not in found:
            found[branch_id] = Lagging(branch=branches[branch_id])
        return found[branch_id]

    if access.can_manage_supervision(user, campaign):
        roots: list[Unit] = [campaign.unit]
    else:
        roots = list(branches.values())
    judged = progress.campaign_progress(campaign=campaign, roots=roots)
    for unit in judged.lagging:
        if unit.id not in branches:
            continue
        lag = entry(unit.id)
        lag.behind = unit.behind
        phase = unit.phase.name if unit.phase else ""
        lag.reasons.append(
            _("%(phase)s未达到要求：%(items)s")
            % {"phase": phase, "items": _("、").join(unit.unmet_labels) or _("进度不足")}
        )

    latest: dict[int, Check] = {}
    checks = (
        access.visible_checks(user)
        .filter(round__campaign=campaign, branch_id__in=list(branches), status=Check.Status.DONE)
        .order_by("branch_id", "-round__starts_on", "-checked_on", "-pk")
    )
    for check in checks:
        latest.setdefault(check.branch_id, check)
    missing: dict[int, list[str]] = defaultdict(list)
    items = dict(CheckItem.choices)
    for branch_id, item in (
        CheckFinding.objects.filter(check_record__in=list(latest.values()), finding=Finding.MISSING)
        .order_by("pk")
        .values_list("check_record__branch_id", "item")
    ):
        missing[branch_id].append(str(items.get(item, item)))
    for branch_id, names in missing.items():
        entry(branch_id).reasons.append(
            _("最近一次检查（%(round)s）缺失：%(items)s")
            % {"round": latest[branch_id].round.title, "items": _("、").join(names)}
        )

    overdue = (
        access.visible_orders(user)
        .filter(overdue_q(), campaign=campaign, branch_id__in=list(branches))
        .order_by()
        .values("branch_id")
        .annotate(n=Count("pk"))
    )
    for row in overdue:
        lag = entry(row["branch_id"])
        lag.overdue = row["n"]
        lag.reasons.append(
            ngettext("%(n)d 项补课逾期未完成", "%(n)d 项补课逾期未完成", row["n"]) % {"n": row["n"]}
        )

    last = (
        GuidanceSession.objects.filter(campaign=campaign, branch_id__in=list(found))
        .order_by("branch_id", "-held_on")
        .values_list("branch_id", "held_on")
    )
    for branch_id, held_on in last:
        if found[branch_id].last_guidance is None:
            found[branch_id].last_guidance = held_on
    return sorted(found.values(), key=lambda lag: (-lag.behind, -lag.overdue, lag.branch.path))
