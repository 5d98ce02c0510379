"""The ledgers (整改台账): each member's, the branch's and the roll-up agree with the
items they count; a person reads only their scope; "you said, we did" shows what was
said and what was done, never who said it, and never a plan that is not approved;
no page shows who gave how much; the number of queries does not grow with the
college; and the campaign dashboards show phase 3's requirements and progress."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member
from vanguard.accounts.access import scopes
from vanguard.campaigns import blueprints
from vanguard.campaigns import requirements as kinds
from vanguard.campaigns.models import Phase
from vanguard.campaigns.tests import progress_data
from vanguard.opinions.models import Opinion
from vanguard.rectification import access
from vanguard.rectification.ledgers import selectors
from vanguard.rectification.models import Item, Plan
from vanguard.rectification.requirements import items_done_on_time
from vanguard.rectification.tests import factories as make
from vanguard.rectification.tests import ledgers_data as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(org, cast):
    return data.build(org, cast)


def _figures(tally: selectors.Tally) -> dict[str, int]:
    return {name: getattr(tally, name) for name in data.A1}


def _page(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _text(html: str) -> str:
    """The page as a person reads it: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _url(name: str, *args) -> str:
    return reverse(f"rectification:{name}", args=args)


# --- Totals agree with the items --------------------------------------------------------


def test_branch_totals_are_the_items_counted_by_hand(built, org, cast):
    ledger = selectors.branch_ledger(cast.committee_admin, built.campaign, org.branch_a1)
    assert _figures(ledger.total) == data.A1
    assert ledger.total.on_time_percent == 50
    assert ledger.total.branch_plans_approved == 1
    other = selectors.branch_ledger(cast.committee_admin, built.campaign, org.branch_b1)
    assert _figures(other.total) == data.B1
    assert other.total.branch_plans_approved == 0


def test_the_member_rows_and_the_branch_plan_add_up_to_the_branch(built, org, cast):
    ledger = selectors.branch_ledger(cast.secretary, built.campaign, org.branch_a1)
    summed = selectors.Tally()
    for row in ledger.rows:
        summed.add(row.tally)
    summed.add(ledger.plan_tally)
    for name in ("items", "planned", "in_progress", "done", "verified", "overdue", "due"):
        assert getattr(summed, name) == getattr(ledger.total, name), name
    assert summed.on_time == ledger.total.on_time
    assert summed.written == ledger.total.written
    rows = {row.member.name: row for row in ledger.rows}
    assert set(rows) == {"李书记", "王小明", "张丽"}
    assert rows["李书记"].plan_status == "" and not rows["李书记"].started
    assert rows["王小明"].plan_status == Plan.Status.APPROVED
    assert (rows["王小明"].tally.items, rows["王小明"].tally.overdue) == (4, 1)
    assert rows["王小明"].tally.on_time_percent == 66  # 2 of the 3 due, done on time
    assert rows["张丽"].tally.on_time_percent == 0


def test_the_roll_up_agrees_with_the_items_in_the_database(built, org, cast):
    rollup = selectors.roll_up(cast.committee_admin, built.campaign, [org.committee])
    items = Item.objects.filter(plan__campaign=built.campaign).exclude(plan__level="committee")
    today = data.today()
    assert rollup.total.items == items.count()
    for status in Item.Status.values:
        assert getattr(rollup.total, status) == items.filter(status=status).count(), status
    assert rollup.total.overdue == (
        items.filter(status__in=["planned", "in_progress"], deadline__lt=today).count()
    )
    assert rollup.total.members == data.A1["members"] + data.B1["members"]
    assert (
        rollup.total.written
        == Plan.objects.filter(
            campaign=built.campaign, level="member", status__in=selectors.WRITTEN
        ).count()
    )
    assert (rollup.total.branch_plans_approved, rollup.total.branches) == (1, 3)
    rows = {row.unit.pk: row for row in rollup.rows}
    assert set(rows) == {
        org.gb_a.pk,
        org.branch_a1.pk,
        org.branch_a2.pk,
        org.gb_b.pk,
        org.branch_b1.pk,
    }
    assert _figures(rows[org.branch_a1.pk].tally) == data.A1
    assert _figures(rows[org.gb_a.pk].tally) == data.A1  # A2 has nobody and nothing
    assert _figures(rows[org.gb_b.pk].tally) == data.B1
    assert (rows[org.gb_a.pk].depth, rows[org.branch_a1.pk].depth) == (0, 1)
    # The committee's own plan stands apart from the roll-up.
    assert rollup.committee_plan == built.committee_plan
    assert rollup.committee_tally is not None and rollup.committee_tally.in_progress == 1


