"""The back office gives nobody more than their scope on the site (issue 10, finding 9).

A university tree: the university committee above two college committees. A
college's committee admin and a committee admin of one general branch try the
attacks the issue reports; each is refused and nothing changes in the database. The
last tests check that a committee admin can still do the set-up work the admin is
there for, inside their scope."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from conftest import PASSWORD, make_member, make_user
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db


@dataclass
class Uni:
    root: Unit
    college: Unit
    other_college: Unit
    gb: Unit
    other_gb: Unit
    branch: Unit
    other_gb_branch: Unit
    other_college_branch: Unit
    university_admin: User
    college_admin: User
    gb_admin: User
    other_college_admin: User
    member: Member
    other_gb_member: Member


def _unit(name: str, kind: str, parent: Unit | None = None) -> Unit:
    return Unit.objects.create(name=name, kind=kind, parent=parent)


def _admin(username: str, unit: Unit) -> User:
    user = make_user(username)
    RoleAssignment.objects.create(user=user, role=Role.COMMITTEE_ADMIN, unit=unit)
    return user


@pytest.fixture
def uni(db) -> Uni:
    root = _unit("某大学党委", Unit.Kind.COMMITTEE)
    college = _unit("信息学院党委", Unit.Kind.COMMITTEE, root)
    other_college = _unit("控制学院党委", Unit.Kind.COMMITTEE, root)
    gb = _unit("光电系党总支", Unit.Kind.GENERAL_BRANCH, college)
    other_gb = _unit("信电系党总支", Unit.Kind.GENERAL_BRANCH, college)
    branch = _unit("光学工程教工第一党支部", Unit.Kind.BRANCH, gb)
    other_gb_branch = _unit("信电本科生第四党支部", Unit.Kind.BRANCH, other_gb)
    other_college_branch = _unit("控制系仪表所党支部", Unit.Kind.BRANCH, other_college)
    member_user = make_user("gb_member")
    return Uni(
        root=root,
        college=college,
        other_college=other_college,
        gb=gb,
        other_gb=other_gb,
        branch=branch,
        other_gb_branch=other_gb_branch,
        other_college_branch=other_college_branch,
        university_admin=_admin("university", root),
        college_admin=_admin("college", college),
        gb_admin=_admin("gbadmin", gb),
        other_college_admin=_admin("control", other_college),
        member=make_member(name="王小明", number="T0002", branch=branch, user=member_user),
        other_gb_member=make_member(name="陈刚", number="S0001", branch=other_gb_branch),
    )


def _user_form(user: User, **changes: str) -> dict[str, str]:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "display_name": "",
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return data


def _flags(user: User) -> tuple[bool, bool, int, int]:
    user.refresh_from_db()
    return (
        user.is_superuser,
        user.is_staff,
        user.groups.count(),
        user.user_permissions.count(),
    )


# --- The attacks of the issue -----------------------------------------------------------


def test_a_college_admin_cannot_open_or_change_another_colleges_unit(client, uni):
    client.force_login(uni.college_admin)
    for view in ("change", "history", "delete"):
        url = reverse(f"admin:organization_unit_{view}", args=[uni.other_college.pk])
        response = client.get(url)
        assert response.status_code == 302  # the admin's "does not exist"
        assert response["Location"] == reverse("admin:index")
    response = client.post(
        reverse("admin:organization_unit_change", args=[uni.other_college.pk]),
        {"name": "被改名", "kind": Unit.Kind.COMMITTEE, "parent": uni.college.pk, "sort_order": 0},
    )
    assert response.status_code == 302
    client.post(
        reverse("admin:organization_unit_delete", args=[uni.other_college_branch.pk]),
        {"post": "yes"},
    )
    other = Unit.objects.get(pk=uni.other_college.pk)
    assert (other.name, other.parent_id) == ("控制学院党委", uni.root.pk)
    assert Unit.objects.filter(pk=uni.other_college_branch.pk).exists()
    changelist = client.get(reverse("admin:organization_unit_changelist")).content.decode()
    # (The university's name shows as their college's parent, as on the site's breadcrumbs.)
    assert "控制学院党委" not in changelist and "控制系仪表所党支部" not in changelist
    assert "光电系党总支" in changelist


@pytest.mark.parametrize("attacker", ["college_admin", "gb_admin"])
def test_a_committee_admin_cannot_make_themself_superuser_or_staff(client, uni, attacker):
    user = getattr(uni, attacker)
    client.force_login(user)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page
    client.post(url, _user_form(user, is_superuser="on", is_staff="on", user_permissions="1"))
    assert _flags(user) == (False, False, 0, 0)


def test_a_college_admin_cannot_grant_a_role_at_the_university_root(client, uni):
    client.force_login(uni.college_admin)
    before = set(RoleAssignment.objects.values_list("user_id", "role", "unit_id"))
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": uni.college_admin.pk, "role": Role.COMMITTEE_ADMIN, "unit": uni.root.pk},
    )
    assert response.status_code == 200  # the form again, the unit refused
    assert "unit" in response.context["adminform"].form.errors
    # Nor move an existing grant of their own up to the root.
    own = RoleAssignment.objects.get(user=uni.college_admin)
    client.post(
        reverse("admin:accounts_roleassignment_change", args=[own.pk]),
        {"user": uni.college_admin.pk, "role": Role.COMMITTEE_ADMIN, "unit": uni.root.pk},
    )
    assert set(RoleAssignment.objects.values_list("user_id", "role", "unit_id")) == before


def test_a_general_branch_admin_does_not_read_other_general_branches_members(client, uni):
    client.force_login(uni.gb_admin)
    changelist = client.get(reverse("admin:organization_member_changelist"))
    assert changelist.status_code == 200
    page = changelist.content.decode()
    assert "王小明" in page
    assert "陈刚" not in page and "S0001" not in page
    searched = client.get(reverse("admin:organization_member_changelist"), {"q": "陈刚"})
    assert "S0001" not in searched.content.decode()
    change = client.get(reverse("admin:organization_member_change", args=[uni.other_gb_member.pk]))
    assert change.status_code == 302
    # The site answers the same way.
    site = client.get(reverse("organization:member_detail", args=[uni.other_gb_member.pk]))
    assert site.status_code == 404
    # Nor through the autocomplete behind the foreign-key widgets.
    auto = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "organization", "model_name": "member", "field_name": "branch", "term": ""},
    )
    assert "信电本科生第四党支部" not in auto.content.decode()


@pytest.mark.parametrize("target", ["college_admin", "university_admin"])
def test_a_general_branch_admin_cannot_reset_a_higher_admins_password(client, uni, target):
    victim = getattr(uni, target)
    client.force_login(uni.gb_admin)
    url = reverse("admin:auth_user_password_change", args=[victim.pk])
    assert client.get(url).status_code in (302, 403, 404)
    response = client.post(
        url,
        {"password1": "taken-over-9876", "password2": "taken-over-9876", "usable_password": "true"},
    )
    assert response.status_code in (302, 403, 404)
    victim.refresh_from_db()
    assert check_password(PASSWORD, victim.password)
    assert not check_password("taken-over-9876", victim.password)
    # Nor edit the higher admin's login, e.g. to deactivate it.
    client.post(
        reverse("admin:accounts_user_change", args=[victim.pk]), _user_form(victim, is_active="")
    )
    victim.refresh_from_db()
    assert victim.is_active


def test_a_college_admin_cannot_change_a_login_that_also_reaches_another_college(client, uni):
    """A member of the college who is also a supervisor in the other college: taking over
    the login would reach beyond the college admin's scope."""
    uni.member.user.refresh_from_db()
    RoleAssignment.objects.create(
        user=uni.member.user, role=Role.SUPERVISOR, unit=uni.other_college_branch
    )
    client.force_login(uni.college_admin)
    url = reverse("admin:auth_user_password_change", args=[uni.member.user_id])
    client.post(url, {"password1": "taken-over-9876", "password2": "taken-over-9876"})
    assert check_password(PASSWORD, User.objects.get(pk=uni.member.user_id).password)


