"""Moving a unit moves its whole subtree: every stored path below it is rewritten in
the same transaction, so the scopes of everyone above and below follow the move."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import make_user
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.organization import services
from vanguard.organization.models import Unit

pytestmark = pytest.mark.django_db


def _status(client, user, url: str) -> int:
    client.force_login(user)
    status = client.get(url).status_code
    client.logout()
    return status


def _assert_paths_consistent() -> None:
    for unit in Unit.objects.select_related("parent"):
        expected = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        assert unit.path == expected, (unit.name, unit.path, expected)
        assert unit.depth == expected.count("/") - 2, unit.name


@pytest.fixture
def second_college(org):
    """Another college committee, with its own committee admin and general-branch secretary."""
    college = Unit.objects.create(name="控制学院党委", kind=Unit.Kind.COMMITTEE)
    gb = Unit.objects.create(name="控制系党总支", kind=Unit.Kind.GENERAL_BRANCH, parent=college)
    admin = make_user("control_admin")
    RoleAssignment.objects.create(user=admin, role=Role.COMMITTEE_ADMIN, unit=college)
    gb_secretary = make_user("control_gbsecretary")
    RoleAssignment.objects.create(user=gb_secretary, role=Role.GENERAL_BRANCH_SECRETARY, unit=gb)
    return college, gb, admin, gb_secretary


def test_moving_a_general_branch_moves_every_scope_below_it(client, org, cast, second_college):
    college, _gb, control_admin, _ = second_college
    branch_page = reverse("organization:unit_detail", args=[org.branch_a1.pk])
    group_page = reverse("organization:unit_detail", args=[org.group_a1.pk])
    member_page = reverse("organization:member_detail", args=[cast.member_record.pk])

    before = {
        (who, page): _status(client, user, url)
        for who, user in (
            ("college_admin", cast.committee_admin),
            ("control_admin", control_admin),
            ("gb_secretary", cast.gb_secretary),
            ("secretary", cast.secretary),
            ("member", cast.member),
        )
        for page, url in (("branch", branch_page), ("group", group_page), ("member", member_page))
    }
    assert before[("college_admin", "branch")] == 200
    assert before[("control_admin", "branch")] == 404
    assert before[("gb_secretary", "group")] == 200
    assert before[("member", "branch")] == 200

    services.unit_move(unit=org.gb_a, parent=college)

    _assert_paths_consistent()
    gb_a = Unit.objects.get(pk=org.gb_a.pk)
    for unit in (org.branch_a1, org.branch_a2, org.group_a1):
        unit.refresh_from_db()
        assert unit.path.startswith(gb_a.path)
        assert unit.path.startswith(college.path)
    org.group_a1.refresh_from_db()
    assert org.group_a1.path == f"{college.path}{gb_a.pk}/{org.branch_a1.pk}/{org.group_a1.pk}/"
    assert org.group_a1.depth == 3

    for page, url in (("branch", branch_page), ("group", group_page), ("member", member_page)):
        # The college committee no longer reaches the moved general branch; the other does.
        assert _status(client, cast.committee_admin, url) == 404, page
        assert _status(client, control_admin, url) == 200, page
        # Those whose roles sit on or below the moved unit keep what they saw.
        assert _status(client, cast.gb_secretary, url) == 200, page
        assert _status(client, cast.secretary, url) == before[("secretary", page)], page
        assert _status(client, cast.member, url) == before[("member", page)], page
    # The other college's general-branch secretary gains nothing from the move.
    assert _status(client, second_college[3], branch_page) == 404


def test_a_unit_cannot_move_under_its_own_subtree(org):
    paths_before = dict(Unit.objects.values_list("pk", "path"))
    for target in (org.gb_a, org.branch_a1, org.group_a1):
        with pytest.raises(ValidationError):
            services.unit_move(unit=Unit.objects.get(pk=org.gb_a.pk), parent=target)
    assert dict(Unit.objects.values_list("pk", "path")) == paths_before


@pytest.mark.parametrize(
    ("unit", "parent"),
    [
        ("branch_b1", "group_a1"),  # a branch under a party group
        ("gb_b", "branch_a2"),  # a general branch under a branch
        ("group_a1", "gb_b"),  # a party group under a general branch
        ("committee", "gb_b"),  # a committee under a general branch (and its own subtree)
    ],
)
def test_a_unit_cannot_move_under_a_parent_of_the_wrong_kind(org, unit, parent):
    paths_before = dict(Unit.objects.values_list("pk", "path"))
    with pytest.raises(ValidationError):
        services.unit_move(unit=getattr(org, unit), parent=getattr(org, parent))
    assert dict(Unit.objects.values_list("pk", "path")) == paths_before


def test_a_unit_with_members_cannot_stop_being_a_branch(org, cast):
    org.branch_a1.kind = Unit.Kind.GENERAL_BRANCH
    with pytest.raises(ValidationError):
        org.branch_a1.save()


def test_moving_a_branch_in_the_admin_moves_its_party_groups(client, org, cast):
    client.force_login(cast.committee_admin)
    url = reverse("admin:organization_unit_change", args=[org.branch_a1.pk])
    response = client.post(
        url,
        {
            "name": org.branch_a1.name,
            "kind": org.branch_a1.kind,
            "branch_type": org.branch_a1.branch_type,
            "parent": org.gb_b.pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_paths_consistent()
    org.group_a1.refresh_from_db()
    assert org.group_a1.path.startswith(org.gb_b.path)
    # The general-branch secretary of gb_a no longer reaches the moved branch's group.
    client.force_login(cast.gb_secretary)
    assert (
        client.get(reverse("organization:unit_detail", args=[org.group_a1.pk])).status_code == 404
    )


def test_the_admin_refuses_a_move_under_the_units_own_descendant(client, org, cast):
    client.force_login(cast.committee_admin)
    paths_before = dict(Unit.objects.values_list("pk", "path"))
    response = client.post(
        reverse("admin:organization_unit_change", args=[org.gb_a.pk]),
        {
            "name": org.gb_a.name,
            "kind": org.gb_a.kind,
            "branch_type": "",
            "parent": org.branch_a1.pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert dict(Unit.objects.values_list("pk", "path")) == paths_before