def test_the_share_done_by_the_deadline_is_the_requirements(built, org, cast):
    """The ledger and the dashboard's requirement count the same items the same way."""
    ctx = kinds.Context(campaign=built.campaign, paths=[org.committee.path])
    due_done = items_done_on_time(ctx)
    rollup = selectors.roll_up(cast.committee_admin, built.campaign, [org.committee])
    for row in rollup.rows:
        if row.is_branch:
            assert (row.tally.due, row.tally.on_time) == due_done.get(row.unit.pk, (0, 0))


def test_member_ledger_lists_the_items_with_the_latest_update(built, org, cast, client):
    url = _url("ledger_member", built.campaign.pk, cast.member_record.pk)
    page = _text(_page(client, cast.secretary, url))
    assert "一人一账 · 王小明" in page
    assert "1 已逾期" in page and "计划中 1 进行中 1 已完成 1 已验收 1" in page
    assert "66% 到期事项按期完成" in page
    # A member without a plan has a ledger that says so.
    secretary_record = cast.secretary.member
    page = _text(
        _page(client, cast.secretary, _url("ledger_member", built.campaign.pk, secretary_record.pk))
    )
    assert "尚未制订整改计划" in page
    # The member reads their own.
    assert "一人一账" in _page(client, cast.member, url)


def test_branch_ledger_filters_and_sorts_the_members(built, org, cast, client):
    base = _url("ledger_branch", built.campaign.pk, org.branch_a1.pk)
    page = _text(_page(client, cast.secretary, base + "?show=not_started"))
    members = page.split("党员个人整改")[1].split("整改活动")[0]
    assert "李书记" in members and "王小明" not in members and "张丽" not in members
    page = _text(_page(client, cast.secretary, base + "?show=overdue"))
    members = page.split("党员个人整改")[1]
    assert "王小明" in members and "张丽" in members and "李书记" not in members
    page = _page(client, cast.secretary, base + "?sort=on_time")
    assert page.index("张丽") < page.index("王小明")  # 0 % before 66 %
    page = _text(_page(client, cast.secretary, base))
    assert "3/3" not in page and "2/3" in page  # plans written of the members
    assert "50%" in page


# --- Donations: the total only ----------------------------------------------------------


def test_the_branch_ledger_shows_the_donation_total_never_an_amount(built, org, cast, client):
    url = _url("ledger_branch", built.campaign.pk, org.branch_a1.pk)
    # The secretary keeps the lines (no treasurer named): even so, the ledger shows the total.
    for user in (cast.secretary, cast.committee_admin, cast.observer):
        page = _text(_page(client, user, url))
        assert "合计 1310.00 元" in page
        assert "271.50" not in page and "1038.50" not in page
        assert "收到 2 条，采纳 1 条" in page


# --- Scope ------------------------------------------------------------------------------


def test_a_branch_secretary_never_sees_another_branch(built, org, cast, client):
    client.force_login(cast.secretary)
    c = built.campaign.pk
    assert client.get(_url("ledger_branch", c, org.branch_b1.pk)).status_code == 404
    assert client.get(_url("ledger_member", c, cast.other_member_record.pk)).status_code == 404
    assert client.get(_url("said_did", c, org.branch_b1.pk)).status_code == 404
    # Their way in is their branch's ledger; their roll-up holds their branch alone.
    response = client.get(_url("ledger_index") + f"?campaign={c}")
    assert response["Location"] == _url("ledger_branch", c, org.branch_a1.pk)
    page = _page(client, cast.secretary, _url("ledger", c))
    assert org.branch_a1.name in page
    assert org.branch_b1.name not in page and org.gb_b.name not in page