def test_a_typed_in_id_outside_the_scope_is_refused(client, uni):
    """Raw ids in a crafted POST: a member put in another college's branch, a login tied
    to a member elsewhere."""
    client.force_login(uni.gb_admin)
    response = client.post(
        reverse("admin:organization_member_add"),
        {
            "name": "新党员",
            "number": "X0001",
            "category": Member.Category.FACULTY,
            "standing": Member.Standing.FORMAL,
            "branch": uni.other_college_branch.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert not Member.objects.filter(number="X0001").exists()
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "stolen",
            "password1": "a-long-pass-4321",
            "password2": "a-long-pass-4321",
            "usable_password": "true",
            "member": uni.other_gb_member.pk,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="stolen").exists()


def test_other_models_are_for_superusers_only(client, uni):
    client.force_login(uni.college_admin)
    for url in (
        "/admin/audit/auditentry/",
        "/admin/campaigns/campaign/",
        "/admin/accounts/apitoken/",
        "/admin/auth/group/",
    ):
        assert client.get(url).status_code == 403, url


# --- What committee admins still do here ----------------------------------------------


def test_a_college_admin_sets_up_units_and_roles_inside_their_college(client, uni):
    client.force_login(uni.college_admin)
    response = client.post(
        reverse("admin:organization_unit_add"),
        {
            "name": "新党支部",
            "kind": Unit.Kind.BRANCH,
            "parent": uni.gb.pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    new_branch = Unit.objects.get(name="新党支部")
    assert new_branch.path == f"{uni.gb.path}{new_branch.pk}/"
    # A unit at the top of the tree would escape every scope: refused.
    response = client.post(
        reverse("admin:organization_unit_add"),
        {"name": "顶层党委", "kind": Unit.Kind.COMMITTEE, "sort_order": 0, "is_active": "on"},
    )
    assert response.status_code == 200
    assert not Unit.objects.filter(name="顶层党委").exists()

    # A login for a member, then a branch-secretary role for it.
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newsecretary",
            "password1": "a-long-pass-4321",
            "password2": "a-long-pass-4321",
            "usable_password": "true",
            "member": uni.other_gb_member.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    login = User.objects.get(username="newsecretary")
    assert Member.objects.get(pk=uni.other_gb_member.pk).user == login
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": login.pk, "role": Role.BRANCH_SECRETARY, "unit": uni.other_gb_branch.pk},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=login, unit=uni.other_gb_branch).exists()
    # And reset a password inside the scope.
    response = client.post(
        reverse("admin:auth_user_password_change", args=[login.pk]),
        {
            "password1": "another-pass-8765",
            "password2": "another-pass-8765",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    login.refresh_from_db()
    assert check_password("another-pass-8765", login.password)


def test_a_superuser_still_sees_and_grants_everything(client, uni):
    root = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(root)
    assert (
        client.get(
            reverse("admin:accounts_user_change", args=[uni.university_admin.pk])
        ).status_code
        == 200
    )
    response = client.post(
        reverse("admin:accounts_roleassignment_add"),
        {"user": uni.college_admin.pk, "role": Role.OBSERVER, "unit": uni.root.pk},
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=uni.college_admin, unit=uni.root).exists()
