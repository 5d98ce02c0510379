"""The meeting pages: who sees which meetings, and recording one through the form."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.meetings.tests.factories import education_campaign, meeting

pytestmark = pytest.mark.django_db


def titles(client, user) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("meetings:list"))
    assert response.status_code == 200
    return sorted(m.title for m in response.context["page"].object_list)


def test_a_member_sees_their_branchs_meetings_and_the_colleges_open_ones(client, org, cast):
    meeting(org.branch_a1, title="一支部动员会")
    meeting(org.branch_b1, title="四支部动员会")
    meeting(org.committee, kind=Meeting.Kind.ALL_MEMBER, title="学院党员大会")
    leading = meeting(org.committee, kind=Meeting.Kind.LEADING_GROUP, title="领导小组会议")
    leading.attendance.all().delete()  # its roll: the leading group, none of these members
    assert titles(client, cast.member) == ["一支部动员会", "学院党员大会"]
    assert titles(client, cast.other_member) == ["四支部动员会", "学院党员大会"]
    assert len(titles(client, cast.committee_admin)) == 4
    assert titles(client, cast.gb_secretary) == ["一支部动员会"]


def test_an_officer_meeting_above_the_branch_is_seen_by_those_on_its_roll(client, org, cast):
    held = meeting(org.committee, kind=Meeting.Kind.SECRETARY, title="支部书记会议")
    MeetingAttendance.objects.filter(meeting=held).exclude(member__name="李书记").delete()
    assert titles(client, cast.secretary) == ["支部书记会议"]
    assert titles(client, cast.member) == []


def test_a_party_group_meeting_is_seen_by_the_group_not_the_rest_of_the_branch(client, org, cast):
    meeting(org.group_a1, kind=Meeting.Kind.PARTY_GROUP, title="第一党小组会")
    assert titles(client, cast.member) == ["第一党小组会"]
    colleague = make_member(name="刘洋", number="T0010", branch=org.branch_a1)
    colleague.user = cast.other_member
    cast.other_member_record.user = None
    cast.other_member_record.save()
    colleague.save()
    assert titles(client, cast.other_member) == []
    assert titles(client, cast.group_leader) == ["第一党小组会"]


def test_the_list_costs_the_same_queries_for_one_meeting_or_twenty(client, org, cast):
    client.force_login(cast.committee_admin)
    meeting(org.branch_a1, title="会议 0")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("meetings:list"))
    for n in range(1, 20):
        meeting(org.branch_a1 if n % 2 else org.branch_b1, title=f"会议 {n}")
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(reverse("meetings:list"))
    assert len(response.context["page"].object_list) == 20
    assert len(twenty) == len(one)


def test_a_member_sees_the_counts_but_not_who_was_absent(client, org, cast):
    held = meeting(org.branch_a1, absent={cast.colleague_record: "生病住院"})
    client.force_login(cast.member)
    page = client.get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert "生病住院" not in page and "我的出勤" in page
    client.force_login(cast.secretary)
    page = client.get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert "生病住院" in page


def form(org, **changes):
    data = {
        "unit": org.branch_a1.pk,
        "kind": "mobilisation",
        "title": "支部动员会",
        "held_on": "2026-05-08",
        "held_time": "14:00",
        "place": "",
        "host": "",
        "recorder": "",
        "phase": "",
        "minutes": "",
        "decisions": "",
    }
    return {**data, **changes}


def test_ticked_absent_without_a_reason_is_refused_and_the_ticks_are_kept(client, org, cast):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("meetings:create"), form(org, absent=[str(cast.colleague_record.pk)])
    )
    assert response.status_code == 200
    assert response.context["attendance_errors"] == ["张丽：请填写缺席原因。"]
    ticked = [row["member"].name for row in response.context["rows"] if row["absent"]]
    assert ticked == ["张丽"]
    assert not Meeting.objects.exists()


def test_a_reason_typed_without_the_tick_counts_as_absent(client, org, cast):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("meetings:create"), form(org, **{f"reason_{cast.member_record.pk}": "出差"})
    )
    held = Meeting.objects.get()
    assert response.status_code == 302
    assert held.attendance.get(member=cast.member_record).reason == "出差"


def test_a_date_outside_the_phase_is_shown_on_the_date_field(client, org, cast):
    education_campaign(org.committee)
    client.force_login(cast.secretary)
    response = client.post(reverse("meetings:create"), form(org, held_on="2026-06-20"))
    assert "2026-06-20" in response.context["form"].errors["held_on"][0]
    assert not Meeting.objects.exists()


def test_the_attendance_list_follows_the_unit_chosen(client, org, cast):
    client.force_login(cast.secretary)
    response = client.get(
        reverse("meetings:attendance_rows"), {"unit": org.group_a1.pk, "kind": "party_group"}
    )
    assert [row["member"].name for row in response.context["rows"]] == ["王小明"]
    other = client.get(reverse("meetings:attendance_rows"), {"unit": org.branch_b1.pk})
    assert other.status_code == 404


def test_editing_keeps_the_roll_and_changes_the_absences(client, org, cast):
    held = meeting(org.branch_a1, absent={cast.colleague_record: "出差"})
    client.force_login(cast.secretary)
    page = client.get(reverse("meetings:edit", args=[held.pk]))
    assert [r["member"].name for r in page.context["rows"] if r["absent"]] == ["张丽"]
    response = client.post(
        reverse("meetings:edit", args=[held.pk]),
        form(org, held_on="2025-11-01", **{f"reason_{cast.member_record.pk}": "生病"}),
    )
    assert response.status_code == 302
    absent = held.attendance.filter(status="absent").values_list("member__name", flat=True)
    assert list(absent) == ["王小明"]
    held.refresh_from_db()
    assert held.held_at.date() == datetime.date(2025, 11, 1)


def test_the_end_time_and_agenda_are_recorded_and_shown(client, org, cast):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("meetings:create"),
        form(org, held_time="18:00", ends_time="23:00", agenda="一、个人总结\n二、民主评议"),
    )
    assert response.status_code == 302
    held = Meeting.objects.get()
    assert held.agenda == "一、个人总结\n二、民主评议"
    page = client.get(reverse("meetings:detail", args=[held.pk]))
    assert "2026-05-08 18:00—23:00" in page.content.decode()
    assert "二、民主评议" in page.content.decode()
    edit = client.get(reverse("meetings:edit", args=[held.pk]))
    assert edit.context["form"].initial["ends_time"] == datetime.time(23, 0)


def test_an_end_time_equal_to_the_start_is_shown_on_the_end_time_field(client, org, cast):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("meetings:create"), form(org, held_time="18:00", ends_time="18:00")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_time"] == [
        "结束时间须晚于开始时间（2026-05-08 18:00）。"
    ]
    assert not Meeting.objects.exists()


def test_the_api_takes_an_end_time_and_refuses_one_before_the_start(client, org, cast):
    client.force_login(cast.secretary)
    body = {
        "unit_id": org.branch_a1.pk,
        "kind": "democratic_appraisal",
        "title": "民主评议会",
        "held_at": "2026-05-21T18:00:00+08:00",
        "agenda": "民主评议",
    }
    refused = client.post(
        "/api/v1/meetings/",
        {**body, "ends_at": "2026-05-21T17:00:00+08:00"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["ends_at"]
    assert not Meeting.objects.exists()
    made = client.post(
        "/api/v1/meetings/",
        {**body, "ends_at": "2026-05-21T23:00:00+08:00"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["ends_at"] == "2026-05-21T15:00:00Z"
    assert made.json()["agenda"] == "民主评议"
