"""Plans, items, activities for the rectification tests (rows written directly: the
access rules and the readings are under test, not services that do not exist yet)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vanguard.campaigns.models import Campaign
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member, Unit
from vanguard.rectification.models import Activity, Donation, Idea, Item, Plan


def member_plan(campaign: Campaign, member: Member, **extra: Any) -> Plan:
    return Plan.objects.create(campaign=campaign, level=Plan.Level.MEMBER, member=member, **extra)


def unit_plan(campaign: Campaign, unit: Unit, **extra: Any) -> Plan:
    level = Plan.Level.COMMITTEE if unit.kind == Unit.Kind.COMMITTEE else Plan.Level.BRANCH
    if extra.get("status") == Plan.Status.APPROVED:
        extra.setdefault("approved_at", timezone.now())
    return Plan.objects.create(campaign=campaign, level=level, unit=unit, **extra)


def item(plan: Plan, *, deadline: datetime.date | None = None, **extra: Any) -> Item:
    fields: dict[str, Any] = {
        "problem": "理论学习不够系统",
        "measure": "每周读一章",
        "standard": "读完并写心得",
        "deadline": deadline or timezone.localdate(),
    }
    fields.update(extra)
    return Item.objects.create(plan=plan, **fields)


def done(found: Item, *, days_late: int = 0, verified: bool = False) -> Item:
    """Mark the item done `days_late` days after its deadline (negative: early)."""
    day = found.deadline + datetime.timedelta(days=days_late)
    found.status = Item.Status.VERIFIED if verified else Item.Status.DONE
    found.done_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    if verified:
        found.verified_at = found.done_at
    found.save()
    return found


def opinion(campaign: Campaign, branch: Unit, *, about: Member | None = None, **extra: Any):
    fields: dict[str, Any] = {
        "campaign": campaign,
        "branch": branch,
        "channel": Opinion.Channel.TALK,
        "text": "联系群众不够",
        "received_on": timezone.localdate(),
        "source": "张三（学生）",
        "contact": "13800000000",
        "status": Opinion.Status.SORTED,
        "kind": Opinion.Kind.CRITICISM,
    }
    if about is not None:
        fields.update(subject_kind=Opinion.SubjectKind.MEMBER, subject_member=about)
    fields.update(extra)
    return Opinion.objects.create(**fields)


def activity(campaign: Campaign, branch: Unit, kind: str = Activity.Kind.DONATION, **extra: Any):
    return Activity.objects.create(
        campaign=campaign, branch=branch, kind=kind, title="交一次特殊党费", **extra
    )


def donation(found: Activity, member: Member, amount: str = "100.00") -> Donation:
    return Donation.objects.create(activity=found, member=member, amount=Decimal(amount))


def idea(found: Activity, text: str = "设立学习角", **extra: Any) -> Idea:
    return Idea.objects.create(activity=found, text=text, received_on=timezone.localdate(), **extra)