def test_a_general_branch_secretary_reads_their_general_branch_only(built, org, cast, client):
    c = built.campaign.pk
    client.force_login(cast.gb_secretary)
    assert client.get(_url("ledger_index") + f"?campaign={c}")["Location"] == _url("ledger", c)
    page = _page(client, cast.gb_secretary, _url("ledger", c))
    assert org.branch_a1.name in page and org.branch_a2.name in page
    assert org.branch_b1.name not in page
    assert client.get(_url("ledger_branch", c, org.branch_b1.pk)).status_code == 404
    rollup = selectors.roll_up(cast.gb_secretary, built.campaign, [org.gb_a])
    assert _figures(rollup.total) == data.A1


def test_the_supervisor_reads_the_branches_they_supervise(built, org, cast, client):
    c = built.campaign.pk
    client.force_login(cast.supervisor)
    assert client.get(_url("ledger_index") + f"?campaign={c}")["Location"] == _url(
        "ledger_branch", c, org.branch_a1.pk
    )
    assert client.get(_url("ledger_branch", c, org.branch_a2.pk)).status_code == 404


def test_a_member_is_sent_to_their_branchs_you_said_we_did(built, org, cast, client):
    client.force_login(cast.member)
    response = client.get(_url("ledger_index"))
    assert response["Location"] == _url("said_did", built.campaign.pk, org.branch_a1.pk)
    for name, pk in (("ledger_branch", org.branch_a1.pk), ("ledger", None)):
        url = _url(name, built.campaign.pk, pk) if pk else _url(name, built.campaign.pk)
        assert client.get(url).status_code == 404
    assert (
        client.get(_url("ledger_member", built.campaign.pk, cast.colleague_record.pk)).status_code
        == 404
    )


# --- You said, we did -------------------------------------------------------------------


def _said_did(client, user, built, org) -> str:
    return _page(client, user, _url("said_did", built.campaign.pk, org.branch_a1.pk))


def test_you_said_we_did_shows_what_was_said_and_done(built, org, cast, client):
    page = _text(_said_did(client, cast.member, built, org))
    assert data.BRANCH_OPINION in page and data.BRANCH_MEASURE in page
    assert data.COMMITTEE_OPINION in page and data.COMMITTEE_MEASURE in page
    assert data.UPDATE_TEXT in page  # the latest evidence
    assert "进行中" in page


def test_you_said_we_did_never_shows_a_source_nor_a_private_or_unapproved_plan(
    built, org, cast, client
):
    for user in (cast.member, cast.secretary, cast.committee_admin):
        html = _said_did(client, user, built, org)
        page = _text(html)
        for secret in (
            data.SOURCE,
            data.CONTACT,
            "电子信箱",
            "email",
            "2005-03-17",
            "2005年3月17日",
        ):
            assert secret not in html, secret
        # A member's own plan is theirs, never the branch's notice board.
        assert data.MEMBER_OPINION not in page and data.MEMBER_MEASURE not in page
        for opinion_pk in Opinion.objects.filter(campaign=built.campaign).values_list(
            "pk", flat=True
        ):
            assert str(opinion_pk) not in html  # the keys are numbers no other id reaches
    # B1's plan is not approved: nothing of it reaches its members.
    client.force_login(cast.other_member)
    page = client.get(_url("said_did", built.campaign.pk, org.branch_b1.pk)).content.decode()
    assert data.UNAPPROVED_OPINION not in page
    assert data.COMMITTEE_OPINION in page  # the committee's approved plan reaches every branch


def test_a_returned_branch_plan_leaves_you_said_we_did(built, org, cast, client):
    built.branch_plan.status = Plan.Status.RETURNED
    built.branch_plan.save()
    page = _said_did(client, cast.member, built, org)
    assert data.BRANCH_OPINION not in page and data.COMMITTEE_OPINION in page


# --- Queries ----------------------------------------------------------------------------


