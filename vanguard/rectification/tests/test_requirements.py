"""Rectification's requirement kinds: every member has a plan, the branch plan
approved, N % of the items due done by their deadline; each read in one query for
every member or branch of the scope."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from vanguard.campaigns import requirements
from vanguard.campaigns.tests.progress_data import make_campaign, today
from vanguard.rectification.tests import factories as make

pytestmark = pytest.mark.django_db

MEMBER_PLAN = "member_rectification_plan"
BRANCH_PLAN = "branch_rectification_plan_approved"
ITEMS_DONE = "branch_rectification_items_done"


def _values(campaign, org, kind: str, params: dict) -> dict[int, int]:
    ctx = requirements.Context(campaign=campaign, paths=[org.committee.path])
    spec = requirements.get_kind(kind)
    return dict(spec.evaluate(ctx, None, requirements.validate_params(kind, params)))


def test_the_three_kinds_are_registered_with_sentences():
    assert requirements.scope_of(MEMBER_PLAN) == "member"
    assert requirements.scope_of(BRANCH_PLAN) == "branch"
    assert requirements.scope_of(ITEMS_DONE) == "branch"
    assert requirements.default_label(MEMBER_PLAN, {}) == "每名党员提交书面整改计划"
    assert requirements.default_label(ITEMS_DONE, {"percent": 90}) == (
        "到期整改事项按期完成 90% 以上"
    )


@pytest.mark.parametrize("params", [{"percent": 0}, {"percent": 101}, {"percent": "八十"}])
def test_a_share_outside_1_to_100_is_refused(params):
    with pytest.raises(ValidationError):
        requirements.validate_params(ITEMS_DONE, params)


def test_a_member_has_a_plan_once_submitted_and_approved_only_when_approved(org, cast):
    campaign = make_campaign(org.committee)
    make.member_plan(campaign, cast.member_record, status="submitted")
    make.member_plan(campaign, cast.colleague_record, status="draft")
    make.member_plan(campaign, cast.other_member_record, status="returned")
    submitted = _values(campaign, org, MEMBER_PLAN, {})
    assert submitted == {cast.member_record.pk: 1, cast.other_member_record.pk: 1}
    assert _values(campaign, org, MEMBER_PLAN, {"state": "approved"}) == {}


def test_only_an_approved_branch_plan_counts(org, cast):
    campaign = make_campaign(org.committee)
    make.unit_plan(campaign, org.branch_a1, status="approved")
    make.unit_plan(campaign, org.branch_b1, status="submitted")
    assert _values(campaign, org, BRANCH_PLAN, {}) == {org.branch_a1.pk: 1}


def test_the_share_done_counts_the_items_due_of_the_branch_and_its_members(org, cast):
    campaign = make_campaign(org.committee)
    yesterday = today() - datetime.timedelta(days=1)
    member_plan = make.member_plan(campaign, cast.member_record)
    branch_plan = make.unit_plan(campaign, org.branch_a1)
    # A1: four items due — two done on time, one done late, one not done — and one
    # not due yet (does not count): 2 of 4 = 50 %.
    make.done(make.item(member_plan, deadline=yesterday), days_late=-1)
    make.done(make.item(branch_plan, deadline=yesterday), verified=True)
    make.done(make.item(member_plan, deadline=yesterday - datetime.timedelta(days=3)), days_late=2)
    make.item(branch_plan, deadline=yesterday)
    make.item(member_plan, deadline=today() + datetime.timedelta(days=30))
    # B1: one item due, not done: 0 %. A2: nothing due: not behind.
    make.item(make.member_plan(campaign, cast.other_member_record), deadline=yesterday)

    # The value is the share reached (shown on the dashboard); it meets a target of 50 %,
    # not one of 51 %.
    reached = {org.branch_a1.pk: 50, org.branch_a2.pk: 100, org.branch_b1.pk: 0}
    assert _values(campaign, org, ITEMS_DONE, {"percent": 50}) == reached
    assert requirements.get_kind(ITEMS_DONE).target({"percent": 51}) == 51
