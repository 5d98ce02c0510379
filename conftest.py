"""Fixtures shared by every test: a small organisation and the same cast of people
everywhere (habit 4): a committee admin, a supervisor, a general-branch secretary,
a branch secretary, a branch committee member, a party-group leader, an observer,
a member, a member of another branch, and the anonymous visitor (no fixture)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit import triggers
from vanguard.organization.models import Member, Unit

PASSWORD = "correct-horse-battery"  # noqa: S105


@dataclass
class Org:
    committee: Unit
    gb_a: Unit
    gb_b: Unit
    branch_a1: Unit
    branch_a2: Unit
    branch_b1: Unit
    group_a1: Unit


@pytest.fixture
def org(db) -> Org:
    committee = Unit.objects.create(name="信息学院党委", kind=Unit.Kind.COMMITTEE)
    gb_a = Unit.objects.create(name="光电系党总支", kind=Unit.Kind.GENERAL_BRANCH, parent=committee)
    gb_b = Unit.objects.create(name="信电系党总支", kind=Unit.Kind.GENERAL_BRANCH, parent=committee)
    branch_a1 = Unit.objects.create(
        name="光学工程教工第一党支部",
        kind=Unit.Kind.BRANCH,
        branch_type=Unit.BranchType.FACULTY,
        parent=gb_a,
    )
    branch_a2 = Unit.objects.create(
        name="光电博士生党支部",
        kind=Unit.Kind.BRANCH,
        branch_type=Unit.BranchType.DOCTORAL,
        parent=gb_a,
    )
    branch_b1 = Unit.objects.create(
        name="信电本科生第四党支部",
        kind=Unit.Kind.BRANCH,
        branch_type=Unit.BranchType.UNDERGRADUATE,
        parent=gb_b,
    )
    group_a1 = Unit.objects.create(name="第一党小组", kind=Unit.Kind.PARTY_GROUP, parent=branch_a1)
    return Org(committee, gb_a, gb_b, branch_a1, branch_a2, branch_b1, group_a1)


def make_user(username: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def make_member(
    *,
    name: str,
    number: str,
    branch: Unit,
    user: User | None = None,
    party_group: Unit | None = None,
    standing: str = Member.Standing.FORMAL,
) -> Member:
    return Member.objects.create(
        name=name,
        number=number,
        branch=branch,
        party_group=party_group,
        user=user,
        category=Member.Category.FACULTY,
        standing=standing,
        joined_on=datetime.date(2001, 7, 1),
    )


@dataclass
class Cast:
    committee_admin: User
    supervisor: User
    gb_secretary: User
    secretary: User
    branch_committee: User
    group_leader: User
    observer: User
    member: User
    other_member: User
    member_record: Member
    other_member_record: Member
    colleague_record: Member


@pytest.fixture
def cast(org: Org) -> Cast:
    def role(user: User, role: str, unit: Unit) -> User:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
        return user

    committee_admin = role(make_user("committee"), Role.COMMITTEE_ADMIN, org.committee)
    supervisor = role(make_user("supervisor"), Role.SUPERVISOR, org.branch_a1)
    gb_secretary = role(make_user("gbsecretary"), Role.GENERAL_BRANCH_SECRETARY, org.gb_a)
    secretary = role(make_user("secretary"), Role.BRANCH_SECRETARY, org.branch_a1)
    make_member(name="李书记", number="T0001", branch=org.branch_a1, user=secretary)
    branch_committee = role(make_user("zhiwei"), Role.BRANCH_COMMITTEE, org.branch_a1)
    group_leader = role(make_user("groupleader"), Role.GROUP_LEADER, org.group_a1)
    observer = role(make_user("observer"), Role.OBSERVER, org.committee)
    member = make_user("member")
    member_record = make_member(
        name="王小明", number="T0002", branch=org.branch_a1, user=member, party_group=org.group_a1
    )
    colleague_record = make_member(name="张丽", number="T0003", branch=org.branch_a1)
    other_member = make_user("othermember")
    other_member_record = make_member(
        name="陈刚", number="S0001", branch=org.branch_b1, user=other_member
    )
    return Cast(
        committee_admin,
        supervisor,
        gb_secretary,
        secretary,
        branch_committee,
        group_leader,
        observer,
        member,
        other_member,
        member_record,
        other_member_record,
        colleague_record,
    )


@pytest.fixture(autouse=True)
def _audit_triggers_allow_flush(request: pytest.FixtureRequest):
    """Live-server and transactional tests end with Django emptying every table, which
    the append-only audit triggers refuse; lift them for that flush, and restore them
    for the test itself."""
    marker = request.node.get_closest_marker("django_db")
    transactional_marker = marker is not None and marker.kwargs.get("transaction", False)
    if not (
        {"transactional_db", "live_server"} & set(request.fixturenames) or transactional_marker
    ):
        yield
        return
    from django.db import connection

    request.getfixturevalue("transactional_db")
    triggers.install(connection)
    yield
    triggers.remove(connection)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Files uploaded by any test (study work, roster imports) land in a temporary
    folder, never in var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so that rate-limit counts (the suggestion
    box's, kept only in the cache) do not carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
