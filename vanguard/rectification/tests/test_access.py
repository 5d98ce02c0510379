"""Who sees and does what in rectification, for every role of the cast (conftest.py):
a table per question, one row per role. No URL exists yet, so the table is over the
access module's questions, the contract the pages and API will be built on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from vanguard.campaigns.tests.progress_data import make_campaign
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member
from vanguard.rectification import access
from vanguard.rectification.models import Activity, ItemLink, Plan
from vanguard.rectification.selectors import donation_total, link_shown
from vanguard.rectification.tests import factories as make
from vanguard.rectification.tests.factories_activities import amounts_written

pytestmark = pytest.mark.django_db

ROLES = (
    "committee_admin",
    "supervisor",
    "gb_secretary",
    "secretary",
    "branch_committee",
    "group_leader",
    "observer",
    "member",
    "other_member",
    "anonymous",
)


def who(cast: Any, role: str) -> Any:
    return AnonymousUser() if role == "anonymous" else getattr(cast, role)


def only(*roles: str) -> dict[str, bool]:
    return {role: role in roles for role in ROLES}


def everyone_but(*roles: str) -> dict[str, bool]:
    return {role: role not in roles for role in ROLES}


@pytest.fixture
def f(org, cast):
    campaign = make_campaign(org.committee)
    secretary_record = Member.objects.get(user=cast.secretary)
    return {
        "campaign": campaign,
        "member_plan": make.member_plan(campaign, cast.member_record),
        "secretary_plan": make.member_plan(campaign, secretary_record),
        "branch_plan": make.unit_plan(campaign, org.branch_a1),
        "other_branch_plan": make.unit_plan(campaign, org.branch_b1, status="approved"),
        "committee_plan": make.unit_plan(campaign, org.committee, status="approved"),
    }


READERS_OF_A1 = only(
    "committee_admin", "supervisor", "gb_secretary", "secretary", "branch_committee", "observer"
)

# (plan, question, expected per role)
TABLE = [
    # A member's plan: the member and the readers of the branch; never the group
    # leader, another branch's member, or anyone not logged in.
    ("member_plan", "see", {**READERS_OF_A1, "member": True}),
    ("member_plan", "edit", only("member")),
    ("member_plan", "review", only("secretary", "branch_committee")),
    # The secretary's own plan: the secretary writes it and does not review it.
    ("secretary_plan", "edit", only("secretary")),
    ("secretary_plan", "review", only("branch_committee")),
    ("secretary_plan", "see", {**READERS_OF_A1, "member": False}),
    # A branch's plan in draft: its officers and the readers; its members not yet.
    ("branch_plan", "see", READERS_OF_A1),
    ("branch_plan", "edit", only("secretary", "branch_committee")),
    ("branch_plan", "review", only("committee_admin")),
    # Another branch's approved plan: its members, and those who read branch B1.
    ("other_branch_plan", "see", only("committee_admin", "observer", "other_member")),
    ("other_branch_plan", "edit", only()),
    # The committee's approved plan: every logged-in person of the college.
    ("committee_plan", "see", everyone_but("anonymous")),
    ("committee_plan", "edit", only("committee_admin")),
    ("committee_plan", "review", only("committee_admin")),
]

QUESTIONS = {
    "see": lambda user, plan: access.visible_plans(user).filter(pk=plan.pk).exists(),
    "edit": access.can_edit_plan,
    "review": access.can_review_plan,
}


@pytest.mark.parametrize(("plan", "question", "expected"), TABLE)
@pytest.mark.parametrize("role", ROLES)
def test_plan_access_by_role(f, cast, plan, question, expected, role):
    assert QUESTIONS[question](who(cast, role), f[plan]) is expected[role]


def test_a_plan_out_of_sight_is_a_404_and_in_sight_without_the_right_a_403(f, cast):
    plan = f["member_plan"]
    with pytest.raises(Http404):
        access.get_plan_for_user(cast.other_member, plan.pk)
    with pytest.raises(Http404):
        access.get_plan_for_user(cast.group_leader, plan.pk, need=access.can_edit_plan)
    with pytest.raises(PermissionDenied):
        access.get_plan_for_user(cast.supervisor, plan.pk, need=access.can_edit_plan)
    assert access.get_plan_for_user(cast.member, plan.pk, need=access.can_edit_plan) == plan
    with pytest.raises(Http404):
        access.get_plan_for_user(cast.member, "not-a-number")


def test_only_the_member_and_the_branch_officers_may_start_a_plan(org, cast):
    member = cast.member_record
    assert access.can_create_plan(cast.member, "member", member=member, unit=None)
    assert not access.can_create_plan(cast.secretary, "member", member=member, unit=None)
    assert access.can_create_plan(cast.secretary, "branch", member=None, unit=org.branch_a1)
    assert not access.can_create_plan(cast.secretary, "branch", member=None, unit=org.branch_b1)
    assert not access.can_create_plan(cast.member, "branch", member=None, unit=org.branch_a1)
    committee = org.committee
    assert access.can_create_plan(cast.committee_admin, "committee", member=None, unit=committee)
    assert not access.can_create_plan(cast.secretary, "committee", member=None, unit=committee)


def test_the_person_responsible_reports_but_does_not_verify_their_own_item(f, cast):
    branch_item = make.item(f["branch_plan"], responsible=cast.member_record)
    assert access.can_report_item(cast.member, branch_item)
    assert not access.can_edit_item(cast.member, branch_item)
    assert access.can_verify_item(cast.committee_admin, branch_item)
    assert not access.can_verify_item(cast.secretary, branch_item)

    own_item = make.item(f["member_plan"], responsible=cast.member_record)
    assert access.can_report_item(cast.member, own_item)
    assert not access.can_verify_item(cast.member, own_item)
    assert access.can_verify_item(cast.secretary, own_item)
    assert not access.can_report_item(cast.group_leader, own_item)
    assert access.visible_items(cast.other_member).filter(pk=own_item.pk).count() == 0
    assert access.visible_items(cast.member).filter(pk=own_item.pk).count() == 1


# --- Links: the records a plan may answer, never a source ---------------------------------


def test_a_member_picks_only_the_points_of_their_own_feedback_sheet(f, org, cast):
    campaign, member = f["campaign"], cast.member_record
    on_sheet = make.opinion(campaign, org.branch_a1, about=member)
    about_colleague = make.opinion(campaign, org.branch_a1, about=cast.colleague_record)
    unsorted = make.opinion(campaign, org.branch_a1, about=member, status=Opinion.Status.NEW)
    survey_row = make.opinion(campaign, org.branch_a1, about=member, channel=Opinion.Channel.SURVEY)
    about_branch = make.opinion(
        campaign,
        org.branch_a1,
        subject_kind=Opinion.SubjectKind.BRANCH,
        subject_unit=org.branch_a1,
    )
    assert list(access.linkable_opinions(f["member_plan"])) == [on_sheet]
    assert list(access.linkable_opinions(f["branch_plan"])) == [about_branch]
    for other in (about_colleague, unsorted, survey_row):
        assert other not in access.linkable_opinions(f["member_plan"])


def test_a_linked_opinion_shows_its_text_and_kind_but_never_its_source(f, org, cast):
    found = make.opinion(f["campaign"], org.branch_a1, about=cast.member_record)
    link = ItemLink.objects.create(
        item=make.item(f["member_plan"]), target=ItemLink.Target.OPINION, opinion=found
    )
    shown = link_shown(link)
    assert shown.text == "联系群众不够"
    assert "批评" in shown.detail
    everything = " ".join(str(value) for value in vars(shown).values())
    for secret in ("张三", "13800000000", "个人交谈", str(found.received_on)):
        assert secret not in everything


# --- Donations: the total is public, the lines are not ------------------------------------


@pytest.fixture
def donation(f, org, cast):
    found = make.activity(f["campaign"], org.branch_a1)
    make.donation(found, cast.member_record, "200.00")
    make.donation(found, cast.colleague_record, "1110.00")
    return found


AMOUNTS_SEEN = {
    # role: how many lines they read with amounts (their own, or all as the keeper)
    "committee_admin": 0,
    "supervisor": 0,
    "gb_secretary": 0,
    "secretary": 2,
    "branch_committee": 0,
    "group_leader": 0,
    "observer": 0,
    "member": 1,
    "other_member": 0,
    "anonymous": 0,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_gave_how_much_is_for_the_member_and_the_keeper_only(donation, cast, role):
    user = who(cast, role)
    assert access.visible_donations(user, donation).count() == AMOUNTS_SEEN[role]
    line = donation.donations.get(member=cast.member_record)
    if AMOUNTS_SEEN[role]:
        assert access.get_donation_for_user(user, line.pk) == line
    else:
        with pytest.raises(Http404):
            access.get_donation_for_user(user, line.pk)


def test_a_named_treasurer_keeps_the_lines_instead_of_the_secretary(donation, cast):
    donation.treasurer = cast.branch_committee
    donation.save()
    assert access.visible_donations(cast.branch_committee, donation).count() == 2
    assert access.visible_donations(cast.secretary, donation).count() == 0
    assert access.can_record_donation(cast.branch_committee, donation)
    assert not access.can_record_donation(cast.secretary, donation)


def test_the_total_is_public_to_whoever_sees_the_activity(donation, cast):
    assert access.visible_activities(cast.member).filter(pk=donation.pk).exists()
    assert access.visible_activities(cast.supervisor).filter(pk=donation.pk).exists()
    assert not access.visible_activities(cast.other_member).filter(pk=donation.pk).exists()
    assert donation_total(donation) == Decimal("1310")


def test_an_amount_never_reaches_the_audit_trail(f, org, cast):
    from vanguard.audit.context import acting_as
    from vanguard.audit.models import AuditEntry

    with acting_as(cast.secretary):
        found = make.activity(f["campaign"], org.branch_a1)
        line = make.donation(found, cast.member_record, "1310.35")
        line.amount = Decimal("1320.65")
        line.save()
    rows = AuditEntry.objects.filter(object_type="rectification.donation")
    assert rows.count() == 2
    for row in rows:
        written = str(row.before) + str(row.after)
        assert amounts_written(written, "1310.35", "1320.65") == []


# --- Ideas -----------------------------------------------------------------------------


def test_an_anonymous_idea_never_shows_an_author(f, org, cast):
    ideas = make.activity(f["campaign"], org.branch_a1, kind=Activity.Kind.IDEAS)
    named = make.idea(ideas, author=cast.member_record)
    anonymous = make.idea(ideas, text="开放实验室", anonymous=True)
    assert access.idea_author_shown(named) == cast.member_record
    assert access.idea_author_shown(anonymous) is None
    assert access.can_submit_idea(cast.member, ideas)
    assert not access.can_submit_idea(cast.other_member, ideas)
    assert access.can_decide_idea(cast.secretary, anonymous)
    assert not access.can_decide_idea(cast.member, anonymous)
    assert access.get_idea_for_user(cast.member, anonymous.pk) == anonymous
    with pytest.raises(Http404):
        access.get_idea_for_user(cast.other_member, anonymous.pk)


def test_plans_of_every_level_are_counted_apart(f):
    assert Plan.objects.filter(level="member").count() == 2
    assert Plan.objects.filter(level="branch").count() == 2
    assert Plan.objects.filter(level="committee").count() == 1
