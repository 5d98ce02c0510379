"""The reads behind the organisation pages: counts per unit, search, officers."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_member
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.organization import selectors
from vanguard.organization.models import Member, Unit


def grow_org(parent: Unit, *, branches: int, members_per_branch: int = 4, prefix: str = "G"):
    """Add branches (each with a party group) and members under `parent`: the bigger
    organisation that the query-count tests compare with the small one."""
    made = []
    for b in range(branches):
        branch = Unit.objects.create(
            name=f"{prefix}测试第{b}党支部",
            kind=Unit.Kind.BRANCH,
            branch_type=Unit.BranchType.UNDERGRADUATE,
            parent=parent,
        )
        group = Unit.objects.create(name="第一党小组", kind=Unit.Kind.PARTY_GROUP, parent=branch)
        Member.objects.bulk_create(
            Member(
                name=f"成员{b}-{m}",
                number=f"{prefix}{b:04d}{m:03d}",
                branch=branch,
                party_group=group if m % 2 else None,
                category=Member.Category.UNDERGRADUATE,
                standing=Member.Standing.PROBATIONARY if m == 0 else Member.Standing.FORMAL,
                joined_on=datetime.date(2020, 7, 1),
            )
            for m in range(members_per_branch)
        )
        made.append(branch)
    return made


def _nodes(roots):
    return {node.unit.pk: node for root in roots for node in root.walk()}


def test_tree_counts_members_of_each_unit_and_rolls_them_up(org, cast):
    make_member(
        name="新同志", number="T0009", branch=org.branch_a2, standing=Member.Standing.PROBATIONARY
    )
    gone = make_member(name="已离册", number="T0010", branch=org.branch_a2)
    Member.objects.filter(pk=gone.pk).update(is_active=False)

    nodes = _nodes(selectors.tree_under([org.committee.path]))

    # A1: 李书记, 王小明, 张丽; A2: 新同志 (probationary; the inactive one is not counted);
    # B1: 陈刚.
    assert (nodes[org.branch_a1.pk].total, nodes[org.branch_a1.pk].probationary) == (3, 0)
    assert (nodes[org.branch_a2.pk].total, nodes[org.branch_a2.pk].probationary) == (1, 1)
    assert (nodes[org.gb_a.pk].total, nodes[org.gb_a.pk].probationary) == (4, 1)
    assert nodes[org.gb_b.pk].total == 1
    assert (nodes[org.committee.pk].total, nodes[org.committee.pk].formal) == (5, 4)
    assert nodes[org.group_a1.pk].total == 1  # 王小明 only


def test_tree_has_the_organisation_shape(org, cast):
    roots = selectors.tree_under([org.committee.path])
    assert [r.unit for r in roots] == [org.committee]
    assert [c.unit for c in roots[0].children] == [org.gb_a, org.gb_b]
    a1 = next(c for c in roots[0].children[0].children if c.unit == org.branch_a1)
    assert [c.unit for c in a1.children] == [org.group_a1]


def test_tree_under_a_general_branch_leaves_the_others_out(org, cast):
    roots = selectors.tree_under([org.gb_a.path])
    names = {node.unit.name for root in roots for node in root.walk()}
    assert "光学工程教工第一党支部" in names
    assert "信电本科生第四党支部" not in names
    assert "信息学院党委" not in names


def test_summary_counts_branches_and_members(org, cast):
    summary = selectors.summarize(selectors.tree_under([org.committee.path]))
    assert summary.branches == 3
    assert summary.counts.total == 4


@pytest.mark.parametrize("size", [3, 30])
def test_tree_takes_two_queries_whatever_the_size(org, cast, size):
    grow_org(org.gb_b, branches=size)
    with CaptureQueriesContext(connection) as queries:
        roots = selectors.tree_under([org.committee.path])
    assert len(queries) == 2
    assert roots[0].total == 4 + size * 4


def test_search_finds_a_member_by_number_only_within_scope(org, cast):
    found = selectors.search(cast.secretary, "T0003")
    assert [m.name for m in found.members] == ["张丽"]
    assert selectors.search(cast.other_member, "T0003").members == []
    assert selectors.search(cast.supervisor, "T0003").members[0].name == "张丽"
    # A member finds themself and nobody else.
    assert [m.name for m in selectors.search(cast.member, "T000").members] == ["王小明"]


def test_search_finds_units_by_name_within_scope(org, cast):
    assert [u.name for u in selectors.search(cast.committee_admin, "信电").units] == [
        "信电系党总支",
        "信电本科生第四党支部",
    ]
    assert selectors.search(cast.secretary, "信电").units == []


def test_empty_search_finds_nothing(org, cast):
    assert selectors.search(cast.committee_admin, "   ").empty


def test_officers_are_the_branch_and_its_group_leaders(org, cast):
    officers = selectors.unit_officers(org.branch_a1)
    # The secretary has a member record (李书记); the others are shown by user name.
    assert [(o.role, o.name) for o in officers] == [
        (Role.BRANCH_SECRETARY, "李书记"),
        (Role.BRANCH_COMMITTEE, "zhiwei"),
        (Role.GROUP_LEADER, "groupleader"),
    ]


def test_secretaries_of_branches_in_one_query(org, cast):
    RoleAssignment.objects.create(
        user=cast.other_member, role=Role.BRANCH_SECRETARY, unit=org.branch_b1
    )
    with CaptureQueriesContext(connection) as queries:
        found = selectors.secretaries_of([org.branch_a1.pk, org.branch_b1.pk, org.branch_a2.pk])
    assert len(queries) == 1
    assert found == {org.branch_a1.pk: ["李书记"], org.branch_b1.pk: ["陈刚"]}


def test_roster_of_a_party_group_is_its_members(org, cast):
    names = [m.name for m in selectors.unit_roster(cast.committee_admin, org.group_a1)]
    assert names == ["王小明"]


def test_roster_is_limited_to_what_the_user_may_see(org, cast):
    # A group leader listing the whole branch still sees only their group.
    names = [m.name for m in selectors.unit_roster(cast.group_leader, org.branch_a1)]
    assert names == ["王小明"]


def test_unit_counts_cover_the_whole_subtree_but_list_direct_children(org, cast):
    counts, children = selectors.unit_counts(org.committee)
    assert counts.total == 4
    assert [(c.unit, c.total) for c in children] == [(org.gb_a, 3), (org.gb_b, 1)]
    assert all(not c.children for c in children)
    counts, children = selectors.unit_counts(org.branch_a1)
    assert counts.total == 3
    assert [(c.unit, c.total) for c in children] == [(org.group_a1, 1)]
    counts, children = selectors.unit_counts(org.group_a1)
    assert (counts.total, children) == (1, [])
