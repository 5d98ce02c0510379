"""The progress dashboards as each person sees them."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.tests import progress_data as data
from vanguard.organization.models import Unit

DASHBOARD = "/campaigns/"


@pytest.fixture
def campaign(org):
    return data.make_campaign(org.committee)


def page(client, user, url=DASHBOARD):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_committee_sees_the_college_with_general_branches_lagging_and_blind_spots(
    client, cast, org, campaign
):
    data.complete_study(campaign, org.branch_a1)
    html = page(client, cast.committee_admin)

    assert "<h1>信息学院党委</h1>" in html
    assert "光电系党总支" in html and "信电系党总支" in html  # the units below
    assert "落后支部" in html
    # No plan: A2 and B1 are blind spots, A1 (which submitted one) is not.
    no_plan = html.split('id="no-plan"')[1].split("</section>")[0]
    assert org.branch_a2.name in no_plan and org.branch_b1.name in no_plan
    assert org.branch_a1.name not in no_plan
    # The charts' data travels as JSON blocks, never as script.
    chart = json.loads(
        html.split('id="chart-branches-data" type="application/json">')[1].split("<")[0]
    )
    assert chart["labels"][-1] == org.branch_a1.name and chart["values"][-1] == 100
    assert 'id="chart-weeks-data"' in html


def test_general_branch_secretary_sees_only_their_general_branch(client, cast, org, campaign):
    html = page(client, cast.gb_secretary)
    assert "<h1>光电系党总支</h1>" in html
    assert org.branch_a1.name in html and org.branch_a2.name in html
    assert org.branch_b1.name not in html


def test_branch_secretary_sees_each_members_status(client, cast, org, campaign):
    data.work(campaign, cast.member_record)
    data.work(campaign, cast.member_record)
    data.work(campaign, cast.member_record, "reflection")
    html = page(client, cast.secretary)

    assert f"<h1>{org.branch_a1.name}</h1>" in html
    members = html.split('id="members"')[1]
    assert "王小明" in members and "张丽" in members and "李书记" in members
    silent = html.split('id="blind-spots"')[1].split("</article>")[0]
    assert "张丽" in silent and "王小明" not in silent
    assert "陈刚" not in html  # another branch's member


def test_supervisor_of_several_branches_sees_each_of_them(client, cast, org, campaign):
    RoleAssignment.objects.create(user=cast.supervisor, role=Role.SUPERVISOR, unit=org.branch_b1)
    html = page(client, cast.supervisor)
    assert "<h1>我负责的组织</h1>" in html
    # The tab's title names the page as its heading does, not "progress" twice.
    assert "<title>我负责的组织 · 活动进展 · 先锋 Vanguard</title>" in html
    assert org.branch_a1.name in html and org.branch_b1.name in html
    assert org.branch_a2.name not in html


def test_observer_sees_the_college_read_only(client, cast, org, campaign):
    html = page(client, cast.observer)
    assert "<h1>信息学院党委</h1>" in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0]


def test_a_member_sees_only_their_own_progress(client, cast, org, campaign):
    data.work(campaign, cast.member_record)
    data.work(campaign, cast.colleague_record, "reflection")
    html = page(client, cast.member)

    assert "我的学习进展" in html
    assert "还需完成" in html
    assert "每名党员提交读书笔记不少于 2 篇" in html and "1/2" in html
    for someone_else in ("张丽", "李书记", "陈刚"):
        assert someone_else not in html


def test_a_member_cannot_open_their_branchs_progress(client, cast, org, campaign):
    client.force_login(cast.member)
    url = reverse("campaigns:progress_unit", args=[campaign.pk, org.branch_a1.pk])
    assert client.get(url).status_code == 404


def test_a_unit_outside_the_campaign_is_not_found(client, cast, org, campaign):
    other = Campaign.objects.create(
        name="信电系活动", kind=Campaign.Kind.EDUCATION, unit=org.gb_b, year=2026, status="active"
    )
    client.force_login(cast.committee_admin)
    url = reverse("campaigns:progress_unit", args=[other.pk, org.branch_a1.pk])
    assert client.get(url).status_code == 404


def test_without_an_active_campaign_the_dashboard_says_so(client, cast, org):
    data.make_campaign(org.committee, status=Campaign.Status.CLOSED)
    html = page(client, cast.committee_admin)
    assert "目前没有正在进行的活动" in html


def test_general_branch_page_links_down_to_its_branches(client, cast, org, campaign):
    html = page(
        client,
        cast.committee_admin,
        reverse("campaigns:progress_unit", args=[campaign.pk, org.gb_a.pk]),
    )
    assert reverse("campaigns:progress_unit", args=[campaign.pk, org.branch_a1.pk]) in html
    assert 'class="breadcrumbs"' in html and "信息学院党委" in html


def _dashboard_queries(client, user, url=DASHBOARD) -> int:
    client.force_login(user)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_branches_or_members(client, cast, org, campaign):
    data.complete_study(campaign, org.branch_a1)
    branch_url = reverse("campaigns:progress_unit", args=[campaign.pk, org.branch_a1.pk])
    small_college = _dashboard_queries(client, cast.committee_admin)
    small_branch = _dashboard_queries(client, cast.secretary)
    small_member = _dashboard_queries(client, cast.member)
    small_branch_page = _dashboard_queries(client, cast.committee_admin, branch_url)
    api_url = f"/api/v1/campaigns/{campaign.pk}/progress"  # the API reads the same engine
    small_api = _dashboard_queries(client, cast.committee_admin, api_url)

    for branch in data.grow_org(org.gb_a, branches=15, members=10, prefix="G"):
        data.complete_study(campaign, branch)
        data.meeting(campaign, branch, "mobilisation", day=data.today())
        data.move_on(campaign, branch)
        group = Unit.objects.create(name=f"{branch.name}党小组", kind="party_group", parent=branch)
        data.meeting(campaign, group, "all_member", day=data.today())
    for n in range(12):  # a bigger branch A1
        data.work(
            campaign, make_member(name=f"新党员{n}", number=f"N{n:03d}", branch=org.branch_a1)
        )

    assert _dashboard_queries(client, cast.committee_admin) == small_college
    assert _dashboard_queries(client, cast.secretary) == small_branch
    assert _dashboard_queries(client, cast.member) == small_member
    assert _dashboard_queries(client, cast.committee_admin, branch_url) == small_branch_page
    assert _dashboard_queries(client, cast.committee_admin, api_url) == small_api


def _section(html: str, marker: str, end: str = "</article>") -> str:
    return html.split(marker)[1].split(end)[0]


def test_above_many_branches_the_lists_go_by_the_units_below(
    client, cast, org, campaign, monkeypatch
):
    """A university's page (more than BRANCHES_LISTED branches) lists each unit below
    with its counts, linking to the unit's own page, where the branches are listed —
    and the counts are the ones that page lists."""
    from vanguard.campaigns import views_progress

    data.complete_study(campaign, org.branch_a1)
    gb_a_url = reverse("campaigns:progress_unit", args=[campaign.pk, org.gb_a.pk])
    own_page = page(client, cast.committee_admin, gb_a_url)
    own_no_plan = _section(own_page, 'id="no-plan"', "</section>")
    own_lagging = _section(own_page, 'id="lagging"')
    assert org.branch_a2.name in own_no_plan and org.branch_a1.name not in own_no_plan
    assert org.branch_a2.name in own_lagging and org.branch_a1.name not in own_lagging

    monkeypatch.setattr(views_progress, "BRANCHES_LISTED", 2)  # the college has 3
    html = page(client, cast.committee_admin)
    blind = _section(html, 'id="blind-spots"')
    lagging = _section(html, 'id="lagging"')
    # By unit: the general branches with their counts, linking down; no branch by name.
    assert f'href="{gb_a_url}#no-plan">1</a>' in blind  # A2, as its own page lists
    assert f'href="{gb_a_url}#lagging">光电系党总支</a>' in lagging
    assert "共 2 个落后支部" in lagging  # A2 and B1; A1 met the study phase
    for branch in (org.branch_a2, org.branch_b1):
        assert branch.name not in blind
    # The first lagging branches are still named, furthest behind first.
    assert org.branch_b1.name in lagging and org.branch_a2.name in lagging

    monkeypatch.setattr(views_progress, "BRANCHES_LISTED", 80)
    html = page(client, cast.committee_admin)
    assert org.branch_a2.name in _section(html, 'id="no-plan"', "</section>")
