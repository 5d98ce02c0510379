"""The one access layer, asked directly: who sees which units and members, and who
keeps which rosters."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import make_user
from vanguard.accounts import access
from vanguard.organization import access as organization_access

pytestmark = pytest.mark.django_db


def names(members) -> set[str]:
    return {m.name for m in members}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("committee_admin", {"李书记", "王小明", "张丽", "陈刚"}),
        ("observer", {"李书记", "王小明", "张丽", "陈刚"}),
        ("gb_secretary", {"李书记", "王小明", "张丽"}),
        ("supervisor", {"李书记", "王小明", "张丽"}),
        ("secretary", {"李书记", "王小明", "张丽"}),
        ("branch_committee", {"李书记", "王小明", "张丽"}),
        ("group_leader", {"王小明"}),
        ("member", {"王小明"}),
        ("other_member", {"陈刚"}),
    ],
)
def test_each_role_sees_the_members_of_its_scope(cast, role, expected):
    assert names(organization_access.visible_members(getattr(cast, role))) == expected


def test_an_anonymous_visitor_sees_nothing(cast):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not organization_access.visible_members(anonymous).exists()
    assert not organization_access.visible_units(anonymous).exists()


def test_a_deactivated_officer_loses_their_scope(cast):
    cast.secretary.is_active = False
    cast.secretary.save()
    access.forget_scopes(cast.secretary)
    assert (
        not organization_access.visible_members(cast.secretary)
        .exclude(user=cast.secretary)
        .exists()
    )


def test_a_role_over_a_deactivated_unit_gives_nothing(cast, org):
    org.gb_a.is_active = False
    org.gb_a.save()
    access.forget_scopes(cast.gb_secretary)
    assert names(organization_access.visible_members(cast.gb_secretary)) == set()


@pytest.mark.parametrize(
    ("role", "keeps"),
    [
        ("committee_admin", True),
        ("gb_secretary", True),
        ("secretary", True),
        ("branch_committee", False),
        ("supervisor", False),
        ("observer", False),
        ("group_leader", False),
        ("member", False),
    ],
)
def test_who_keeps_the_roster_of_branch_a1(cast, org, role, keeps):
    user = getattr(cast, role)
    assert organization_access.can_manage_roster(user, org.branch_a1) is keeps
    assert organization_access.can_view_member_contact(user, cast.colleague_record) is keeps


def test_a_member_sees_their_own_contact_details(cast):
    assert organization_access.can_view_member_contact(cast.member, cast.member_record)
    assert not organization_access.can_view_member_contact(cast.member, cast.colleague_record)


def test_out_of_scope_is_404_and_read_only_scope_is_403_on_write(cast, org):
    with pytest.raises(Http404):
        organization_access.get_member_for_user(cast.other_member, cast.colleague_record.pk)
    with pytest.raises(Http404):
        organization_access.get_unit_for_user(cast.supervisor, org.branch_b1.pk)
    assert organization_access.get_member_for_user(cast.supervisor, cast.colleague_record.pk)
    with pytest.raises(PermissionDenied):
        organization_access.get_member_for_user(
            cast.supervisor, cast.colleague_record.pk, write=True
        )
    with pytest.raises(PermissionDenied):
        organization_access.get_unit_for_user(cast.member, org.branch_a1.pk, write=True)


def test_the_superuser_is_a_committee_admin_of_everything(cast, org):
    root = make_user("root", is_superuser=True)
    assert access.is_committee_admin(root)
    assert organization_access.can_manage_roster(root, org.branch_b1)
    assert names(organization_access.visible_members(root)) == {"李书记", "王小明", "张丽", "陈刚"}
