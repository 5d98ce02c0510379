"""The requirement kinds (检查项) of rectification, registered with the campaign's
requirement registry at start-up (`RectificationConfig.ready` imports this module):

* ``member_rectification_plan`` — the member has a plan (submitted at least, or
  approved, as the parameter says) in the campaign;
* ``branch_rectification_plan_approved`` — the branch's own plan is approved;
* ``branch_rectification_items_done`` — at least N % of the items due by today (of
  the branch's plan and its members' plans) were done by their deadline: the value is
  the share reached, shown on the dashboard beside the target. A branch with no item
  due yet has reached 100 %.

Each evaluator answers for every member or branch of the scope with one query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.requirements import (
    BRANCH,
    MEMBER,
    SUBMISSION_READINGS,
    ChoiceParam,
    Context,
    IntParam,
    RequirementKind,
    counts_records_of,
    register,
)


def _plan_states() -> list[tuple[str, Any]]:
    return [("submitted", _("已提交")), ("approved", _("已审核通过"))]


PLAN_STATE = ChoiceParam("state", _("计划状态"), _plan_states, default="submitted")
SHARE = IntParam("percent", _("完成比例（%）"), default=80, min_value=1, max_value=100)

_SUBMITTED_OR_LATER = ("submitted", "returned", "approved")


def _member_plans(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    """{member id: 1} for members with a plan in the wanted state (or a later one)."""
    from vanguard.rectification.models import Plan

    states = _SUBMITTED_OR_LATER if params["state"] == "submitted" else ("approved",)

    def compute() -> dict[int, int]:
        # A returned plan was submitted once: it counts as "submitted" (being revised).
        member_ids = (
            Plan.objects.filter(
                campaign=ctx.campaign,
                level=Plan.Level.MEMBER,
                member__is_active=True,
                status__in=states,
            )
            .filter(ctx.under("member__branch__path"))
            .order_by()
            .values_list("member_id", flat=True)
        )
        return dict.fromkeys(member_ids, 1)

    found: dict[int, int] = ctx.shared(("rectification_member_plans", states), compute)
    return found


def written_plans(ctx: Context) -> dict[int, int]:
    """{member id: 1} for each member whose plan is written (submitted at least): a
    reading for the blind spots (死角) — a written plan is something the member handed
    in, so in phase 3 a member with a plan is not "silent"."""
    return _member_plans(ctx, None, {"state": "submitted"})


def _branch_plan_approved(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    from vanguard.rectification.models import Plan

    unit_ids = (
        Plan.objects.filter(
            campaign=ctx.campaign, level=Plan.Level.BRANCH, status=Plan.Status.APPROVED
        )
        .filter(ctx.under("unit__path"))
        .order_by()
        .values_list("unit_id", flat=True)
    )
    return dict.fromkeys(unit_ids, 1)


def items_done_on_time(ctx: Context) -> dict[int, tuple[int, int]]:
    """{branch id: (items due by today, of them done by their deadline)}: the branch's
    own plan and its members' plans, in one query (shared by one progress run)."""
    from vanguard.rectification.models import Item
    from vanguard.rectification.selectors import due_q, on_time_q

    def compute() -> dict[int, tuple[int, int]]:
        today = timezone.localdate(ctx.now)
        on_time = on_time_q()
        base = Item.objects.filter(due_q(today), plan__campaign=ctx.campaign)
        result: dict[int, tuple[int, int]] = {}
        # A branch's own plan is placed by its unit, a member's by the member's branch.
        for owner in ("plan__unit", "plan__member__branch"):
            rows = (
                base.filter(**{f"{owner}__isnull": False})
                .filter(ctx.under(f"{owner}__path"))
                .order_by()
                .values(f"{owner}_id")
                .annotate(due=Count("pk"), done=Count("pk", filter=on_time))
                .values_list(f"{owner}_id", "due", "done")
            )
            for branch_id, due, done in rows:
                before = result.get(branch_id, (0, 0))
                result[branch_id] = (before[0] + due, before[1] + done)
        return result

    shared: dict[int, tuple[int, int]] = ctx.shared("rectification_items_done", compute)
    return shared


def _items_done(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    """{branch id: the percentage of its items due that were done by their deadline},
    rounded down (a branch just short of the target is not rounded up to it); a branch
    with nothing due is not behind: 100."""
    from vanguard.organization.models import Unit

    counts = items_done_on_time(ctx)
    branches = (
        Unit.objects.filter(kind=Unit.Kind.BRANCH, is_active=True)
        .filter(ctx.under("path"))
        .values_list("pk", flat=True)
    )
    reached: dict[int, int] = {}
    for branch_id in branches:
        due, done = counts.get(branch_id, (0, 0))
        reached[branch_id] = done * 100 // due if due else 100
    return reached


def _describe_member(params: dict[str, Any]) -> str:
    if params["state"] == "approved":
        return gettext("每名党员的整改计划经支部审核通过")
    return gettext("每名党员提交书面整改计划")


def _describe_items(params: dict[str, Any]) -> str:
    return gettext("到期整改事项按期完成 %(percent)d%% 以上") % params


MEMBER_PLAN = register(
    RequirementKind(
        code="member_rectification_plan",
        scope=MEMBER,
        name=_("党员制定整改计划"),
        params=(PLAN_STATE,),
        describe=_describe_member,
        evaluate=_member_plans,
        target=lambda params: 1,
    )
)

BRANCH_PLAN = register(
    RequirementKind(
        code="branch_rectification_plan_approved",
        scope=BRANCH,
        name=_("支部整改计划经党委审核"),
        params=(),
        describe=lambda params: gettext("支部整改计划经党委审核通过"),
        evaluate=_branch_plan_approved,
        target=lambda params: 1,
    )
)

ITEMS_DONE = register(
    RequirementKind(
        code="branch_rectification_items_done",
        scope=BRANCH,
        name=_("整改事项按期完成比例"),
        params=(SHARE,),
        describe=_describe_items,
        evaluate=_items_done,
        target=lambda params: params["percent"],
        figure=lambda value: f"{value}%",
    )
)

SUBMISSION_READINGS.append(written_plans)

# The records the readings above read (campaigns.records keeps their version).
counts_records_of("rectification.Plan", "rectification.Item")
