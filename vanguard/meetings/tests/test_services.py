"""Recording meetings: the phase a meeting belongs to, its dates, and attendance."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import make_member
from vanguard.audit.models import AuditEntry
from vanguard.meetings import services
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.meetings.tests.factories import at, education_campaign
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

Kind = Meeting.Kind


def record(org, cast, **overrides):
    values = {
        "unit": org.branch_a1,
        "kind": Kind.MOBILISATION,
        "title": "支部动员会",
        "held_at": at(datetime.date(2026, 5, 8)),
        "actor": cast.secretary,
        "place": "光电楼 305",
        "host": "李书记",
        "recorder": "张丽",
    }
    values.update(overrides)
    return services.meeting_create(**values)


def statuses(meeting):
    return {
        row.member.name: (row.status, row.reason)
        for row in meeting.attendance.select_related("member")
    }


def test_everyone_on_the_branch_roll_is_present_unless_named_absent(org, cast):
    meeting = record(org, cast, absences={cast.colleague_record.pk: "出差（北京）"})
    assert statuses(meeting) == {
        "李书记": ("present", ""),
        "王小明": ("present", ""),
        "张丽": ("absent", "出差（北京）"),
    }


def test_inactive_members_and_other_branches_are_not_on_the_roll(org, cast):
    Member.objects.filter(pk=cast.colleague_record.pk).update(is_active=False)
    meeting = record(org, cast)
    assert set(statuses(meeting)) == {"李书记", "王小明"}


def test_meeting_is_tied_to_the_active_campaign_and_its_phase(org, cast):
    campaign = education_campaign(org.committee)
    meeting = record(org, cast)
    assert meeting.campaign == campaign
    assert meeting.phase.key == "analysis"


def test_a_branch_meeting_dated_in_the_study_phase_is_refused_naming_the_date(org, cast):
    education_campaign(org.committee)
    with pytest.raises(ValidationError) as caught:
        record(org, cast, held_at=at(datetime.date(2026, 4, 20)))
    message = caught.value.message_dict["held_at"][0]
    assert "会议时间" in message and "2026-04-20" in message and "分析评议" in message
    assert "2026-05-02" in message and "2026-05-31" in message
    assert not Meeting.objects.exists()
    assert not MeetingAttendance.objects.exists()


def test_a_chosen_phase_holds_its_dates_for_any_kind(org, cast):
    campaign = education_campaign(org.committee)
    study = campaign.phases.get(key="study")
    with pytest.raises(ValidationError) as caught:
        record(org, cast, kind=Kind.ALL_MEMBER, phase=study, held_at=at(datetime.date(2026, 5, 20)))
    assert "学习动员" in caught.value.message_dict["held_at"][0]


def test_other_kinds_fall_into_the_phase_of_their_date(org, cast):
    education_campaign(org.committee)
    meeting = record(org, cast, kind=Kind.ALL_MEMBER, held_at=at(datetime.date(2026, 3, 20)))
    assert meeting.phase.key == "study"


def test_without_an_active_campaign_a_meeting_stands_alone(org, cast):
    meeting = record(org, cast, held_at=at(datetime.date(2025, 1, 5)))
    assert meeting.campaign is None and meeting.phase is None


def test_absent_without_a_reason_is_refused_naming_the_member(org, cast):
    with pytest.raises(ValidationError) as caught:
        record(org, cast, absences={cast.member_record.pk: "  "})
    assert caught.value.message_dict["attendance"] == ["王小明：请填写缺席原因。"]
    assert not Meeting.objects.exists()


def test_a_member_of_another_branch_cannot_be_marked_absent(org, cast):
    with pytest.raises(ValidationError) as caught:
        record(org, cast, absences={cast.other_member_record.pk: "请假"})
    assert str(cast.other_member_record.pk) in caught.value.message_dict["attendance"][0]
    assert not Meeting.objects.exists()


def test_all_errors_are_reported_at_once(org, cast):
    education_campaign(org.committee)
    with pytest.raises(ValidationError) as caught:
        record(
            org,
            cast,
            held_at=at(datetime.date(2026, 7, 1)),
            absences={cast.member_record.pk: ""},
        )
    assert set(caught.value.message_dict) == {"held_at", "attendance"}


def test_a_branch_meeting_must_be_held_by_a_branch(org, cast):
    with pytest.raises(ValidationError) as caught:
        record(org, cast, unit=org.gb_a)
    assert "党支部" in caught.value.message_dict["unit"][0]


def test_party_group_meeting_calls_the_groups_members_only(org, cast):
    second = make_member(
        name="刘洋", number="T0009", branch=org.branch_a1, party_group=org.group_a1
    )
    meeting = record(
        org,
        cast,
        unit=org.group_a1,
        kind=Kind.PARTY_GROUP,
        title="第一党小组学习讨论",
        absences={second.pk: "生病"},
    )
    assert statuses(meeting) == {"王小明": ("present", ""), "刘洋": ("absent", "生病")}


def test_party_group_meeting_must_be_held_by_a_party_group(org, cast):
    with pytest.raises(ValidationError) as caught:
        record(org, cast, kind=Kind.PARTY_GROUP)
    assert "党小组" in caught.value.message_dict["unit"][0]


def test_branch_secretary_meeting_of_a_general_branch_calls_its_secretaries(org, cast):
    meeting = record(org, cast, unit=org.gb_a, kind=Kind.SECRETARY, title="支部书记会议")
    assert set(statuses(meeting)) == {"李书记"}


def test_attendance_is_in_the_audit_trail(org, cast):
    meeting = record(org, cast, absences={cast.colleague_record.pk: "出差"})
    rows = AuditEntry.objects.filter(object_type="meetings.meetingattendance")
    assert rows.count() == 3
    assert meeting.attendance.count() == 3


def test_update_changes_who_was_absent_and_keeps_the_roll(org, cast):
    meeting = record(org, cast, absences={cast.colleague_record.pk: "出差"})
    services.meeting_update(
        meeting=meeting,
        actor=cast.secretary,
        data={"title": "支部动员大会", "place": "光电楼 101"},
        absences={cast.member_record.pk: "生病"},
    )
    meeting.refresh_from_db()
    assert meeting.title == "支部动员大会"
    assert statuses(meeting) == {
        "李书记": ("present", ""),
        "王小明": ("absent", "生病"),
        "张丽": ("present", ""),
    }


def test_update_to_a_date_outside_the_phase_changes_nothing(org, cast):
    education_campaign(org.committee)
    meeting = record(org, cast, absences={cast.colleague_record.pk: "出差"})
    with pytest.raises(ValidationError):
        services.meeting_update(
            meeting=meeting,
            actor=cast.secretary,
            data={"held_at": at(datetime.date(2026, 6, 10))},
            absences={},
        )
    meeting.refresh_from_db()
    assert meeting.held_at == at(datetime.date(2026, 5, 8))
    assert statuses(meeting)["张丽"] == ("absent", "出差")


def test_the_end_time_and_agenda_are_kept(org, cast):
    meeting = record(
        org,
        cast,
        held_at=at(datetime.date(2026, 5, 8), 18),
        ends_at=at(datetime.date(2026, 5, 8), 23),
        agenda="一、个人总结\n二、民主评议",
    )
    meeting.refresh_from_db()
    assert meeting.ends_at - meeting.held_at == datetime.timedelta(hours=5)
    assert meeting.agenda == "一、个人总结\n二、民主评议"


def test_a_meeting_may_end_after_midnight_within_a_day(org, cast):
    meeting = record(
        org,
        cast,
        held_at=at(datetime.date(2026, 5, 8), 19),
        ends_at=at(datetime.date(2026, 5, 9), 0) + datetime.timedelta(minutes=30),
    )
    assert meeting.ends_at > meeting.held_at


@pytest.mark.parametrize(
    ("ends", "message"),
    [
        (at(datetime.date(2026, 5, 8), 12), "结束时间须晚于开始时间（2026-05-08 14:00）。"),
        (at(datetime.date(2026, 5, 8), 14), "结束时间须晚于开始时间（2026-05-08 14:00）。"),
        (at(datetime.date(2026, 5, 9), 15), "结束时间有误：会议从开始到结束不能超过 24 小时。"),
    ],
    ids=["before", "at-the-start", "next-day"],
)
def test_an_end_time_not_after_the_start_or_a_day_later_is_refused(org, cast, ends, message):
    with pytest.raises(ValidationError) as refused:
        record(org, cast, ends_at=ends)
    assert refused.value.message_dict == {"ends_at": [message]}
    assert not Meeting.objects.exists()


def test_update_to_an_end_before_the_start_changes_nothing(org, cast):
    meeting = record(org, cast, ends_at=at(datetime.date(2026, 5, 8), 16))
    with pytest.raises(ValidationError) as refused:
        services.meeting_update(
            meeting=meeting,
            actor=cast.secretary,
            data={"held_at": at(datetime.date(2026, 5, 8), 17)},
            absences={},
        )
    assert list(refused.value.message_dict) == ["ends_at"]
    meeting.refresh_from_db()
    assert meeting.held_at == at(datetime.date(2026, 5, 8))
