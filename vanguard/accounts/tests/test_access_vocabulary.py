"""The vocabulary every app's access.py is written in: one checked fetch, and who
holds a role over a unit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from vanguard.accounts import access
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.organization import access as organization_access
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db


def _member(user, pk, need=None):
    return access.get_for_user(
        Member.objects.all(), user, pk, see=organization_access.can_view_member, need=need
    )


def test_fetch_returns_what_the_person_may_see(cast):
    assert _member(cast.secretary, cast.colleague_record.pk) == cast.colleague_record


def test_fetch_outside_sight_is_not_found_whether_or_not_it_exists(cast):
    missing = Member.objects.order_by("-pk").first().pk + 1000
    for pk in (cast.other_member_record.pk, missing):
        with pytest.raises(Http404):
            _member(cast.secretary, pk)


def test_fetch_in_sight_without_the_capability_is_forbidden(cast):
    with pytest.raises(PermissionDenied):
        _member(cast.supervisor, cast.colleague_record.pk, need=organization_access.can_edit_member)
    assert _member(
        cast.secretary, cast.colleague_record.pk, need=organization_access.can_edit_member
    )


def test_a_limited_queryset_is_the_sight(cast):
    mine = organization_access.visible_members(cast.member)
    assert access.get_for_user(mine, cast.member, cast.member_record.pk) == cast.member_record
    with pytest.raises(Http404):
        access.get_for_user(mine, cast.member, cast.colleague_record.pk)


@pytest.mark.parametrize("pk", ["abc", "", None, "1; DROP TABLE", "9" * 40, {"a": 1}])
def test_a_malformed_id_is_not_found(cast, pk):
    with pytest.raises(Http404):
        _member(cast.committee_admin, pk)


def test_an_anonymous_visitor_sees_nothing(cast):
    with pytest.raises(Http404):
        _member(AnonymousUser(), cast.member_record.pk)


def test_holders_are_those_with_the_role_over_the_unit_or_above(org, cast):
    officers = access.holders(org.group_a1, [Role.BRANCH_SECRETARY, Role.GENERAL_BRANCH_SECRETARY])
    assert set(officers) == {cast.secretary, cast.gb_secretary}
    assert set(access.holders(org.branch_b1, [Role.BRANCH_SECRETARY])) == set()
    assert set(access.holders(org.branch_a1, [Role.COMMITTEE_ADMIN])) == {cast.committee_admin}


def test_holders_leave_out_inactive_logins_units_and_a_unit_beside(org, cast):
    cast.gb_secretary.is_active = False
    cast.gb_secretary.save()
    beside = Unit.objects.create(name="旁边", kind=Unit.Kind.BRANCH, parent=org.gb_a)
    RoleAssignment.objects.create(user=cast.observer, role=Role.BRANCH_SECRETARY, unit=beside)
    officers = access.holders(org.branch_a1, [Role.BRANCH_SECRETARY, Role.GENERAL_BRANCH_SECRETARY])
    assert set(officers) == {cast.secretary}


def test_holders_of_a_deactivated_unit_are_nobody(org, cast):
    Unit.objects.filter(pk=org.branch_a1.pk).update(is_active=False)
    assert set(access.holders(org.branch_a1, [Role.BRANCH_SECRETARY])) == set()
