"""The plans, items and activities the ledger tests count, in two general branches:
every item status, overdue items, items done late and on time, a donation and
golden ideas, opinions linked with sources the pages must never show. Written as
rows (the counts are under test, not the services), with the numbers a person would
work out by hand beside them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vanguard.campaigns import requirements
from vanguard.campaigns.models import Campaign, Phase, Requirement
from vanguard.campaigns.tests import progress_data
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member, Unit
from vanguard.rectification.models import Activity, Idea, Item, ItemLink, Plan, Update
from vanguard.rectification.tests import factories as make

SOURCE = "举报人赵六-来源标记SR88"
CONTACT = "contact-marker-13912345678"
RECEIVED = datetime.date(2005, 3, 17)
BRANCH_OPINION = "支部组织生活形式单一-支部意见标记BO21"
COMMITTEE_OPINION = "建议理顺关系提高效率-党委意见标记CM55"
MEMBER_OPINION = "王老师与学生交流少-个人意见标记PM77"
UNAPPROVED_OPINION = "本科生支部活动少-未审核标记UA09"
BRANCH_MEASURE = "每月开展一次主题党日-措施标记ME14"
COMMITTEE_MEASURE = "精简会议、理顺机制-措施标记CM56"
MEMBER_MEASURE = "每周与两名学生谈心-个人措施标记MM33"
UPDATE_TEXT = "三月主题党日已开展-进展标记UP31"
OPINION_KEYS = 987_651
MEMBER_AMOUNT = Decimal("271.50")
COLLEAGUE_AMOUNT = Decimal("1038.50")

# A1's figures, by hand: 王小明 (approved plan: planned and overdue, in progress not
# due, done early, verified on time), 张丽 (submitted: planned and overdue, done two
# days late), 李书记 (no plan), the branch's plan (approved: in progress not due, done
# on time). Due: 6, of them done by the deadline: 3.
A1 = {
    "members": 3,
    "written": 2,
    "approved": 1,
    "submitted": 1,
    "items": 8,
    "planned": 2,
    "in_progress": 2,
    "done": 3,
    "verified": 1,
    "overdue": 2,
    "due": 6,
    "on_time": 3,
}
# B1: 陈刚 (returned: planned and overdue, verified on time) and the branch's plan
# (submitted, not approved: one planned item not due).
B1 = {
    "members": 1,
    "written": 1,
    "approved": 0,
    "submitted": 0,
    "items": 3,
    "planned": 2,
    "in_progress": 0,
    "done": 0,
    "verified": 1,
    "overdue": 1,
    "due": 2,
    "on_time": 1,
}


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@dataclass
class Built:
    campaign: Campaign
    member_plan: Plan
    colleague_plan: Plan
    other_plan: Plan
    branch_plan: Plan
    b1_plan: Plan
    committee_plan: Plan
    branch_item: Item
    donation: Activity
    ideas: Activity


def _opinion(campaign: Campaign, branch: Unit, text: str, **subject) -> Opinion:
    # A key with digits no other id or date on the pages holds, to look for it.
    last = Opinion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return make.opinion(
        campaign,
        branch,
        pk=max(last + 1, OPINION_KEYS),
        text=text,
        source=SOURCE,
        contact=CONTACT,
        channel=Opinion.Channel.EMAIL,
        received_on=RECEIVED,
        **subject,
    )


def _link(item: Item, opinion: Opinion) -> None:
    ItemLink.objects.create(item=item, target=ItemLink.Target.OPINION, opinion=opinion)


def build(org, cast) -> Built:
    campaign = progress_data.make_campaign(org.committee)
    secretary_record = Member.objects.get(user=cast.secretary)

    member_plan = make.member_plan(
        campaign, cast.member_record, status=Plan.Status.APPROVED, approved_at=timezone.now()
    )
    overdue = make.item(member_plan, deadline=days(-1), measure=MEMBER_MEASURE)
    _link(overdue, _opinion(campaign, org.branch_a1, MEMBER_OPINION, about=cast.member_record))
    make.item(member_plan, deadline=days(30), status=Item.Status.IN_PROGRESS)
    make.done(make.item(member_plan, deadline=days(-1)), days_late=-1)
    make.done(make.item(member_plan, deadline=days(-3)), verified=True)

    colleague_plan = make.member_plan(
        campaign, cast.colleague_record, status=Plan.Status.SUBMITTED, submitted_at=timezone.now()
    )
    make.item(colleague_plan, deadline=days(-2))
    make.done(make.item(colleague_plan, deadline=days(-5)), days_late=2)
    assert not Plan.objects.filter(member=secretary_record).exists()

    branch_plan = make.unit_plan(campaign, org.branch_a1, status=Plan.Status.APPROVED)
    branch_item = make.item(
        branch_plan,
        deadline=days(10),
        status=Item.Status.IN_PROGRESS,
        measure=BRANCH_MEASURE,
        responsible=secretary_record,
    )
    _link(
        branch_item,
        _opinion(
            campaign,
            org.branch_a1,
            BRANCH_OPINION,
            subject_kind=Opinion.SubjectKind.BRANCH,
            subject_unit=org.branch_a1,
        ),
    )
    Update.objects.create(item=branch_item, on=today(), text=UPDATE_TEXT)
    make.done(make.item(branch_plan, deadline=days(-1)))

    other_plan = make.member_plan(campaign, cast.other_member_record, status=Plan.Status.RETURNED)
    make.item(other_plan, deadline=days(-1))
    make.done(make.item(other_plan, deadline=days(-1)), verified=True)
    b1_plan = make.unit_plan(campaign, org.branch_b1, status=Plan.Status.SUBMITTED)
    b1_item = make.item(b1_plan, deadline=days(5))
    _link(
        b1_item,
        _opinion(
            campaign,
            org.branch_b1,
            UNAPPROVED_OPINION,
            subject_kind=Opinion.SubjectKind.BRANCH,
            subject_unit=org.branch_b1,
        ),
    )

    committee_plan = make.unit_plan(campaign, org.committee, status=Plan.Status.APPROVED)
    committee_item = make.item(
        committee_plan, deadline=days(20), status=Item.Status.IN_PROGRESS, measure=COMMITTEE_MEASURE
    )
    _link(
        committee_item,
        _opinion(
            campaign,
            org.branch_a1,
            COMMITTEE_OPINION,
            subject_kind=Opinion.SubjectKind.COMMITTEE,
            subject_unit=org.committee,
        ),
    )

    donation = make.activity(campaign, org.branch_a1, held_on=today())
    make.donation(donation, cast.member_record, str(MEMBER_AMOUNT))
    make.donation(donation, cast.colleague_record, str(COLLEAGUE_AMOUNT))
    ideas = Activity.objects.create(
        campaign=campaign, branch=org.branch_a1, kind=Activity.Kind.IDEAS, title="金点子征集"
    )
    make.idea(ideas, "设立学习角")
    make.idea(ideas, "实验室开放日", decision=Idea.Decision.ADOPTED)
    return Built(
        campaign,
        member_plan,
        colleague_plan,
        other_plan,
        branch_plan,
        b1_plan,
        committee_plan,
        branch_item,
        donation,
        ideas,
    )


PHASE_3_REQUIREMENTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("member_rectification_plan", {"state": "submitted"}),
    ("branch_rectification_plan_approved", {}),
    ("branch_rectification_items_done", {"percent": 80}),
)


def into_phase_3(campaign: Campaign, branches: list[Unit]) -> Phase:
    """The campaign in rectification: its analysis phase closed, rectification open since
    a week with its three requirements, and every branch moved on to it."""
    phases = {phase.key: phase for phase in campaign.phases.all()}
    analysis, rectification = phases[Phase.Key.ANALYSIS], phases[Phase.Key.RECTIFICATION]
    analysis.status, analysis.ends_on = Phase.Status.CLOSED, days(-8)
    analysis.starts_on = min(analysis.starts_on, days(-9))
    analysis.save()
    rectification.status = Phase.Status.OPEN
    rectification.starts_on, rectification.ends_on = days(-7), days(60)
    rectification.save()
    for order, (kind, params) in enumerate(PHASE_3_REQUIREMENTS, start=1):
        Requirement.objects.create(
            phase=rectification,
            kind=kind,
            scope=requirements.scope_of(kind),
            params=requirements.validate_params(kind, params),
            label=requirements.default_label(kind, params),
            order=order,
        )
    for branch in branches:
        progress_data.move_on(campaign, branch, Phase.Key.RECTIFICATION)
    return rectification
