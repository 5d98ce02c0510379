"""Changing what the committee set up: a supervision group dissolved (after a
confirmation page; the grants it made go as when its members leave, those made by
hand or needed by another group stay), and a round changed — all of it while planned,
only its title, dates and note once opened, nothing once closed."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.supervision.inspection import services
from vanguard.supervision.models import Check, GroupGrant, Round, SupervisionGroup
from vanguard.supervision.tests.factories_inspection import (
    a_round,
    campaign,
    planned_round,
    study_phase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _supervises(user, branch) -> bool:
    return RoleAssignment.objects.filter(user=user, role=Role.SUPERVISOR, unit=branch).exists()


def _group(f, name, members, branches):
    return services.group_save(
        campaign=campaign(f),
        name=name,
        phase=None,
        leader=None,
        members=members,
        branches=branches,
        actor=f.cast.committee_admin,
    )


# --- Dissolving a group ----------------------------------------------------------------------


def test_the_committee_dissolves_a_group_after_confirming_and_its_grants_go(f, client):
    # The cast's supervisor holds A1 by hand; the group adds A2 for them and B1 for the
    # member, and a second group needs the member's B1 grant as well.
    group = _group(
        f,
        "第一督查组",
        [f.cast.supervisor, f.cast.member],
        [f.org.branch_a1, f.org.branch_a2, f.org.branch_b1],
    )
    _group(f, "第二督查组", [f.cast.member], [f.org.branch_b1])
    check = Check.objects.get(round=a_round(f), branch=f.org.branch_a2)
    Check.objects.filter(pk=check.pk).update(group=group)
    assert _supervises(f.cast.supervisor, f.org.branch_a2)
    assert _supervises(f.cast.member, f.org.branch_a1)

    client.force_login(f.cast.committee_admin)
    groups_page = client.get(f"/supervision/c/{campaign(f).pk}/groups/").content.decode()
    assert f"/supervision/groups/{group.pk}/delete/" in groups_page
    confirm = client.get(f"/supervision/groups/{group.pk}/delete/")
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert "撤销“第一督查组”？" in text and "确认撤销" in text and f.org.branch_b1.name in text
    assert SupervisionGroup.objects.filter(pk=group.pk).exists()  # nothing gone on a GET

    response = client.post(f"/supervision/groups/{group.pk}/delete/")
    assert response.status_code == 302
    assert not SupervisionGroup.objects.filter(pk=group.pk).exists()
    assert not GroupGrant.objects.filter(group_id=group.pk).exists()
    assert _supervises(f.cast.supervisor, f.org.branch_a1)  # made by hand: kept
    assert not _supervises(f.cast.supervisor, f.org.branch_a2)  # the group's: gone
    assert not _supervises(f.cast.member, f.org.branch_a1)
    assert not _supervises(f.cast.member, f.org.branch_a2)
    assert _supervises(f.cast.member, f.org.branch_b1)  # the second group needs it
    check.refresh_from_db()
    assert check.group is None  # the check and its findings stay
    page = client.get(response["Location"]).content.decode()
    assert "已撤销督查组“第一督查组”" in page and "第二督查组" in page


def test_no_grant_a_dissolved_group_made_is_left_behind(f):
    group = _group(f, "第一督查组", [f.cast.member], [f.org.branch_a2, f.org.branch_b1])
    made = set(GroupGrant.objects.filter(group=group).values_list("assignment_id", flat=True))
    assert len(made) == 2
    services.group_delete(group=group, actor=f.cast.committee_admin)
    assert not RoleAssignment.objects.filter(pk__in=made).exists()


def test_a_group_member_may_not_dissolve_their_group(f, client):
    group = _group(f, "第一督查组", [f.cast.supervisor], [f.org.branch_a2])
    client.force_login(f.cast.supervisor)
    assert client.post(f"/supervision/groups/{group.pk}/delete/").status_code == 403
    assert SupervisionGroup.objects.filter(pk=group.pk).exists()
    assert _supervises(f.cast.supervisor, f.org.branch_a2)


# --- Changing a round ------------------------------------------------------------------------


def test_a_planned_round_changes_title_dates_items_and_branches(f, client):
    round_ = planned_round(f)
    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/rounds/{round_.pk}/edit/").content.decode()
    assert "修改检查安排" in page and 'name="items"' in page and 'name="branches"' in page
    response = client.post(
        f"/supervision/rounds/{round_.pk}/edit/",
        {
            "title": "分析评议阶段第一轮检查",
            "phase": str(study_phase(f).pk),
            "items": ["opinions", "grading"],
            "scope": "picked",
            "branches": [str(f.org.branch_a1.pk), str(f.org.branch_b1.pk)],
            "starts_on": "2026-06-01",
            "due_on": "2026-06-04",
            "note": "两遍覆盖",
        },
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.title == "分析评议阶段第一轮检查"
    assert round_.items == ["opinions", "grading"]
    assert set(round_.branches.all()) == {f.org.branch_a1, f.org.branch_b1}
    assert (round_.starts_on, round_.due_on) == (
        datetime.date(2026, 6, 1),
        datetime.date(2026, 6, 4),
    )
    detail = client.get(f"/supervision/rounds/{round_.pk}/").content.decode()
    assert "分析评议阶段第一轮检查" in detail and "2026-06-04" in detail


def test_an_opened_round_changes_its_dates_but_not_its_items_or_branches(f, client):
    round_ = a_round(f)
    items, branches = list(round_.items), set(round_.branches.all())
    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/rounds/{round_.pk}/edit/").content.decode()
    assert 'name="due_on"' in page
    assert 'name="items"' not in page and 'name="branches"' not in page
    response = client.post(
        f"/supervision/rounds/{round_.pk}/edit/",
        {
            "title": "中期全面检查",
            "starts_on": "2026-04-20",
            "due_on": "2026-04-30",
            # Sent anyway, by hand: ignored, the form has no such fields.
            "items": ["grading"],
            "branches": [str(f.org.branch_a1.pk)],
            "scope": "picked",
        },
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.due_on == datetime.date(2026, 4, 30)
    assert round_.items == items and set(round_.branches.all()) == branches
    assert round_.checks.count() == 3

    with pytest.raises(ValidationError) as refused:
        services.round_update(
            round=round_,
            title=round_.title,
            starts_on=round_.starts_on,
            due_on=round_.due_on,
            items=["grading"],
            branches=[f.org.branch_a1],
            actor=f.cast.committee_admin,
        )
    assert set(refused.value.message_dict) == {"items", "branches"}


def test_a_round_is_refused_a_due_date_before_its_start_and_a_closed_one_any_change(f, client):
    round_ = a_round(f)
    client.force_login(f.cast.committee_admin)
    response = client.post(
        f"/supervision/rounds/{round_.pk}/edit/",
        {"title": "中期全面检查", "starts_on": "2026-04-20", "due_on": "2026-04-10"},
    )
    assert response.status_code == 200
    assert "完成期限不能早于开始日期" in response.content.decode()

    Round.objects.filter(pk=round_.pk).update(status=Round.Status.CLOSED)
    response = client.post(
        f"/supervision/rounds/{round_.pk}/edit/",
        {"title": "改名", "starts_on": "2026-04-20", "due_on": "2026-04-30"},
        follow=True,
    )
    assert "这一轮检查已经结束，不能再修改" in response.content.decode()
    round_.refresh_from_db()
    assert round_.title == "中期全面检查"
    detail = client.get(f"/supervision/rounds/{round_.pk}/").content.decode()
    assert f"/supervision/rounds/{round_.pk}/edit/" not in detail
