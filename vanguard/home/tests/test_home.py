"""Each person's home page shows the sections for the roles they hold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.organization.models import Member
from vanguard.organization.tests.test_selectors import grow_org
from vanguard.supervision.remediation import services as remediation
from vanguard.supervision.tests import factories_remediation as data


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_member_sees_own_profile_and_branch_secretary(client, org, cast):
    html = home(client, cast.member)
    profile = ("王小明", "T0002", "光学工程教工第一党支部", "第一党小组", "正式党员", "2001-07-01")
    for text in profile:
        assert text in html
    assert "李书记" in html  # the branch secretary
    assert "张丽" not in html  # a member does not see the roster
    assert "组织机构" not in html


def test_secretary_sees_their_branch_roster_with_counts(client, org, cast):
    Member.objects.filter(pk=cast.colleague_record.pk).update(standing="probationary")
    html = home(client, cast.secretary)
    assert "光学工程教工第一党支部花名册" in html
    for name in ("李书记", "王小明", "张丽"):
        assert name in html
    assert reverse("organization:member_detail", args=[cast.colleague_record.pk]) in html
    assert '<span class="num">3</span><span class="label">党员总数' in html
    assert '<span class="num">1</span><span class="label">预备党员' in html
    assert "陈刚" not in html


def test_branch_committee_member_sees_the_roster_too(client, org, cast):
    html = home(client, cast.branch_committee)
    assert "张丽" in html and "王小明" in html


def test_group_leader_sees_their_group_only(client, org, cast):
    html = home(client, cast.group_leader)
    assert "第一党小组花名册" in html
    assert "王小明" in html
    assert "张丽" not in html


def test_committee_admin_sees_the_tree_with_counts(client, org, cast):
    html = home(client, cast.committee_admin)
    for name in (
        "信息学院党委",
        "光电系党总支",
        "信电系党总支",
        "光学工程教工第一党支部",
        "信电本科生第四党支部",
        "第一党小组",
    ):
        assert name in html
    assert "<details" in html
    assert '<span class="num">3</span><span class="label">党支部' in html
    assert '<span class="num">4</span><span class="label">党员总数' in html
    assert "只读查看" not in html


def test_observer_sees_the_tree_read_only(client, org, cast):
    html = home(client, cast.observer)
    assert "信电本科生第四党支部" in html
    assert "只读查看" in html


def test_general_branch_secretary_sees_their_general_branch_only(client, org, cast):
    html = home(client, cast.gb_secretary)
    assert "光电系党总支" in html and "光电博士生党支部" in html
    assert "信电系党总支" not in html
    assert "信电本科生第四党支部" not in html


def test_supervisor_sees_assigned_branches_with_counts(client, org, cast):
    html = home(client, cast.supervisor)
    assert "我督查的支部" in html
    assert "光学工程教工第一党支部" in html
    assert "李书记" in html  # the secretary of the supervised branch
    assert "光电博士生党支部" not in html
    assert "信电本科生第四党支部" not in html


def test_a_person_holding_several_roles_sees_each_section(client, org, cast):
    RoleAssignment.objects.create(user=cast.secretary, role=Role.SUPERVISOR, unit=org.branch_b1)
    html = home(client, cast.secretary)
    assert "光学工程教工第一党支部花名册" in html
    assert "我督查的支部" in html and "信电本科生第四党支部" in html
    assert "我的信息" in html  # 李书记 is also a member


def test_member_of_another_branch_sees_nothing_of_branch_a1(client, org, cast):
    html = home(client, cast.other_member)
    assert "信电本科生第四党支部" in html
    assert "光学工程教工第一党支部" not in html


def test_an_account_without_member_record_or_role_is_told_so(client, org):
    html = home(client, make_user("nobody"))
    assert "尚未关联党员信息或职务" in html


def test_nav_shows_links_by_role(client, org, cast):
    admin = home(client, cast.committee_admin)
    assert reverse("admin:index") in admin
    assert reverse("organization:browse") in admin
    assert reverse("organization:roster_import") in admin
    secretary = home(client, cast.secretary)
    assert reverse("organization:roster_import") in secretary
    assert reverse("admin:index") not in secretary
    supervisor = home(client, cast.supervisor)
    assert reverse("organization:roster_import") not in supervisor
    member = home(client, cast.member)
    assert f'href="{reverse("organization:browse")}"' not in member
    assert reverse("organization:member_detail", args=[cast.member_record.pk]) in member


def _home_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "role", ["committee_admin", "gb_secretary", "secretary", "supervisor", "observer", "member"]
)
def test_home_takes_the_same_queries_at_3_and_30_branches(client, org, cast, role):
    user = getattr(cast, role)
    # Give the supervisor and the secretary's branch more to show as the organisation grows.
    grow_org(org.gb_a, branches=3, members_per_branch=6, prefix="M")
    small = _home_queries(client, user)
    grown = grow_org(org.gb_a, branches=27, members_per_branch=6, prefix="N")
    for branch in grown:
        RoleAssignment.objects.create(user=cast.supervisor, role=Role.SUPERVISOR, unit=branch)
    Member.objects.bulk_create(
        Member(name=f"新人{i}", number=f"X{i:04d}", branch=org.branch_a1, category="faculty")
        for i in range(60)
    )
    large = _home_queries(client, user)
    assert small == large, (small, large)


def test_a_member_finds_their_make_up_work_on_the_home_page_until_they_report_it(org, cast, client):
    order = data.member_order(SimpleNamespace(org=org, cast=cast))
    client.force_login(cast.member)
    page = client.get(reverse("home")).content.decode()
    assert "待完成的补课" in page
    assert reverse("supervision:order_detail", args=[order.pk]) in page

    remediation.order_report(order=order, report="已重写读书笔记", actor=cast.member)
    page = client.get(reverse("home")).content.decode()
    assert "待完成的补课" not in page

    client.force_login(cast.other_member)  # another branch's member: nothing of it
    assert "待完成的补课" not in client.get(reverse("home")).content.decode()
