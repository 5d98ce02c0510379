"""Reminders of the plans workflow (`manage.py rectification_reminders`), sent the one
way every reminder command sends (`vanguard.notices.reminders`):

- a returned plan reminds its writers (once per return, with the reason);
- a plan submitted more than N days ago and not decided reminds its reviewers;
- an item past its deadline and not done reminds the person responsible and the
  plan's writers (once per item per deadline: a new deadline reminds again);
- an item done more than N days ago and not verified reminds the plan's reviewers.

Only plans of active campaigns. An overdue reminder names the item by its number in
the plan (selectors.item_number), never by its text or what it links: a member's
problems may quote the feedback sheet, and a reminder may leave as a mail. Reviewers
get one reminder per campaign listing whose plans wait, renewed when a newer one
joins the wait (as the review loop's reminders).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Campaign
from vanguard.notices.reminders import Recipient, Reminders, member_recipient, page_url
from vanguard.notices.services import Message, site_language
from vanguard.rectification.models import Item, Plan, PlanDecision
from vanguard.rectification.plans.selectors import item_number
from vanguard.rectification.plans.services import (
    owner_name,
    plan_detail_url,
    plan_reviewers,
    plan_url,
    plan_writers,
)

NAMES_SHOWN = 10
_LIVE = Q(plan__campaign__status=Campaign.Status.ACTIVE) & (
    Q(plan__member__isnull=True) | Q(plan__member__is_active=True)
)
_PLAN_RELATED = ("campaign", "member", "member__user", "member__branch", "unit")


# --- Reads ------------------------------------------------------------------------------


def returned_plans() -> QuerySet[Plan]:
    """Plans returned and not yet resubmitted, with their latest return."""
    latest = (
        PlanDecision.objects.filter(plan=OuterRef("pk"), verdict=PlanDecision.Verdict.RETURN)
        .order_by("-at", "-pk")
        .values("pk")[:1]
    )
    return (
        Plan.objects.filter(
            Q(status=Plan.Status.RETURNED, campaign__status=Campaign.Status.ACTIVE)
            & (Q(member__isnull=True) | Q(member__is_active=True))
        )
        .select_related(*_PLAN_RELATED)
        .annotate(return_id=Subquery(latest))
        .order_by("pk")
    )


def plans_waiting(before: datetime.datetime) -> QuerySet[Plan]:
    """Plans submitted before `before` and not decided yet."""
    return (
        Plan.objects.filter(
            Q(status=Plan.Status.SUBMITTED, submitted_at__lt=before)
            & Q(campaign__status=Campaign.Status.ACTIVE)
            & (Q(member__isnull=True) | Q(member__is_active=True))
        )
        .select_related(*_PLAN_RELATED)
        .order_by("submitted_at", "pk")
    )


def _items() -> QuerySet[Item]:
    return Item.objects.filter(_LIVE).select_related(
        *(f"plan__{name}" for name in _PLAN_RELATED), "responsible", "responsible__user"
    )


def items_overdue(today: datetime.date) -> QuerySet[Item]:
    """Items whose deadline has passed and which are not done."""
    return (
        _items()
        .filter(deadline__lt=today, status__in=[Item.Status.PLANNED, Item.Status.IN_PROGRESS])
        .order_by("plan_id", "order", "pk")
    )


def items_waiting_verification(before: datetime.datetime) -> QuerySet[Item]:
    """Items reported done before `before` and not verified (nor sent back) since."""
    return _items().filter(status=Item.Status.DONE, done_at__lt=before).order_by("done_at", "pk")


# --- The reminders ----------------------------------------------------------------------


def _names(names: list[str]) -> str:
    unique = list(dict.fromkeys(names))
    return _("、").join(unique[:NAMES_SHOWN]) + (_("等") if len(unique) > NAMES_SHOWN else "")


def rectification_reminders_send(
    *, now: datetime.datetime | None = None, days: int = 3
) -> list[Message]:
    """Build and send the reminders; returns those that were new (a second run sends
    none)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    before = now - datetime.timedelta(days=days)
    reminders = Reminders()
    find = reminders.officers
    with site_language():
        # Returned plans: the writers revise and submit again.
        subject = _("【先锋】整改计划被退回修改")
        returned: list[Any] = list(returned_plans())  # annotated with return_id
        for plan in returned:
            text = _(
                "%(owner)s的整改计划已被退回修改，请按退回理由修改后重新提交。退回理由：%(reason)s"
            ) % {"owner": owner_name(plan), "reason": plan.return_reason}
            key = f"plan-returned-remind:{plan.pk}:{plan.return_id}"
            for to in plan_writers(plan, find=find):
                reminders.add(to, text=text, url=plan_url(plan), key=key, subject=subject)

        # Plans waiting for a decision: one reminder per reviewer and campaign.
        waiting: dict[tuple[Recipient, int], list[Plan]] = defaultdict(list)
        for plan in plans_waiting(before):
            for to in plan_reviewers(plan, find=find):
                waiting[(to, plan.campaign_id)].append(plan)
        subject = _("【先锋】有整改计划等待审阅")
        for (to, campaign_id), plans in waiting.items():
            newest = max(p.submitted_at for p in plans if p.submitted_at is not None)
            text = _("有%(count)s份整改计划提交超过%(days)s天仍未审阅：%(names)s。") % {
                "count": len(plans),
                "days": days,
                "names": _names([owner_name(p) for p in plans]),
            }
            reminders.add(
                to,
                text=text,
                url=page_url("rectification:campaign_plans", campaign_id),
                key=f"plan-wait:{campaign_id}:{int(newest.timestamp())}",
                subject=subject,
            )

        # Overdue items: the person responsible and the plan's writers, once per deadline.
        subject = _("【先锋】整改事项已过完成时限")
        for item in items_overdue(today):
            plan = item.plan
            text = _(
                "%(owner)s的整改计划第%(number)s项已过完成时限（%(deadline)s），尚未完成。"
            ) % {
                "owner": owner_name(plan),
                "number": item_number(item),
                "deadline": item.deadline.isoformat(),
            }
            key = f"item-overdue:{item.pk}:{item.deadline.isoformat()}"
            anchor = f"#item-{item.pk}"
            for to in plan_writers(plan, find=find):
                reminders.add(to, text=text, url=plan_url(plan) + anchor, key=key, subject=subject)
            # The person responsible, when not a writer too (a person's first reminder
            # of a key is the one kept).
            responsible = member_recipient(item.responsible) if item.responsible else None
            if responsible is not None:
                url = plan_detail_url(plan) + anchor
                reminders.add(responsible, text=text, url=url, key=key, subject=subject)

        # Done items waiting for verification: one reminder per reviewer and campaign.
        unverified: dict[tuple[Recipient, int], list[Item]] = defaultdict(list)
        for item in items_waiting_verification(before):
            for to in plan_reviewers(item.plan, find=find):
                if item.responsible is None or item.responsible.user_id != to.user_id:
                    unverified[(to, item.plan.campaign_id)].append(item)
        subject = _("【先锋】有整改事项等待验收")
        for (to, campaign_id), items in unverified.items():
            newest = max(i.done_at for i in items if i.done_at is not None)
            text = _("有%(count)s条整改事项完成超过%(days)s天仍未验收：%(names)s。") % {
                "count": len(items),
                "days": days,
                "names": _names([owner_name(i.plan) for i in items]),
            }
            reminders.add(
                to,
                text=text,
                url=page_url("rectification:campaign_plans", campaign_id),
                key=f"item-verify-wait:{campaign_id}:{int(newest.timestamp())}",
                subject=subject,
            )
    return reminders.send()
