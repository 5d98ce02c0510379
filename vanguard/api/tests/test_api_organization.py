"""Units and members through the API: scoped like the pages, paginated, contact
details only for those who keep the roster."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_member
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


# --- me -------------------------------------------------------------------------


def test_me_lists_roles_with_their_units_and_the_member_record(client, cast, org):
    body = get(client, cast.secretary, "/api/v1/accounts/me").json()
    assert body["username"] == "secretary"
    assert body["roles"] == [
        {
            "role": "branch_secretary",
            "role_display": "支部书记",
            "unit_id": org.branch_a1.pk,
            "unit_name": "光学工程教工第一党支部",
        },
    ]
    assert body["member_id"] == Member.objects.get(user=cast.secretary).pk


def test_me_of_an_officer_without_member_record(client, cast):
    body = get(client, cast.supervisor, "/api/v1/accounts/me").json()
    assert body["member_id"] is None
    assert [r["role"] for r in body["roles"]] == ["supervisor"]


# --- scope ----------------------------------------------------------------------


def test_a_unit_outside_scope_looks_like_one_that_does_not_exist(client, cast, org):
    outside = get(client, cast.other_member, f"/api/v1/org/units/{org.branch_a1.pk}")
    missing = get(client, cast.other_member, "/api/v1/org/units/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json() == {"detail": "未找到", "errors": []}


def test_a_member_outside_scope_looks_like_one_that_does_not_exist(client, cast):
    outside = get(client, cast.other_member, f"/api/v1/org/members/{cast.member_record.pk}")
    missing = get(client, cast.other_member, "/api/v1/org/members/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_a_member_sees_their_branch_but_not_its_roster(client, cast, org):
    unit = get(client, cast.member, f"/api/v1/org/units/{org.branch_a1.pk}")
    assert unit.status_code == 200
    assert unit.json()["name"] == "光学工程教工第一党支部"
    assert unit.json()["parent_name"] == "光电系党总支"
    roster = get(client, cast.member, f"/api/v1/org/units/{org.branch_a1.pk}/members")
    assert roster.status_code == 403
    assert roster.json() == {"detail": "无权执行此操作", "errors": []}


def test_a_member_lists_only_themself(client, cast):
    body = get(client, cast.member, "/api/v1/org/members").json()
    assert [m["name"] for m in body["items"]] == ["王小明"]


def test_a_secretary_lists_their_branch_only(client, cast):
    body = get(client, cast.secretary, "/api/v1/org/members").json()
    assert sorted(m["name"] for m in body["items"]) == ["张丽", "李书记", "王小明"]
    assert body["count"] == 3


def test_a_group_leader_reads_their_group_roster(client, cast, org):
    body = get(client, cast.group_leader, f"/api/v1/org/units/{org.group_a1.pk}/members").json()
    assert [m["name"] for m in body["items"]] == ["王小明"]


def test_the_committee_sees_every_unit(client, cast):
    body = get(client, cast.committee_admin, "/api/v1/org/units").json()
    assert body["count"] == Unit.objects.count() == 7


def test_units_filter_by_parent_kind_and_name(client, cast, org):
    admin = cast.committee_admin
    by_parent = get(client, admin, "/api/v1/org/units", parent=org.gb_a.pk).json()
    assert {u["name"] for u in by_parent["items"]} == {"光学工程教工第一党支部", "光电博士生党支部"}
    branches = get(client, admin, "/api/v1/org/units", kind="branch").json()
    assert branches["count"] == 3
    assert all(u["kind_display"] == "党支部" for u in branches["items"])
    named = get(client, admin, "/api/v1/org/units", q="博士").json()
    assert [u["name"] for u in named["items"]] == ["光电博士生党支部"]


def test_a_supervisor_sees_only_the_assigned_branch_units(client, cast, org):
    body = get(client, cast.supervisor, "/api/v1/org/units").json()
    assert {u["id"] for u in body["items"]} == {org.branch_a1.pk, org.group_a1.pk}


def test_members_search_by_name_or_number(client, cast):
    admin = cast.committee_admin
    assert [
        m["name"] for m in get(client, admin, "/api/v1/org/members", q="张").json()["items"]
    ] == ["张丽"]
    assert [
        m["number"] for m in get(client, admin, "/api/v1/org/members", q="S00").json()["items"]
    ] == ["S0001"]


# --- contact details ------------------------------------------------------------


@pytest.fixture
def phoned(cast):
    member = cast.colleague_record
    member.phone = "13800000000"
    member.email = "zhangli@example.edu.cn"
    member.save()
    return member


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("secretary", True),
        ("gb_secretary", True),
        ("committee_admin", True),
        ("supervisor", False),  # supervisors read the roster but do not keep it
        ("branch_committee", False),
        ("observer", False),
    ],
)
def test_phone_and_email_only_for_roster_keepers(client, cast, phoned, role, shown):
    body = get(client, getattr(cast, role), f"/api/v1/org/members/{phoned.pk}").json()
    assert body["name"] == "张丽"
    assert body["phone"] == ("13800000000" if shown else None)
    assert body["email"] == ("zhangli@example.edu.cn" if shown else None)
    listed = get(client, getattr(cast, role), "/api/v1/org/members", q="张丽").json()["items"]
    assert listed[0]["phone"] == ("13800000000" if shown else None)


def test_a_member_sees_their_own_phone(client, cast):
    cast.member_record.phone = "13900000000"
    cast.member_record.save()
    body = get(client, cast.member, f"/api/v1/org/members/{cast.member_record.pk}").json()
    assert body["phone"] == "13900000000"


# --- pagination and cost ----------------------------------------------------------


def _add_members(branch: Unit, count: int, start: int = 100) -> None:
    for n in range(start, start + count):
        make_member(name=f"党员{n}", number=f"P{n:05d}", branch=branch)


def test_members_are_paginated(client, cast, org):
    _add_members(org.branch_b1, 7)
    admin = cast.committee_admin
    first = get(client, admin, "/api/v1/org/members", page_size=4).json()
    assert first["count"] == Member.objects.count() == 11
    assert (first["page"], first["page_size"], len(first["items"])) == (1, 4, 4)
    last = get(client, admin, "/api/v1/org/members", page_size=4, page=3).json()
    assert len(last["items"]) == 3
    seen = [
        m["id"]
        for p in (1, 2, 3)
        for m in get(client, admin, "/api/v1/org/members", page_size=4, page=p).json()["items"]
    ]
    assert len(set(seen)) == 11


def test_a_bad_page_is_a_422_naming_the_field(client, cast):
    response = get(client, cast.committee_admin, "/api/v1/org/members", page="abc")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "数据有误",
        "errors": [{"field": "page", "message": "应为整数"}],
    }


def test_a_page_size_over_the_limit_is_refused(client, cast):
    response = get(client, cast.committee_admin, "/api/v1/org/members", page_size=10_000)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page_size"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/org/members",
        "/api/v1/org/units",
        "/api/v1/org/units/{branch}/members",
    ],
)
def test_list_queries_do_not_grow_with_the_page(client, cast, org, url):
    url = url.format(branch=org.branch_b1.pk)
    client.force_login(cast.committee_admin)
    _add_members(org.branch_b1, 3)
    few = _queries(client, url)
    _add_members(org.branch_b1, 40, start=500)
    for n in range(10):
        Unit.objects.create(name=f"小组{n}", kind=Unit.Kind.PARTY_GROUP, parent=org.branch_b1)
    many = _queries(client, url)
    assert few == many


def test_the_schema_lists_the_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/accounts/me",
        "/api/v1/org/units",
        "/api/v1/org/units/{unit_id}",
        "/api/v1/org/units/{unit_id}/members",
        "/api/v1/org/members",
        "/api/v1/org/members/{member_id}",
    ):
        assert path in paths, path
