"""The organisation browser, unit pages, member pages, and editing and moving members,
as each person of the cast sees them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.organization.models import Member, MemberTransfer, Unit
from vanguard.organization.tests.test_selectors import grow_org


def page(client, user, url, **kwargs):
    client.force_login(user)
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The organisation browser ---------------------------------------------------


def test_committee_admin_browses_the_whole_tree_with_counts(client, org, cast):
    html = page(client, cast.committee_admin, reverse("organization:browse"))
    for name in ("信息学院党委", "光电系党总支", "信电系党总支", "光电博士生党支部", "第一党小组"):
        assert name in html
    assert "<details" in html
    assert "<strong>4</strong> 人" in html  # the committee's four members


def test_member_browses_only_their_branch_and_sees_no_counts(client, org, cast):
    html = page(client, cast.member, reverse("organization:browse"))
    assert "光学工程教工第一党支部" in html
    assert "信电本科生第四党支部" not in html
    assert "光电系党总支" not in html
    assert "<strong>3</strong> 人" not in html


def test_search_without_javascript_shows_results_on_the_page(client, org, cast):
    html = page(client, cast.secretary, reverse("organization:browse") + "?q=T0003")
    assert "张丽" in html
    assert 'hx-get="/org/search/"' in html


def test_search_as_you_type_finds_a_member_by_number_within_scope(client, org, cast):
    url = reverse("organization:search") + "?q=T0003"
    assert "张丽" in page(client, cast.secretary, url, headers={"HX-Request": "true"})
    html = page(client, cast.other_member, url, headers={"HX-Request": "true"})
    assert "张丽" not in html
    assert "没有找到" in html


def test_search_finds_units_by_name(client, org, cast):
    html = page(client, cast.observer, reverse("organization:search") + "?q=博士")
    assert "光电博士生党支部" in html


def test_empty_search_returns_nothing_to_show(client, org, cast):
    html = page(client, cast.committee_admin, reverse("organization:search") + "?q=")
    assert html.strip() == ""


# --- Unit pages -----------------------------------------------------------------


def _unit_url(unit):
    return reverse("organization:unit_detail", args=[unit.pk])


def test_secretary_sees_roster_officers_and_export_link(client, org, cast):
    html = page(client, cast.secretary, _unit_url(org.branch_a1))
    for name in ("王小明", "张丽", "李书记", "第一党小组"):
        assert name in html
    assert "支部书记" in html and "党小组长" in html
    assert reverse("organization:roster_export", args=[org.branch_a1.pk]) in html
    assert "陈刚" not in html


def test_supervisor_reads_the_roster_but_gets_no_export_link(client, org, cast):
    html = page(client, cast.supervisor, _unit_url(org.branch_a1))
    assert "张丽" in html
    assert "导出花名册" not in html


def test_member_sees_their_branch_name_and_secretary_but_not_the_roster(client, org, cast):
    html = page(client, cast.member, _unit_url(org.branch_a1))
    assert "光学工程教工第一党支部" in html
    assert "李书记" in html
    assert "张丽" not in html
    assert "党员名单" not in html


def test_breadcrumbs_link_only_to_units_the_person_may_open(client, org, cast):
    html = page(client, cast.supervisor, _unit_url(org.branch_a1))
    assert "信息学院党委" in html and "光电系党总支" in html
    assert reverse("organization:unit_detail", args=[org.committee.pk]) not in html
    html = page(client, cast.gb_secretary, _unit_url(org.branch_a1))
    assert reverse("organization:unit_detail", args=[org.gb_a.pk]) in html


def test_general_branch_page_lists_its_branches_with_counts(client, org, cast):
    html = page(client, cast.gb_secretary, reverse("organization:unit_detail", args=[org.gb_a.pk]))
    assert "光学工程教工第一党支部" in html and "光电博士生党支部" in html
    assert "<strong>3</strong> 人" in html  # branch A1
    assert "陈刚" not in html


def test_roster_is_paginated_fifty_a_page(client, org, cast):
    Member.objects.bulk_create(
        Member(
            name=f"同志{i:03d}",
            number=f"P{i:04d}",
            branch=org.branch_a2,
            category=Member.Category.DOCTORAL,
            joined_on=datetime.date(2020, 1, 1),
        )
        for i in range(120)
    )
    url = reverse("organization:unit_detail", args=[org.branch_a2.pk])
    first = page(client, cast.committee_admin, url)
    assert "同志000" in first and "同志049" in first and "同志050" not in first
    assert "第 1 / 3 页" in first
    last = page(client, cast.committee_admin, url + "?page=3")
    assert "同志119" in last and "同志099" not in last


def _count_queries(client, user, url) -> int:
    client.force_login(user)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name, unit",
    [
        ("organization:browse", None),
        ("organization:unit_detail", "committee"),
        ("organization:unit_detail", "gb_b"),
    ],
)
def test_browser_and_unit_pages_take_the_same_queries_at_3_and_30_branches(
    client, org, cast, url_name, unit
):
    url = reverse(url_name, args=[getattr(org, unit).pk] if unit else [])
    grow_org(org.gb_b, branches=3, members_per_branch=5, prefix="M")
    small = _count_queries(client, cast.committee_admin, url)
    grow_org(org.gb_b, branches=27, members_per_branch=5, prefix="N")
    large = _count_queries(client, cast.committee_admin, url)
    assert Unit.objects.filter(kind=Unit.Kind.BRANCH, parent=org.gb_b).count() == 1 + 30
    assert small == large, (small, large)


# --- Member pages ---------------------------------------------------------------


def _member_url(cast, name="colleague_record"):
    return reverse("organization:member_detail", args=[getattr(cast, name).pk])


def test_member_page_shows_the_profile(client, org, cast):
    html = page(client, cast.secretary, _member_url(cast, "member_record"))
    for text in (
        "王小明",
        "T0002",
        "光学工程教工第一党支部",
        "第一党小组",
        "教师",
        "正式党员",
        "2001-07-01",
    ):
        assert text in html


def test_contact_details_only_for_roster_keepers_and_the_member(client, org, cast):
    Member.objects.filter(pk=cast.member_record.pk).update(phone="13912345678")
    url = _member_url(cast, "member_record")
    assert "13912345678" in page(client, cast.secretary, url)
    assert "13912345678" in page(client, cast.member, url)
    assert "13912345678" not in page(client, cast.supervisor, url)
    assert "13912345678" not in page(client, cast.group_leader, url)


def test_edit_and_move_buttons_only_for_those_who_may_edit(client, org, cast):
    edit = reverse("organization:member_edit", args=[cast.colleague_record.pk])
    assert edit in page(client, cast.secretary, _member_url(cast))
    assert edit not in page(client, cast.observer, _member_url(cast))
    assert "编辑信息" not in page(client, cast.member, _member_url(cast, "member_record"))


# --- Editing a member -----------------------------------------------------------


def _edit(client, user, member, **changes):
    data = {
        "name": member.name,
        "category": member.category,
        "standing": member.standing,
        "joined_on": member.joined_on.isoformat() if member.joined_on else "",
        "phone": member.phone,
        "email": member.email,
        "is_active": "on",
        "party_group": member.party_group_id or "",
    }
    data.update(changes)
    client.force_login(user)
    return client.post(reverse("organization:member_edit", args=[member.pk]), data)


def test_secretary_edits_a_member(client, org, cast):
    response = _edit(
        client,
        cast.secretary,
        cast.colleague_record,
        name="张丽华",
        standing=Member.Standing.PROBATIONARY,
        party_group=org.group_a1.pk,
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=cast.colleague_record.pk)
    assert (member.name, member.standing, member.party_group) == (
        "张丽华",
        Member.Standing.PROBATIONARY,
        org.group_a1,
    )
    html = client.get(response["Location"]).content.decode()
    assert "已保存张丽华的信息" in html


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, org, cast):
    response = _edit(
        client,
        cast.secretary,
        cast.colleague_record,
        name="改了名字",
        email="不是邮箱",
        joined_on="2001-13-45",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email_error"' in html and 'id="id_joined_on_error"' in html
    assert 'aria-invalid="true"' in html
    assert "有效" in html  # Django's Chinese messages: 输入一个有效的…
    assert "<h1>编辑张丽的信息</h1>" in html  # the page still names what is saved
    assert Member.objects.get(pk=cast.colleague_record.pk).name == "张丽"


def test_a_party_group_of_another_branch_is_refused(client, org, cast):
    other_group = Unit.objects.create(
        name="别的小组", kind=Unit.Kind.PARTY_GROUP, parent=org.branch_a2
    )
    response = _edit(client, cast.gb_secretary, cast.colleague_record, party_group=other_group.pk)
    assert response.status_code == 200
    assert "这个党小组不属于本支部" in response.content.decode()
    assert Member.objects.get(pk=cast.colleague_record.pk).party_group is None


def test_supervisor_may_read_but_not_edit(client, org, cast):
    response = _edit(client, cast.supervisor, cast.colleague_record, name="改了名字")
    assert response.status_code == 403
    assert Member.objects.get(pk=cast.colleague_record.pk).name == "张丽"


def test_member_of_another_branch_cannot_even_find_the_member(client, org, cast):
    response = _edit(client, cast.other_member, cast.colleague_record, name="改了名字")
    assert response.status_code == 404
    assert Member.objects.get(pk=cast.colleague_record.pk).name == "张丽"


# --- Moving a member ------------------------------------------------------------


def _move(client, user, member, **data):
    client.force_login(user)
    return client.post(reverse("organization:member_move", args=[member.pk]), data)


def test_general_branch_secretary_moves_a_member_and_the_history_shows_it(client, org, cast):
    group = Unit.objects.create(name="博士一组", kind=Unit.Kind.PARTY_GROUP, parent=org.branch_a2)
    response = _move(
        client,
        cast.gb_secretary,
        cast.colleague_record,
        to_branch=org.branch_a2.pk,
        party_group=group.pk,
        reason="攻读博士学位",
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=cast.colleague_record.pk)
    assert (member.branch, member.party_group) == (org.branch_a2, group)
    transfer = MemberTransfer.objects.get(member=member)
    assert (transfer.from_branch, transfer.to_branch, transfer.moved_by) == (
        org.branch_a1,
        org.branch_a2,
        cast.gb_secretary,
    )
    html = client.get(response["Location"]).content.decode()
    assert "光学工程教工第一党支部 → 光电博士生党支部" in html
    assert "攻读博士学位" in html


def test_nobody_moves_a_member_into_a_branch_they_do_not_keep(client, org, cast):
    # The general-branch secretary keeps A1 and A2, not B1.
    response = _move(
        client, cast.gb_secretary, cast.colleague_record, to_branch=org.branch_b1.pk, reason="调动"
    )
    assert response.status_code == 200
    assert "不能转入这个支部" in response.content.decode()
    # A1's secretary keeps only A1: there is nowhere they may move a member to.
    response = _move(
        client, cast.secretary, cast.colleague_record, to_branch=org.branch_a2.pk, reason="调动"
    )
    assert response.status_code == 200
    assert "没有其他支部可以转入" in response.content.decode()
    assert Member.objects.get(pk=cast.colleague_record.pk).branch == org.branch_a1
    assert not MemberTransfer.objects.exists()


def test_move_needs_a_reason_and_a_group_of_the_new_branch(client, org, cast):
    response = _move(
        client,
        cast.committee_admin,
        cast.colleague_record,
        to_branch=org.branch_b1.pk,
        party_group=org.group_a1.pk,
        reason="",
    )
    html = response.content.decode()
    assert "请填写转接原因" in html
    assert "这个党小组不属于所选支部" in html
    assert Member.objects.get(pk=cast.colleague_record.pk).branch == org.branch_a1


def test_observer_may_not_move(client, org, cast):
    response = _move(
        client, cast.observer, cast.colleague_record, to_branch=org.branch_a2.pk, reason="调动"
    )
    assert response.status_code == 403
    assert not MemberTransfer.objects.exists()


def test_choosing_a_branch_reloads_the_form_with_its_groups(client, org, cast):
    other_group = Unit.objects.create(
        name="博士一组", kind=Unit.Kind.PARTY_GROUP, parent=org.branch_a2
    )
    client.force_login(cast.gb_secretary)
    url = reverse("organization:member_move", args=[cast.colleague_record.pk])
    html = client.get(
        url, {"to_branch": org.branch_a2.pk, "reason": "调动"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert html.lstrip().startswith("<form")  # only the form, for htmx to swap in
    assert f'value="{other_group.pk}">博士一组' in html
    assert 'value="调动"' in html
    assert "第一党小组" not in html  # A1's group is not offered for A2


def test_a_secretary_with_one_branch_is_told_where_to_turn_for_a_move(client, org, cast):
    html = page(
        client, cast.secretary, reverse("organization:member_move", args=[cast.colleague_record.pk])
    )
    assert "没有其他支部可以转入" in html
    assert 'id="move-form"' not in html