def _grow(built, org, *, branches: int, members: int) -> None:
    """More branches in both general branches, each member with a plan of two items,
    each branch with a plan."""
    for parent, prefix in ((org.gb_a, "GA"), (org.gb_b, "GB")):
        for branch in progress_data.grow_org(
            parent, branches=branches, members=members, prefix=prefix
        ):
            plan = make.unit_plan(built.campaign, branch, status=Plan.Status.APPROVED)
            make.item(plan, deadline=data.days(-1))
            for member in branch.members.all():
                own = make.member_plan(built.campaign, member, status=Plan.Status.SUBMITTED)
                make.done(make.item(own, deadline=data.days(-2)))
                make.item(own, deadline=data.days(3))


def _count(client, user, url: str) -> int:
    client.force_login(user)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_ledger_queries_do_not_grow_with_branches_or_members(
    built, org, cast, client, django_assert_max_num_queries
):
    c = built.campaign.pk
    rollup_url = _url("ledger", c)
    branch_url = _url("ledger_branch", c, org.branch_a1.pk)
    small = {
        "rollup": _count(client, cast.committee_admin, rollup_url),
        "gb": _count(client, cast.gb_secretary, rollup_url),
        "branch": _count(client, cast.secretary, branch_url),
    }
    _grow(built, org, branches=6, members=5)
    for n in range(8):  # a bigger branch A1, every new member with a plan
        member = make_member(name=f"新党员{n}", number=f"N{n:03d}", branch=org.branch_a1)
        make.item(make.member_plan(built.campaign, member), deadline=data.days(-1))

    client.force_login(cast.committee_admin)
    with django_assert_max_num_queries(small["rollup"]):
        page = client.get(rollup_url).content.decode()
    assert page.count('class="depth-1') == 3 + 2 * 6  # every branch has its row
    client.force_login(cast.gb_secretary)
    with django_assert_max_num_queries(small["gb"]):
        client.get(rollup_url)
    client.force_login(cast.secretary)
    with django_assert_max_num_queries(small["branch"]):
        page = client.get(branch_url).content.decode()
    assert "新党员7" in page


def test_the_navigation_flag_costs_no_query(cast, django_assert_num_queries):
    for user, reads in ((cast.secretary, True), (cast.observer, True), (cast.member, False)):
        scopes(user)  # read once per request by the navigation already
        with django_assert_num_queries(0):
            assert access.reads_ledgers(user) is reads


def test_the_plans_page_and_the_ledgers_link_to_each_other(built, org, cast, client):
    c = built.campaign.pk
    plans = _page(client, cast.secretary, _url("campaign_plans", c))
    assert f'href="{_url("ledger_index")}?campaign={c}"' in plans
    ledger = _page(client, cast.secretary, _url("ledger_branch", c, org.branch_a1.pk))
    assert f'href="{_url("campaign_plans", c)}"' in ledger
    assert f'href="{_url("plan_detail", built.branch_plan.pk)}"' in ledger
    assert f'href="{_url("ledger_member", c, cast.member_record.pk)}"' in ledger
    assert f'href="{_url("said_did", c, org.branch_a1.pk)}"' in ledger
    member = _page(client, cast.secretary, _url("ledger_member", c, cast.member_record.pk))
    assert f'href="{_url("plan_detail", built.member_plan.pk)}"' in member
    assert f'href="{_url("ledger_branch", c, org.branch_a1.pk)}"' in member
    rollup = _page(client, cast.committee_admin, _url("ledger", c))
    assert f'href="{_url("ledger_branch", c, org.branch_b1.pk)}"' in rollup
    assert f'href="{_url("plan_detail", built.committee_plan.pk)}"' in rollup


def test_the_navigation_leads_officers_to_the_ledger_and_members_to_what_changed(
    built, cast, client
):
    page = _page(client, cast.secretary, reverse("home"))
    assert f'href="{_url("ledger_index")}"' in page and "整改台账" in page
    page = _page(client, cast.member, reverse("home"))
    assert f'href="{_url("ledger_index")}"' in page and "你们提的，我们改的" in page
    page = _page(client, cast.group_leader, reverse("home"))
    assert _url("ledger_index") not in page


