"""Builders for the activities tests and access rows: in branch A1 of the cast's
education campaign (the committee's), a donation activity with the cast's member's
line, and a golden-ideas activity with a named and an anonymous idea. Each builder
returns the same row when called again within a test."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vanguard.meetings.tests.factories import education_campaign
from vanguard.rectification.models import Activity, Donation, Idea

DONATION_TITLE = "交一次特殊党费，资助贫困地区学生入学"
IDEAS_TITLE = "金点子征集"
MEMBER_AMOUNT = Decimal("271.50")
COLLEAGUE_AMOUNT = Decimal("1038.50")
NAMED_IDEA = "每月开放一次实验室给本科生"
ANONYMOUS_IDEA = "组会少讲形式多讲问题-匿名标记QZ47"


def amounts_written(text: str, *amounts: Decimal | str) -> list[str]:
    """The amounts that `text` holds in any form money is written (271.50, 271.5, 271,50,
    1,038.50, 27150 in cents), each standing alone: an id or a date that merely contains
    the digits (member 6386 beside an amount of 386.25) is not an amount."""
    found = []
    for amount in map(Decimal, amounts):
        cents = int(amount * 100)
        units = f"{cents // 100:,}".replace(",", "[, \u00a0]?")
        fraction = f"{cents % 100:02d}"
        short = fraction.rstrip("0") or "0"
        forms = (str(cents), rf"{units}[.,]{fraction}", rf"{units}[.,]{short}")
        if any(re.search(rf"(?<![\d.,]){form}(?!\d)", text) for form in forms):
            found.append(str(amount))
    return found


def campaign(f: Any):
    return education_campaign(f.org.committee)


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def donation_activity(f: Any) -> Activity:
    found = Activity.objects.filter(title=DONATION_TITLE, branch=f.org.branch_a1).first()
    if found is not None:
        return found
    activity = Activity.objects.create(
        campaign=campaign(f),
        branch=f.org.branch_a1,
        kind=Activity.Kind.DONATION,
        title=DONATION_TITLE,
        held_on=timezone.localdate(),
        outcomes="资助磐安县一名小学生完成六年学业",
    )
    activity.participants.set([f.cast.member_record, f.cast.colleague_record])
    return activity


def member_line(f: Any) -> Donation:
    activity = donation_activity(f)
    found = Donation.objects.filter(activity=activity, member=f.cast.member_record).first()
    if found is not None:
        return found
    Donation.objects.create(
        activity=activity, member=f.cast.colleague_record, amount=COLLEAGUE_AMOUNT
    )
    return Donation.objects.create(
        activity=activity, member=f.cast.member_record, amount=MEMBER_AMOUNT
    )


def ideas_activity(f: Any) -> Activity:
    found = Activity.objects.filter(title=IDEAS_TITLE, branch=f.org.branch_a1).first()
    if found is not None:
        return found
    return Activity.objects.create(
        campaign=campaign(f),
        branch=f.org.branch_a1,
        kind=Activity.Kind.IDEAS,
        title=IDEAS_TITLE,
        held_on=timezone.localdate(),
    )


def named_idea(f: Any, **extra: Any) -> Idea:
    activity = ideas_activity(f)
    found = Idea.objects.filter(activity=activity, text=NAMED_IDEA).first()
    if found is not None:
        return found
    return Idea.objects.create(
        activity=activity,
        text=NAMED_IDEA,
        author=f.cast.member_record,
        received_on=timezone.localdate(),
        **extra,
    )


def adopted_idea(f: Any) -> Idea:
    return named_idea(f, decision=Idea.Decision.ADOPTED, decided_at=timezone.now())


def anonymous_idea(f: Any) -> Idea:
    activity = ideas_activity(f)
    found = Idea.objects.filter(activity=activity, text=ANONYMOUS_IDEA).first()
    if found is not None:
        return found
    return Idea.objects.create(
        activity=activity, text=ANONYMOUS_IDEA, anonymous=True, received_on=timezone.localdate()
    )
