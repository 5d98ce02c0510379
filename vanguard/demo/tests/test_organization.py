"""The demo college (`manage.py build_demo`): 信息学院 as the seed describes it, the
six demo accounts, and a build that is the same every time and never touches a
real organisation."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Max
from django.urls import reverse

from conftest import fresh_copy
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit.models import AuditEntry
from vanguard.demo.common import COLLEGE_NAME
from vanguard.demo.organization import DEMO_PASSWORD, DEMO_USERNAMES, GENERAL_BRANCHES
from vanguard.demo.tests import fingerprints
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.organization.models import ImportJob, Member, MemberTransfer, Unit

# Every branch the seed names (in simplified characters).
SEED_BRANCHES = {
    "光学工程教工第一党支部",
    "光学工程教工第二党支部",
    "光电研究生第二党支部",
    "光电研究生第三党支部",
    "光电博士生党支部",
    "信电本科生第五党支部",
    "控制系本科生党支部",
    "退休党支部",
    "光电硕士生第二党支部",
    "信电系光电子所党支部",
    "光电本科生第二党支部",
    "信电系机关党支部",
    "信电本科生第四党支部",
    "控制系仪表所党支部",
    "控制系工控所党支部",
    "信电系硕士生党支部",
    "薄膜与显示技术研究所党支部",
    "光电系本科生党支部",
}
STUDENTS = {
    Member.Category.UNDERGRADUATE,
    Member.Category.MASTERS,
    Member.Category.DOCTORAL,
}


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    """The demo, kept for this module (kept_demo: built once per worker, each test's
    writes rolled back before the next test; the tests without it run first)."""
    with kept_demo(django_db_blocker) as result:
        yield result


@pytest.fixture
def demo(demo_of_the_module, db):
    return fresh_copy(demo_of_the_module)


def holders(role: str, unit: Unit) -> list[User]:
    return [ra.user for ra in RoleAssignment.objects.filter(role=role, unit=unit)]


def test_demo_accounts_do_not_exist_until_the_demo_is_built(db):
    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()


def test_demo_college_has_41_branches_under_its_three_general_branches(demo):
    committee = Unit.objects.get(name=COLLEGE_NAME, parent=None)
    general_branches = Unit.objects.filter(parent=committee, kind=Unit.Kind.GENERAL_BRANCH)
    assert sorted(general_branches.values_list("name", flat=True)) == sorted(GENERAL_BRANCHES)

    branches = Unit.objects.filter(kind=Unit.Kind.BRANCH)
    assert branches.count() == 41
    assert set(branches.values_list("name", flat=True)) >= SEED_BRANCHES
    for branch in branches:
        assert branch.parent_id == committee.pk or branch.parent in general_branches
        assert branch.branch_type, branch.name
        assert branch.path == f"{branch.parent.path}{branch.pk}/"
    # The tree is general: the retired branch sits directly under the committee.
    assert Unit.objects.get(name="退休党支部").parent == committee
    assert Unit.objects.get(name="光学工程教工第一党支部").parent.name == "光电系党总支"
    assert Unit.objects.get(name="控制系仪表所党支部").parent.name == "控制系党总支"
    assert set(committee.subtree().values_list("pk", flat=True)) == set(
        Unit.objects.values_list("pk", flat=True)
    )


def test_demo_college_has_about_700_members_of_fitting_kinds(demo):
    members = Member.objects.all()
    assert 650 <= members.count() <= 750
    assert demo.members == members.count()
    students = members.filter(category__in=STUDENTS)
    probationary = students.filter(standing=Member.Standing.PROBATIONARY).count()
    assert 0.1 * students.count() < probationary < 0.5 * students.count()
    assert not members.filter(
        category=Member.Category.RETIRED, standing=Member.Standing.PROBATIONARY
    ).exists()
    assert 0 < members.filter(is_active=False).count() < 30
    assert 0 < members.exclude(phone="").count() < members.count()
    assert 0 < members.exclude(email="").count() < members.count()

    retired = Member.objects.filter(branch__name="退休党支部")
    assert set(retired.values_list("category", flat=True)) == {Member.Category.RETIRED}
    assert retired.aggregate(latest=Max("joined_on"))["latest"].year <= 1995
    undergraduates = Member.objects.filter(branch__branch_type=Unit.BranchType.UNDERGRADUATE)
    assert set(undergraduates.values_list("category", flat=True)) == {Member.Category.UNDERGRADUATE}
    assert all(
        len(n) == 10 and n.startswith("3") for n in undergraduates.values_list("number", flat=True)
    )
    sizes = sorted(
        Unit.objects.filter(kind=Unit.Kind.BRANCH)
        .annotate(n=Count("members"))
        .values_list("n", flat=True)
    )
    assert sizes[0] < 10 < 30 < sizes[-1]


def test_large_branches_have_party_groups_as_the_seed_says(demo):
    assert Member.objects.filter(branch__name="信电系机关党支部").count() == 8
    fourth = Unit.objects.get(name="信电本科生第四党支部")
    assert list(fourth.children.values_list("name", flat=True)) == [
        "第一党小组",
        "第二党小组",
        "第三党小组",
    ]
    doctoral = Unit.objects.get(name="光电博士生党支部")
    assert doctoral.children.filter(name="第二党小组").exists()
    for branch in Unit.objects.filter(kind=Unit.Kind.BRANCH).annotate(n=Count("members")):
        in_groups = Member.objects.filter(branch=branch, party_group__isnull=False).count()
        if branch.n > 25:
            assert in_groups == branch.n, branch.name
            assert (
                not Member.objects.filter(branch=branch)
                .exclude(party_group__parent=branch)
                .exists()
            )
        else:
            assert in_groups == 0 and not branch.children.exists(), branch.name


def test_every_role_has_a_holder_and_every_branch_a_secretary_of_its_own(demo):
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    for branch in Unit.objects.filter(kind=Unit.Kind.BRANCH):
        (secretary,) = holders(Role.BRANCH_SECRETARY, branch)
        assert secretary.member.branch == branch
        committee = holders(Role.BRANCH_COMMITTEE, branch)
        assert 1 <= len(committee) <= 2, branch.name
        assert all(user.member.branch == branch for user in committee)
    for group in Unit.objects.filter(kind=Unit.Kind.PARTY_GROUP):
        (leader,) = holders(Role.GROUP_LEADER, group)
        assert leader.member.party_group == group
    for gb in Unit.objects.filter(kind=Unit.Kind.GENERAL_BRANCH):
        assert len(holders(Role.GENERAL_BRANCH_SECRETARY, gb)) == 1
    supervisors = User.objects.filter(role_assignments__role=Role.SUPERVISOR).annotate(
        n=Count("role_assignments")
    )
    assert 3 <= supervisors.count() <= 8
    assert all(s.n >= 3 for s in supervisors)
    # Everyone who holds a role has a login with a Chinese name, but only the six
    # demo accounts have a password.
    for user in User.objects.exclude(username__in=DEMO_USERNAMES):
        assert not user.has_usable_password()
        assert user.display_name


def test_seed_people_hold_the_roles_the_seed_gives_them(demo):
    def roles_of(name: str) -> set[tuple[str, str]]:
        user = Member.objects.get(name=name).user
        return set(user.role_assignments.values_list("role", "unit__name"))

    assert roles_of("赵颂平") == {(Role.BRANCH_SECRETARY, "信电本科生第四党支部")}
    assert roles_of("曹向群") == {(Role.BRANCH_SECRETARY, "退休党支部")}
    assert roles_of("徐兴潮") == {(Role.BRANCH_COMMITTEE, "退休党支部")}
    assert roles_of("诸葛玲") == {(Role.BRANCH_COMMITTEE, "退休党支部")}
    observer = User.objects.get(username="observer")
    assert observer.display_name == "茹惠祥"
    assert set(observer.role_assignments.values_list("role", "unit__name")) == {
        (Role.OBSERVER, COLLEGE_NAME)
    }


def test_each_demo_account_logs_in_with_the_demo_password_and_holds_its_role(demo, client):
    expected = {
        "committee": {(Role.COMMITTEE_ADMIN, COLLEGE_NAME)},
        "gbsecretary": {(Role.GENERAL_BRANCH_SECRETARY, "光电系党总支")},
        "secretary": {(Role.BRANCH_SECRETARY, "光学工程教工第一党支部")},
        "member": set(),
        "observer": {(Role.OBSERVER, COLLEGE_NAME)},
    }
    for username in DEMO_USERNAMES:
        user = User.objects.get(username=username)
        assert user.display_name
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(user.pk)
        client.logout()
        held = set(user.role_assignments.values_list("role", "unit__name"))
        if username == "supervisor":
            assert {role for role, _unit in held} == {Role.SUPERVISOR}
            assert 4 <= len(held) <= 10
            assert (Role.SUPERVISOR, "光学工程教工第一党支部") in held
        else:
            assert held == expected[username]
    for username in ("secretary", "member"):
        member = User.objects.get(username=username).member
        assert member.branch.name == "光学工程教工第一党支部"
        assert member.name == User.objects.get(username=username).display_name
    # Other officers have no password anyone knows.
    other = RoleAssignment.objects.exclude(user__username__in=DEMO_USERNAMES).first().user
    response = client.post(
        reverse("accounts:login"), {"username": other.username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_running_again_changes_nothing_and_prints_the_accounts(demo):
    before = fingerprints.organization(), Member.objects.aggregate(Max("pk"), Max("updated_at"))
    out = StringIO()
    call_command("build_demo", stdout=out)
    assert (
        fingerprints.organization(),
        Member.objects.aggregate(Max("pk"), Max("updated_at")),
    ) == before
    printed = out.getvalue()
    assert "--reset" in printed
    for username in DEMO_USERNAMES:
        assert username in printed
    assert DEMO_PASSWORD in printed
    assert "http://127.0.0.1:8000/" in printed


def test_reset_builds_the_same_demo_again_and_leaves_the_audit_trail_alone(demo):
    """Every app's part of the demo (fingerprints.py says what of each) comes back the
    same after a reset: one campaign, the same opinions, reviews, votes and grades.
    (One reset for both: each is a whole build.)"""
    AuditEntry.objects.create(action=AuditEntry.Action.OTHER, object_type="test", note="kept")
    old_committee = User.objects.get(username="committee").pk
    # Records people made while using the demo do not stand in the way of a reset.
    member = Member.objects.get(user__username="member")
    branch = Unit.objects.get(name="光学工程教工第二党支部")
    MemberTransfer.objects.create(member=member, from_branch=member.branch, to_branch=branch)
    ImportJob.objects.create(unit=branch, original_name="名册.xlsx")
    first = fingerprints.whole_demo()
    out = StringIO()
    call_command("build_demo", "--reset", stdout=out)
    assert User.objects.get(username="committee").pk != old_committee
    assert Unit.objects.filter(kind=Unit.Kind.BRANCH).count() == 41
    assert AuditEntry.objects.filter(note="kept").count() == 1
    assert AuditEntry.objects.count() == 1  # the builder itself is not audited
    assert not MemberTransfer.objects.exists() and not ImportJob.objects.exists()
    assert "committee" in out.getvalue()
    again = fingerprints.whole_demo()
    for app in first:
        assert again[app] == first[app], app


def test_refuses_a_database_that_holds_a_real_organisation(db):
    Unit.objects.create(name="某学院党委", kind=Unit.Kind.COMMITTEE)
    for args in ((), ("--reset",)):
        with pytest.raises(CommandError, match="某学院党委"):
            call_command("build_demo", *args, stdout=StringIO())
    assert Unit.objects.count() == 1
    assert not Member.objects.exists()
    assert not User.objects.exists()


def test_refuses_when_a_demo_user_name_is_taken(db):
    User.objects.create_user(username="committee", password="x-long-password")
    with pytest.raises(CommandError, match="committee"):
        call_command("build_demo", stdout=StringIO())
    assert not Unit.objects.exists()


def test_unknown_size_is_refused(db):
    with pytest.raises(CommandError, match="XL"):
        call_command("build_demo", "--size", "XL", stdout=StringIO())
