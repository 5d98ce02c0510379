"""Builders for the remediation and watch-list tests and access rows: the cast's
education campaign (in the committee), make-up orders in branch A1, a guidance
session, and a key person (the cast's member) with a talk. Each builder returns the
same row when called again within a test."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from vanguard.meetings.tests.factories import education_campaign
from vanguard.supervision.models import GuidanceSession, RemediationOrder, Talk, WatchEntry

ORDER_REASON = "读书笔记只摘抄原文，未联系本人思想和工作实际"
BRANCH_ORDER_REASON = "学习记录不全，缺少第二次集中学习的记录"
WATCH_REASON = "对先进性教育活动抵触情绪明显-秘密标记XK71"
TALK_GIST = "谈话中本人表示对评议方式有顾虑-秘密标记TG93"
TALK_FOLLOW_UP = "两周后再次谈话-秘密标记FU55"
GUIDANCE_AGREED = "支部本周补开一次集中学习会，下周报送学习记录"


def campaign(f: Any):
    return education_campaign(f.org.committee)


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def member_order(f: Any, *, status: str = RemediationOrder.Status.OPEN) -> RemediationOrder:
    """An order for the cast's member (王小明) of branch A1, the member responsible."""
    found = RemediationOrder.objects.filter(reason=ORDER_REASON, status=status).first()
    if found is not None:
        return found
    order = RemediationOrder.objects.create(
        campaign=campaign(f),
        branch=f.org.branch_a1,
        member=f.cast.member_record,
        reason=ORDER_REASON,
        deadline=in_days(10),
        responsible=f.cast.member,
        status=status,
        ordered_by=f.cast.supervisor,
    )
    if status != RemediationOrder.Status.OPEN:
        order.report = "已补写两篇联系实际的读书笔记"
        order.reported_at = timezone.now()
        order.reported_by = f.cast.member
        order.save()
    return order


def reported_order(f: Any) -> RemediationOrder:
    return member_order(f, status=RemediationOrder.Status.REPORTED)


def branch_order(f: Any, *, deadline: datetime.date | None = None) -> RemediationOrder:
    """An order for branch A1 as a whole, its secretary responsible."""
    found = RemediationOrder.objects.filter(reason=BRANCH_ORDER_REASON).first()
    return found or RemediationOrder.objects.create(
        campaign=campaign(f),
        branch=f.org.branch_a1,
        reason=BRANCH_ORDER_REASON,
        deadline=deadline or in_days(7),
        responsible=f.cast.secretary,
        ordered_by=f.cast.committee_admin,
    )


def guidance(f: Any) -> GuidanceSession:
    found = GuidanceSession.objects.filter(agreed=GUIDANCE_AGREED).first()
    return found or GuidanceSession.objects.create(
        campaign=campaign(f),
        branch=f.org.branch_a1,
        held_on=in_days(-2),
        given_by="党委书记",
        attendees="支部委员会全体成员",
        report="支部汇报了学习进展",
        instructions="传达了党委关于分析评议阶段的要求",
        agreed=GUIDANCE_AGREED,
        lagging=True,
        recorded_by=f.cast.committee_admin,
    )


def key_person(f: Any) -> WatchEntry:
    """The cast's member on the watch list, with a talk."""
    found = WatchEntry.objects.filter(reason=WATCH_REASON).first()
    if found is not None:
        return found
    entry = WatchEntry.objects.create(
        campaign=campaign(f),
        kind=WatchEntry.Kind.PERSON,
        branch=f.org.branch_a1,
        member=f.cast.member_record,
        reason=WATCH_REASON,
        added_by=f.cast.committee_admin,
    )
    Talk.objects.create(
        entry=entry,
        held_on=in_days(-1),
        talked_by="活动第一责任人",
        gist=TALK_GIST,
        follow_up=TALK_FOLLOW_UP,
        recorded_by=f.cast.committee_admin,
    )
    return entry
