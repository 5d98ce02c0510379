"""Meetings, study work, attendance and progress through the API: scoped like the pages,
written through the same services, refused with the same messages."""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import make_member
from vanguard.meetings.models import Meeting
from vanguard.meetings.tests.factories import education_campaign, meeting
from vanguard.study.models import Attendance, StudySession, StudyWork

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def post(client, user, url, body):
    client.force_login(user)
    return client.post(url, json.dumps(body), content_type="application/json")


def mobilisation(org, cast, **changes):
    body = {
        "unit_id": org.branch_a1.pk,
        "kind": "mobilisation",
        "title": "支部动员会",
        "held_at": "2026-05-08T14:00:00+08:00",
        "place": "光电楼 305",
        "absent": [{"member_id": cast.colleague_record.pk, "reason": "出差"}],
    }
    return {**body, **changes}


# --- Meetings -------------------------------------------------------------------


def test_members_list_their_branchs_meetings_and_not_other_branches(client, org, cast):
    meeting(org.branch_a1, title="一支部动员会")
    meeting(org.branch_b1, title="四支部动员会")
    mine = get(client, cast.member, "/api/v1/meetings/").json()
    assert [m["title"] for m in mine["items"]] == ["一支部动员会"]
    theirs = get(client, cast.other_member, "/api/v1/meetings/").json()
    assert [m["title"] for m in theirs["items"]] == ["四支部动员会"]
    everything = get(client, cast.committee_admin, "/api/v1/meetings/").json()
    assert everything["count"] == 2


def test_a_member_sees_the_counts_and_their_own_line_not_who_else_was_absent(client, org, cast):
    held = meeting(org.branch_a1, absent={cast.colleague_record: "生病"})
    body = get(client, cast.member, f"/api/v1/meetings/{held.pk}").json()
    assert (body["expected"], body["present"], body["absent"]) == (3, 2, 1)
    assert body["my_status"] == "present"
    assert body["attendance"] is None


def test_the_secretary_sees_everyones_attendance_with_reasons(client, org, cast):
    held = meeting(org.branch_a1, absent={cast.colleague_record: "生病"})
    body = get(client, cast.secretary, f"/api/v1/meetings/{held.pk}").json()
    absent = [row for row in body["attendance"] if row["status"] == "absent"]
    assert absent == [
        {
            "member_id": cast.colleague_record.pk,
            "member_name": "张丽",
            "branch_name": "光学工程教工第一党支部",
            "status": "absent",
            "reason": "生病",
        }
    ]


def test_another_branchs_meeting_looks_like_one_that_does_not_exist(client, org, cast):
    held = meeting(org.branch_a1)
    outside = get(client, cast.other_member, f"/api/v1/meetings/{held.pk}")
    missing = get(client, cast.other_member, "/api/v1/meetings/999999")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_secretary_records_a_meeting_through_the_api(client, org, cast):
    campaign = education_campaign(org.committee)
    response = post(client, cast.secretary, "/api/v1/meetings/", mobilisation(org, cast))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["expected"], body["present"], body["absent"]) == (3, 2, 1)
    assert body["campaign_id"] == campaign.pk
    assert body["phase_name"] == "分析评议"


