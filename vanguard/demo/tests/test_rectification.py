"""The demo's rectification (整改提高), as the seed tells it: a plan for every member and
every branch, the committee's own, items linked to what they answer and in every
state, the 1,310 元 special Party dues of 光电系本科生党支部 (who gave how much private),
the 金点子 of 信电系硕士生党支部 and the graduating branch's 文明离校 initiative; and
something for each demo account to see or do. That it comes back the same after a
reset is test_organization's (fingerprints.rectification)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db.models import Q
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DEMO_BRANCH, LAGGING_BRANCHES
from vanguard.demo.rectification import (
    BRANCH_PLANS_WAITING,
    DONATION_BRANCH,
    DONATION_TITLE,
    GRADUATING_BRANCH,
    IDEAS_BRANCH,
    INITIATIVE_TITLE,
)
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.organization.models import Member, Unit
from vanguard.rectification import access
from vanguard.rectification.models import Activity, Donation, Idea, Item, ItemLink, Plan, Tag
from vanguard.rectification.plans import selectors
from vanguard.rectification.selectors import donation_total

pytestmark = pytest.mark.django_db

# A day in the demo's July: what was overdue then is overdue on any later day too.
JULY = datetime.date(2026, 7, 20)


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _branches(campaign: Campaign):
    return Unit.objects.filter(kind=Unit.Kind.BRANCH, path__startswith=campaign.unit.path)


def test_every_active_member_and_every_branch_has_a_plan_and_the_committee_its_own(demo):
    members = Member.objects.filter(is_active=True, branch__in=_branches(demo))
    planned = Plan.objects.filter(campaign=demo, level=Plan.Level.MEMBER)
    assert set(planned.values_list("member_id", flat=True)) == set(
        members.values_list("pk", flat=True)
    )
    assert not planned.filter(items__isnull=True).exists()  # none of them empty
    branch_plans = Plan.objects.filter(campaign=demo, level=Plan.Level.BRANCH)
    assert set(branch_plans.values_list("unit_id", flat=True)) == set(
        _branches(demo).values_list("pk", flat=True)
    )
    committee = Plan.objects.get(campaign=demo, level=Plan.Level.COMMITTEE)
    assert committee.unit == demo.unit and committee.status == Plan.Status.APPROVED
    assert "调整机制、理顺关系、提高效率" in committee.summary
    # Most plans approved; the lagging branches' still drafts; two waiting for the
    # committee; some members' returned once with a reason before they were approved.
    assert planned.filter(status=Plan.Status.APPROVED).count() > 0.85 * members.count()
    assert set(
        branch_plans.filter(status=Plan.Status.DRAFT).values_list("unit__name", flat=True)
    ) == set(LAGGING_BRANCHES)
    assert set(
        branch_plans.filter(status=Plan.Status.SUBMITTED).values_list("unit__name", flat=True)
    ) == set(BRANCH_PLANS_WAITING)
    returned = Plan.objects.filter(campaign=demo, decisions__verdict="return").distinct()
    assert returned.filter(level=Plan.Level.MEMBER).count() >= 10
    assert returned.filter(level=Plan.Level.BRANCH).count() == 2
    assert not returned.exclude(status=Plan.Status.APPROVED).exists()
    assert not returned.filter(decisions__verdict="return", decisions__reason="").exists()


def test_items_answer_opinions_reviews_findings_and_orders_and_are_in_every_state(demo):
    links = ItemLink.objects.filter(item__plan__campaign=demo)
    member_opinions = links.filter(item__plan__level=Plan.Level.MEMBER, target="opinion")
    # A member's item answers an opinion about that member, from their sheet.
    assert member_opinions.count() > 300
    for link in member_opinions.select_related("opinion", "item__plan")[:50]:
        assert link.opinion.subject_member_id == link.item.plan.member_id
        assert link.opinion in access.linkable_opinions(link.item.plan)
    assert links.filter(item__plan__level=Plan.Level.MEMBER, target="review").exists()
    assert links.filter(item__plan__level=Plan.Level.BRANCH, target="opinion").exists()
    assert links.filter(item__plan__level=Plan.Level.BRANCH, target="check_finding").exists()
    assert links.filter(item__plan__level=Plan.Level.BRANCH, target="remediation").exists()
    assert links.filter(item__plan__level=Plan.Level.COMMITTEE, target="opinion").count() >= 4
    items = Item.objects.filter(plan__campaign=demo)
    for status in Item.Status.values:
        assert items.filter(status=status).count() >= 10, status
    assert not items.filter(status=Item.Status.VERIFIED, verified_by__isnull=True).exists()
    overdue = [item for item in items if selectors.is_overdue(item, JULY)]
    assert 20 < len(overdue) < items.count() / 2
    # Teachers' plans go with the annual assessment and post appointment, and with
    # teaching, research and training students; students' carry neither.
    teachers = items.filter(plan__member__category=Member.Category.FACULTY)
    for tag in Tag.values:
        assert any(tag in item.tags for item in teachers), tag
    students = items.filter(plan__member__category=Member.Category.UNDERGRADUATE)
    assert students.exists() and not any(item.tags for item in students)


def test_the_demo_member_has_an_item_verified_one_in_progress_and_one_overdue(demo):
    member = _user("member")
    plan = access.own_plan(member, demo)
    assert plan is not None and plan.status == Plan.Status.APPROVED
    assert plan.decisions.filter(verdict="return").exclude(reason="").exists()
    views = selectors.plan_items(plan)
    by_status = {view.item.status: view for view in views}
    verified = by_status[Item.Status.VERIFIED]
    assert verified.links and verified.updates and not verified.overdue
    assert verified.links[0].target == "opinion"
    going = by_status[Item.Status.IN_PROGRESS]
    assert going.updates and not going.overdue and Tag.POST_APPOINTMENT in going.item.tags
    late = by_status[Item.Status.PLANNED]
    assert late.overdue and selectors.is_overdue(late.item, JULY)
    # Her page shows all three, and what her first item answers without its source.
    client = Client()
    client.force_login(member)
    page = client.get(reverse("rectification:my_plan"), {"campaign": demo.pk})
    assert page.status_code == 200
    text = page.content.decode()
    for view in views:
        assert view.item.problem in text
    assert verified.links[0].text in text


def test_each_demo_account_has_something_to_see_or_do(demo):
    secretary, committee = _user("secretary"), _user("committee")
    assert len(selectors.review_queue(secretary, demo)) >= 3  # members' plans to review
    assert len(selectors.verify_queue(secretary, demo)) >= 1  # items done, to verify
    assert {p.unit.name for p in selectors.review_queue(committee, demo)} == set(
        BRANCH_PLANS_WAITING
    )
    assert selectors.verify_queue(committee, demo)
    demo_branch = Unit.objects.get(name=DEMO_BRANCH)
    for username in ("gbsecretary", "supervisor", "observer", "member"):
        plans = access.visible_plans(_user(username)).filter(campaign=demo)
        assert plans.filter(unit=demo_branch, status=Plan.Status.APPROVED).exists(), username
    supervisor_sees = access.visible_plans(_user("supervisor")).filter(campaign=demo)
    assert supervisor_sees.filter(level=Plan.Level.MEMBER).count() > 50
    gb_activities = access.visible_activities(_user("gbsecretary")).filter(campaign=demo)
    assert gb_activities.filter(branch__name=DONATION_BRANCH).exists()


def test_the_special_party_dues_come_to_1310_yuan_and_who_gave_what_stays_private(demo):
    activity = Activity.objects.get(campaign=demo, branch__name=DONATION_BRANCH)
    assert activity.kind == Activity.Kind.DONATION and activity.title == DONATION_TITLE
    assert donation_total(activity) == Decimal("1310")
    lines = Donation.objects.filter(activity=activity)
    branch_members = Member.objects.filter(branch=activity.branch, is_active=True)
    assert lines.count() == branch_members.count() and all(line.amount > 0 for line in lines)
    assert "磐安" in activity.outcomes and "1310" in activity.outcomes
    # The keeper reads every line; a plain member of another branch none — not the
    # page, not a line — nor the general-branch secretary, who sees only the total.
    keeper = activity.treasurer
    assert (
        keeper is not None and access.visible_donations(keeper, activity).count() == lines.count()
    )
    member = _user("member")
    assert not access.visible_donations(member, activity).exists()
    for line in lines:
        with pytest.raises(Http404):
            access.get_donation_for_user(member, line.pk)
    client = Client()
    client.force_login(member)
    detail = reverse("rectification:activity_detail", args=[activity.pk])
    assert client.get(detail).status_code == 404
    client.force_login(_user("gbsecretary"))
    page = client.get(detail)
    assert page.status_code == 200
    assert "1310.00" in page.content.decode()
    assert "donation-lines" not in page.content.decode()
    # The branch plan's item for it is verified, the activity its evidence.
    item = Item.objects.get(plan__unit=activity.branch, updates__activity=activity)
    assert item.status == Item.Status.VERIFIED


def test_golden_ideas_were_decided_and_one_became_an_item_of_the_branch_plan(demo):
    activity = Activity.objects.get(campaign=demo, branch__name=IDEAS_BRANCH)
    assert activity.kind == Activity.Kind.IDEAS
    ideas = Idea.objects.filter(activity=activity)
    decisions = set(ideas.values_list("decision", flat=True))
    assert decisions == set(Idea.Decision.values)
    assert ideas.filter(anonymous=True).exists() and ideas.filter(anonymous=False).exists()
    assert not ideas.filter(anonymous=True, author__isnull=False).exists()
    assert not ideas.filter(decision=Idea.Decision.DECLINED, decision_note="").exists()
    became = ideas.get(became__isnull=False)
    assert became.decision == Idea.Decision.ADOPTED
    assert became.became.plan.unit == activity.branch
    assert became.became.activity == activity and became.became.problem == became.text


def test_the_graduating_branch_called_on_its_graduates_to_leave_in_a_civilised_way(demo):
    activity = Activity.objects.get(campaign=demo, branch__name=GRADUATING_BRANCH)
    assert activity.kind == Activity.Kind.INITIATIVE and activity.title == INITIATIVE_TITLE
    assert activity.participants.exists()
    assert Item.objects.filter(
        plan__unit=activity.branch, updates__activity=activity, status=Item.Status.VERIFIED
    ).exists()


def _row_cells(html: str, head: str) -> list[str]:
    """The cells of the table row whose header cell reads `head`, as text."""
    row = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\">(?:<a [^>]*>)?{re.escape(head)}(?:</a>)?</th>(.*?)</tr>",
        html,
        re.S,
    )
    assert row is not None, head
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def _expected_cells(plans, members: int, branches: int) -> list[str]:
    """The roll-up's columns counted straight from the plan and item rows."""
    today = timezone.localdate()
    member_plans = plans.filter(level=Plan.Level.MEMBER)
    written = member_plans.exclude(status=Plan.Status.DRAFT).count()
    branch_approved = plans.filter(level=Plan.Level.BRANCH, status=Plan.Status.APPROVED).count()
    items = Item.objects.filter(plan__in=plans)
    status = {s: items.filter(status=s).count() for s in Item.Status.values}
    open_ = (Item.Status.PLANNED, Item.Status.IN_PROGRESS)
    overdue = items.filter(status__in=open_, deadline__lt=today).count()
    due = items.filter(deadline__lte=today)
    on_time = sum(
        1
        for deadline, done_at in due.values_list("deadline", "done_at")
        if done_at is not None and timezone.localdate(done_at) <= deadline
    )
    share = f"{on_time * 100 // due.count()}%" if due.exists() else "—"
    return [
        f"{written}/{members}",
        str(member_plans.filter(status=Plan.Status.APPROVED).count()),
        f"{branch_approved}/{branches}",
        str(status[Item.Status.PLANNED]),
        str(status[Item.Status.IN_PROGRESS]),
        str(status[Item.Status.DONE]),
        str(status[Item.Status.VERIFIED]),
        str(overdue),
        share,
    ]


def test_the_ledgers_figures_are_the_demos_items_counted(demo):
    """What the committee reads on the college's ledger — its total row and each
    general branch's — is what the plan and item rows hold, counted here another way."""
    client = Client()
    client.force_login(_user("committee"))
    html = client.get(reverse("rectification:ledger", args=[demo.pk])).content.decode()
    units = Plan.objects.filter(campaign=demo).exclude(level=Plan.Level.COMMITTEE)
    active = Member.objects.filter(is_active=True)
    branches = _branches(demo).filter(is_active=True)
    assert _row_cells(html, "合计") == _expected_cells(
        units,
        active.filter(branch__path__startswith=demo.unit.path).count(),
        branches.count(),
    )
    general = Unit.objects.filter(kind=Unit.Kind.GENERAL_BRANCH, path__startswith=demo.unit.path)
    for unit in general:
        under = units.filter(
            Q(member__branch__path__startswith=unit.path) | Q(unit__path__startswith=unit.path)
        )
        assert _row_cells(html, unit.name) == _expected_cells(
            under,
            active.filter(branch__path__startswith=unit.path).count(),
            branches.filter(path__startswith=unit.path).count(),
        ), unit.name
