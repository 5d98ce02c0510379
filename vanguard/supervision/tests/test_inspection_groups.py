"""Supervision groups (督查小组): the committee forms them from the campaign's people
(found by a search, not picked from a list of hundreds) and branches (ticked, or a
whole general branch at once); the members hold the supervisor's grant over the
group's branches for as long as some group needs it, and a grant made by hand is
never taken away."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from conftest import make_member, make_user
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.organization.models import Unit
from vanguard.supervision.inspection import services
from vanguard.supervision.models import GroupGrant, SupervisionGroup
from vanguard.supervision.tests.factories_inspection import campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _supervises(user, branch) -> bool:
    return RoleAssignment.objects.filter(user=user, role=Role.SUPERVISOR, unit=branch).exists()


def test_the_committee_forms_a_group_and_its_members_supervise_its_branches(f, client):
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    response = client.post(
        f"/supervision/c/{c.pk}/groups/new/",
        {
            "name": "第一督查组",
            "members": [str(f.cast.member.pk), str(f.cast.other_member.pk)],
            "leader": str(f.cast.member.pk),
            "all_of": [str(f.org.gb_a.pk)],
            "save": "1",
        },
    )
    assert response.status_code == 302
    group = SupervisionGroup.objects.get(campaign=c, name="第一督查组")
    assert group.leader == f.cast.member
    assert set(group.branches.all()) == {f.org.branch_a1, f.org.branch_a2}
    for user in (f.cast.member, f.cast.other_member):
        for branch in (f.org.branch_a1, f.org.branch_a2):
            assert _supervises(user, branch)
    assert not _supervises(f.cast.member, f.org.branch_b1)
    assert GroupGrant.objects.filter(group=group).count() == 4

    page = client.get(f"/supervision/c/{c.pk}/groups/").content.decode()
    assert "第一督查组" in page and "王小明" in page and "陈刚" in page


def test_a_branch_or_member_leaving_the_group_loses_the_grant_the_group_made(f):
    c = campaign(f)
    group = services.group_save(
        campaign=c,
        name="第一督查组",
        phase=None,
        leader=None,
        members=[f.cast.member, f.cast.other_member],
        branches=[f.org.branch_a2, f.org.branch_b1],
        actor=f.cast.committee_admin,
    )
    services.group_save(
        campaign=c,
        group=group,
        name="第一督查组",
        phase=None,
        leader=None,
        members=[f.cast.member],
        branches=[f.org.branch_a2],
        actor=f.cast.committee_admin,
    )
    assert _supervises(f.cast.member, f.org.branch_a2)
    assert not _supervises(f.cast.member, f.org.branch_b1)
    assert not _supervises(f.cast.other_member, f.org.branch_a2)
    assert not _supervises(f.cast.other_member, f.org.branch_b1)


def test_a_grant_made_by_hand_is_never_taken_away_by_a_group(f):
    c = campaign(f)
    # The cast's supervisor holds Role.SUPERVISOR over A1, granted by hand.
    group = services.group_save(
        campaign=c,
        name="第一督查组",
        phase=None,
        leader=f.cast.supervisor,
        members=[f.cast.supervisor],
        branches=[f.org.branch_a1, f.org.branch_a2],
        actor=f.cast.committee_admin,
    )
    assert _supervises(f.cast.supervisor, f.org.branch_a2)
    services.group_save(
        campaign=c,
        group=group,
        name="第一督查组",
        phase=None,
        leader=None,
        members=[f.cast.member],
        branches=[f.org.branch_a1],
        actor=f.cast.committee_admin,
    )
    assert _supervises(f.cast.supervisor, f.org.branch_a1)  # by hand: kept
    assert not _supervises(f.cast.supervisor, f.org.branch_a2)  # by the group: gone


def test_a_grant_two_groups_need_stays_until_neither_needs_it(f):
    c = campaign(f)
    kwargs = {"campaign": c, "phase": None, "leader": None, "actor": f.cast.committee_admin}
    first = services.group_save(
        name="第一督查组", members=[f.cast.member], branches=[f.org.branch_b1], **kwargs
    )
    second = services.group_save(
        name="第二督查组", members=[f.cast.member], branches=[f.org.branch_b1], **kwargs
    )
    services.group_save(
        group=first,
        name="第一督查组",
        members=[f.cast.member],
        branches=[f.org.branch_a2],
        **kwargs,
    )
    assert _supervises(f.cast.member, f.org.branch_b1)
    services.group_save(
        group=second,
        name="第二督查组",
        members=[f.cast.member],
        branches=[f.org.branch_a2],
        **kwargs,
    )
    assert not _supervises(f.cast.member, f.org.branch_b1)
    assert _supervises(f.cast.member, f.org.branch_a2)


def test_a_group_needs_a_unique_name_and_members_and_the_campaigns_branches(f, client):
    c = campaign(f)
    elsewhere = Unit.objects.create(name="外院党委", kind=Unit.Kind.COMMITTEE)
    far = Unit.objects.create(name="外院第一支部", kind=Unit.Kind.BRANCH, parent=elsewhere)
    with pytest.raises(ValidationError) as error:
        services.group_save(
            campaign=c,
            name="第一督查组",
            phase=None,
            leader=None,
            members=[],
            branches=[far],
            actor=f.cast.committee_admin,
        )
    messages = str(error.value)
    assert "请至少选择一名督查组成员" in messages and "外院第一支部" in messages
    assert not SupervisionGroup.objects.exists()


def test_people_are_found_by_name_or_number_among_the_campaigns_members(f, client):
    c = campaign(f)
    elsewhere = Unit.objects.create(name="外院党委", kind=Unit.Kind.COMMITTEE)
    far = Unit.objects.create(name="外院第一支部", kind=Unit.Kind.BRANCH, parent=elsewhere)
    make_member(name="王大明", number="X0001", branch=far, user=make_user("faraway"))
    client.force_login(f.cast.committee_admin)
    found = client.get(f"/supervision/c/{c.pk}/groups/people/?q=王").content.decode()
    assert "王小明" in found and "王大明" not in found
    by_number = client.get(f"/supervision/c/{c.pk}/groups/people/?q=S0001").content.decode()
    assert "陈刚" in by_number and "王小明" not in by_number
    # Without JavaScript the form searches when posted with its search button.
    page = client.post(
        f"/supervision/c/{c.pk}/groups/new/", {"name": "第一督查组", "q": "陈", "search": "1"}
    ).content.decode()
    assert "陈刚" in page
    assert not SupervisionGroup.objects.exists()


def test_a_new_search_keeps_the_people_already_ticked_and_skips_those_chosen(f, client):
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    page = client.get(
        f"/supervision/c/{c.pk}/groups/people/",
        {"q": "T000", "members": [str(f.cast.other_member.pk)], "shown": [str(f.cast.member.pk)]},
    ).content.decode()
    assert f'value="{f.cast.other_member.pk}" checked' in page  # 陈刚, ticked before
    assert "李书记" in page  # T0001 matches the new search
    assert "王小明" not in page  # T0002 is already in the group's list


@pytest.mark.parametrize(
    "params",
    [
        {"q": "长" * 100_000},
        {"q": "王", "members": ["99999999999999999999"], "shown": ["1" * 40]},
        {"q": "王", "leader": "99999999999999999999"},
    ],
    ids=["a search of 100,000 characters", "ids too large for any column", "a huge leader id"],
)
def test_a_search_with_hostile_values_finds_nobody_instead_of_failing(f, client, params):
    """A search as long as a book finds nobody (SQLite refuses a LIKE pattern that
    long); ids too large for a column are no ids (SQLite refused them in IN (…))."""
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    answer = client.get(f"/supervision/c/{c.pk}/groups/people/", params)
    assert answer.status_code == 200
    posted = client.post(
        f"/supervision/c/{c.pk}/groups/new/", {"name": "第一督查组", "search": "1", **params}
    )
    assert posted.status_code == 200
    assert not SupervisionGroup.objects.exists()