# --- Phase 3 on the dashboards ---------------------------------------------------------


def test_the_education_blueprint_sets_phase_3s_requirements():
    rectification = next(
        phase for phase in blueprints.EDUCATION.phases if phase.key == Phase.Key.RECTIFICATION
    )
    codes = [spec.kind for spec in rectification.requirements]
    assert codes == [kind for kind, _params in data.PHASE_3_REQUIREMENTS]
    for spec in rectification.requirements:
        kinds.validate_params(spec.kind, spec.params)  # registered, with good parameters


def test_dashboards_show_phase_3s_requirements_and_progress(built, org, cast, client):
    data.into_phase_3(built.campaign, [org.branch_a1, org.branch_a2, org.branch_b1])
    url = reverse("campaigns:dashboard") + f"?campaign={built.campaign.pk}"

    # The committee: A1 has 2 of 3 members' plans, its plan approved, 50 % of the items
    # due done on time (80 % asked): (2/3 + 1 + 0) / 3 = 56 %. A2: nobody to write a
    # plan, no plan of its own, nothing due: 67 %. B1: 1/1, no approved plan, 50 %: 33 %.
    # 光电系: (56 + 67) / 2 = 61 %; 信电系 33 %.
    page = _text(_page(client, cast.committee_admin, url))
    assert "当前阶段：整改提高" in page
    assert f"{org.gb_a.name} 整改提高 2 61%" in page
    assert f"{org.gb_b.name} 整改提高 1 33%" in page
    # The branch page the committee opens from there.
    branch = _text(
        _page(
            client,
            cast.committee_admin,
            reverse("campaigns:progress_unit", args=[built.campaign.pk, org.branch_a1.pk]),
        )
    )
    assert "56%" in branch

    # The branch secretary: their branch's requirements, each with what is done.
    page = _text(_page(client, cast.secretary, url))
    assert "每名党员提交书面整改计划 2/3 人" in page
    assert "支部整改计划经党委审核通过 已完成" in page
    assert "到期整改事项按期完成 80% 以上 50%" in page
    assert "56%" in page
    # A written plan is something handed in: only 李书记 (no plan) is silent.
    assert "未提交任何材料的党员 1 李书记 " in page

    # The member: their requirement, and the way to their plan.
    page = _page(client, cast.member, url)
    assert "每名党员提交书面整改计划" in _text(page)
    assert f'href="{_url("my_plan")}?campaign={built.campaign.pk}"' in page


def test_the_dashboard_judges_every_branch_by_phase_3_before_they_move_on(built, org, cast, client):
    """The committee looks ahead: with the branches still in the phase they are in, the
    dashboard judged by rectification's requirements gives the figures they would have
    there (the same as in the test above), and still says where each branch stands."""
    rectification = data.into_phase_3(built.campaign, [])
    url = reverse("campaigns:dashboard") + f"?campaign={built.campaign.pk}"
    own = _text(_page(client, cast.committee_admin, url))
    assert "整改提高" not in own.split("各支部所处阶段")[0].split("当前阶段")[0]
    assert f"{org.gb_a.name} 整改提高" not in own

    page = _page(client, cast.committee_admin, f"{url}&phase={rectification.pk}")
    text = _text(page)
    assert re.search(rf"{org.gb_a.name} (?!整改提高)\S+ 2 61%", text)
    assert re.search(rf"{org.gb_b.name} (?!整改提高)\S+ 1 33%", text)
    assert "尚未完成“整改提高”阶段要求的支部" in text
    assert f'href="?phase={rectification.pk}" aria-current="page"' in page

    # The branch page judged the same way lists rectification's requirements.
    branch = reverse("campaigns:progress_unit", args=[built.campaign.pk, org.branch_a1.pk])
    text = _text(_page(client, cast.secretary, f"{branch}?phase={rectification.pk}"))
    assert "每名党员提交书面整改计划 2/3 人" in text and "56%" in text

    # A phase that is not the campaign's, or not a number, is no choice at all.
    for junk in ("999999", "abc", "-1"):
        assert _text(_page(client, cast.committee_admin, f"{url}&phase={junk}")) == own