def test_a_meeting_dated_outside_its_phase_is_refused_and_nothing_is_saved(client, org, cast):
    education_campaign(org.committee)
    response = post(
        client,
        cast.secretary,
        "/api/v1/meetings/",
        mobilisation(org, cast, held_at="2026-04-01T14:00:00+08:00"),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["held_at"]
    assert "2026-04-01" in errors[0]["message"] and "分析评议" in errors[0]["message"]
    assert not Meeting.objects.exists()


def test_marking_someone_from_another_branch_absent_is_refused(client, org, cast):
    body = mobilisation(
        org, cast, absent=[{"member_id": cast.other_member_record.pk, "reason": "请假"}]
    )
    response = post(client, cast.secretary, "/api/v1/meetings/", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "absent"
    assert not Meeting.objects.exists()


def test_a_supervisor_may_read_but_not_record_a_branchs_meetings(client, org, cast):
    response = post(client, cast.supervisor, "/api/v1/meetings/", mobilisation(org, cast))
    assert response.status_code == 403
    assert response.json()["detail"] == "无权执行此操作"


# --- Study work -----------------------------------------------------------------


def note(**changes):
    body = {
        "kind": "reading_note",
        "title": "学习党章的体会",
        "material": "《中国共产党章程》",
        "body": '<p>重温入党誓词。</p><script>alert("x")</script><p onclick="x()">二</p>',
    }
    return {**body, **changes}


def test_a_member_submits_a_note_and_script_is_stripped(client, org, cast):
    campaign = education_campaign(org.committee)
    response = post(client, cast.member, "/api/v1/study/works", note())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["campaign_id"] == campaign.pk
    assert "<script" not in body["body"] and "onclick" not in body["body"]
    assert "重温入党誓词" in body["body"]
    assert StudyWork.objects.get().member == cast.member_record


def test_a_note_with_no_active_campaign_names_the_campaign_field(client, org, cast):
    response = post(client, cast.member, "/api/v1/study/works", note())
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "campaign_id"
    assert not StudyWork.objects.exists()


def test_a_note_without_material_is_refused_naming_it(client, org, cast):
    education_campaign(org.committee)
    response = post(client, cast.member, "/api/v1/study/works", note(material="  "))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["material"]


def test_mine_lists_only_my_work_and_reviewers_see_their_branch(client, org, cast):
    campaign = education_campaign(org.committee)
    for member in (cast.member_record, cast.colleague_record, cast.other_member_record):
        StudyWork.objects.create(
            campaign=campaign, member=member, kind="reading_note", title="笔记", material="党章"
        )
    mine = get(client, cast.member, "/api/v1/study/works", mine="true").json()
    assert [w["member_name"] for w in mine["items"]] == ["王小明"]
    branch = get(client, cast.secretary, "/api/v1/study/works").json()
    assert sorted(w["member_name"] for w in branch["items"]) == ["张丽", "王小明"]
    other = StudyWork.objects.get(member=cast.other_member_record)
    assert get(client, cast.secretary, f"/api/v1/study/works/{other.pk}").status_code == 404


def test_session_attendance_for_the_secretary_only(client, org, cast):
    campaign = education_campaign(org.committee)
    session = StudySession.objects.create(
        campaign=campaign,
        unit=org.branch_a1,
        topic="学习党章",
        starts_at=datetime.datetime(2026, 3, 20, 6, tzinfo=datetime.UTC),
    )
    Attendance.objects.create(
        session=session, member=cast.member_record, status="present", method="qr"
    )
    Attendance.objects.create(
        session=session,
        member=cast.colleague_record,
        status="absent",
        reason="出差",
        method="manual",
    )
    rows = get(client, cast.secretary, f"/api/v1/study/sessions/{session.pk}/attendance").json()
    assert [(r["member_name"], r["status"], r["reason"]) for r in rows] == [
        ("王小明", "present", ""),
        ("张丽", "absent", "出差"),
    ]
    assert (
        get(client, cast.member, f"/api/v1/study/sessions/{session.pk}/attendance").status_code
        == 403
    )
    sessions = get(client, cast.member, "/api/v1/study/sessions").json()
    assert [(s["topic"], s["present"]) for s in sessions["items"]] == [("学习党章", 1)]
    assert get(client, cast.other_member, "/api/v1/study/sessions").json()["count"] == 0


# --- Progress -------------------------------------------------------------------


def test_committee_sees_every_branchs_progress_and_blind_spots(client, org, cast):
    campaign = education_campaign(org.committee)
    StudyWork.objects.create(
        campaign=campaign,
        member=cast.member_record,
        kind="reading_note",
        title="笔记",
        material="党章",
    )
    body = get(client, cast.committee_admin, f"/api/v1/campaigns/{campaign.pk}/progress").json()
    assert body["unit_id"] == org.committee.pk
    names = {b["name"]: b for b in body["branches"]}
    assert set(names) == {"光学工程教工第一党支部", "光电博士生党支部", "信电本科生第四党支部"}
    a1 = names["光学工程教工第一党支部"]
    assert a1["phase_name"] == "学习动员"
    assert a1["has_plan"] is False and "支部制定学习讨论计划" in a1["unmet"]
    assert a1["members_total"] == 3 and a1["silent_members"] == 2
    assert body["without_plan"] == 3


def test_a_branch_secretary_sees_their_branch_only(client, org, cast):
    campaign = education_campaign(org.committee)
    body = get(client, cast.secretary, f"/api/v1/campaigns/{campaign.pk}/progress").json()
    assert body["unit_id"] == org.branch_a1.pk
    assert [b["name"] for b in body["branches"]] == ["光学工程教工第一党支部"]
    other = get(
        client, cast.secretary, f"/api/v1/campaigns/{campaign.pk}/progress", unit=org.branch_b1.pk
    )
    assert other.status_code == 404


def test_a_member_gets_no_progress_even_of_their_own_branch(client, org, cast):
    campaign = education_campaign(org.committee)
    make_member(name="刘洋", number="T0010", branch=org.branch_a1)
    response = get(
        client, cast.member, f"/api/v1/campaigns/{campaign.pk}/progress", unit=org.branch_a1.pk
    )
    assert response.status_code == 403
