"""The rules the tables keep whatever writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from vanguard.campaigns.tests.progress_data import make_campaign
from vanguard.rectification.models import Activity, Donation, ItemLink, Plan, PlanDecision, Update
from vanguard.rectification.tests import factories as make

pytestmark = pytest.mark.django_db


def refused(build) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        build()


def test_one_plan_per_member_and_per_unit_and_an_owner_that_matches_the_level(org, cast):
    campaign = make_campaign(org.committee)
    make.member_plan(campaign, cast.member_record)
    make.unit_plan(campaign, org.branch_a1)
    refused(lambda: make.member_plan(campaign, cast.member_record))
    refused(lambda: make.unit_plan(campaign, org.branch_a1))
    refused(lambda: Plan.objects.create(campaign=campaign, level="member", unit=org.branch_a2))
    refused(
        lambda: Plan.objects.create(
            campaign=campaign, level="branch", unit=org.branch_a2, member=cast.colleague_record
        )
    )
    refused(lambda: make.unit_plan(campaign, org.branch_a2, status="approved", approved_at=None))


def test_a_return_says_why(org, cast):
    plan = make.member_plan(make_campaign(org.committee), cast.member_record)
    refused(lambda: PlanDecision.objects.create(plan=plan, verdict="return", reason=""))
    PlanDecision.objects.create(plan=plan, verdict="approve")


def test_an_item_done_or_verified_carries_its_time(org, cast):
    plan = make.member_plan(make_campaign(org.committee), cast.member_record)
    refused(lambda: make.item(plan, status="done"))
    refused(lambda: make.item(plan, status="verified", done_at=timezone.now()))
    make.item(plan, status="verified", done_at=timezone.now(), verified_at=timezone.now())


def test_a_link_points_at_exactly_one_record_once(org, cast):
    campaign = make_campaign(org.committee)
    plan = make.member_plan(campaign, cast.member_record)
    found = make.item(plan)
    opinion = make.opinion(campaign, org.branch_a1, about=cast.member_record)
    refused(lambda: ItemLink.objects.create(item=found, target="opinion"))
    refused(lambda: ItemLink.objects.create(item=found, target="review", opinion=opinion))
    ItemLink.objects.create(item=found, target="opinion", opinion=opinion)
    refused(lambda: ItemLink.objects.create(item=found, target="opinion", opinion=opinion))


def test_an_update_says_something(org, cast):
    found = make.item(make.member_plan(make_campaign(org.committee), cast.member_record))
    refused(lambda: Update.objects.create(item=found, on=timezone.localdate()))
    Update.objects.create(item=found, on=timezone.localdate(), text="已读完第一章")


def test_a_donation_is_positive_and_one_line_per_member(org, cast):
    found = make.activity(make_campaign(org.committee), org.branch_a1)
    refused(lambda: make.donation(found, cast.member_record, "0"))
    make.donation(found, cast.member_record, "10")
    refused(lambda: make.donation(found, cast.member_record, "5"))
    assert Donation.objects.get().amount == Decimal("10")


def test_an_anonymous_idea_has_no_author_and_a_pending_one_no_item(org, cast):
    campaign = make_campaign(org.committee)
    ideas = make.activity(campaign, org.branch_a1, kind=Activity.Kind.IDEAS)
    refused(lambda: make.idea(ideas, anonymous=True, author=cast.member_record))
    target = make.item(make.unit_plan(campaign, org.branch_a1))
    refused(lambda: make.idea(ideas, became=target))
    make.idea(ideas, decision="adopted", became=target)
