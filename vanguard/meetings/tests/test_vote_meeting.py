"""A vote is held at a meeting: opening a ballot session records the unit's appraisal
meeting (or uses the one recorded today), the door roll becomes its attendance when the
vote closes, and the dashboard counts the meeting as held — one entry, two records."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from vanguard.ballots import services as ballots
from vanguard.ballots.tests.factories import branch, session_for
from vanguard.campaigns.models import Phase
from vanguard.campaigns.progress import campaign_progress
from vanguard.meetings import services
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.meetings.tests.factories import education_campaign
from vanguard.meetings.tests.factories import meeting as made_meeting
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db

Kind = Meeting.Kind


def _phases_around_today(campaign) -> None:
    """The factory's campaign is dated 2026-03…07; the vote opens now: move the
    analysis phase (the one asking for the three branch meetings) around today."""
    today = timezone.localdate()
    days = datetime.timedelta
    campaign.phases.filter(key=Phase.Key.STUDY).update(
        starts_on=today - days(60), ends_on=today - days(11)
    )
    campaign.phases.filter(key=Phase.Key.ANALYSIS).update(
        starts_on=today - days(10), ends_on=today + days(10)
    )
    campaign.phases.filter(key=Phase.Key.RECTIFICATION).update(
        starts_on=today + days(11), ends_on=today + days(60)
    )


def _open(unit: Unit, **extra):
    session = session_for(unit, **extra)
    _phases_around_today(session.campaign)
    return ballots.session_open(session=session)


def _statuses(meeting: Meeting) -> dict[str, tuple[str, str]]:
    return {
        row.member.name: (row.status, row.reason)
        for row in meeting.attendance.select_related("member")
    }


def _progress(campaign, unit: Unit):
    """The dashboard's figures, judged against the analysis phase's requirements."""
    analysis = campaign.phases.get(key=Phase.Key.ANALYSIS)
    return campaign_progress(campaign=campaign, roots=[unit], phase=analysis)


def _met(progress, unit: Unit, kind: str) -> bool:
    branch_progress = progress.units[unit.pk]
    (result,) = [
        r
        for r in branch_progress.results
        if r.requirement.kind == "branch_meeting" and r.requirement.params.get("kind") == kind
    ]
    return result.done >= result.target


def test_opening_a_vote_holds_the_branch_appraisal_meeting_and_the_dashboard_counts_it():
    unit, _members = branch()
    session = session_for(unit)
    _phases_around_today(session.campaign)
    before = _progress(session.campaign, unit)
    assert not before.units[unit.pk].has_meeting
    assert not _met(before, unit, Kind.DEMOCRATIC_APPRAISAL)

    with translation.override("en"):  # a secretary reading the site in English
        ballots.session_open(session=session)

    session.refresh_from_db()
    meeting = session.meeting
    assert meeting is not None
    assert (meeting.unit, meeting.kind, meeting.campaign) == (
        unit,
        Kind.DEMOCRATIC_APPRAISAL,
        session.campaign,
    )
    assert meeting.roll_attendance
    assert meeting.title == f"{unit.name}民主评议会"
    assert meeting.phase is not None and meeting.phase.key == Phase.Key.ANALYSIS
    after = _progress(session.campaign, unit)
    assert after.units[unit.pk].has_meeting
    assert _met(after, unit, Kind.DEMOCRATIC_APPRAISAL)


def test_the_door_roll_becomes_the_meeting_attendance_when_the_vote_closes():
    unit, members = branch(formal=4, probationary=1)
    session = _open(unit)
    for member in members[:3]:
        ballots.roll_mark_present(session=session, member=member)
    meeting = Meeting.objects.get(appraisal_sessions=session)
    # While the vote is open the ticks are not copied anywhere (their order is not kept).
    assert not meeting.attendance.exists()

    ballots.session_close(session=session)

    assert _statuses(meeting) == {
        members[0].name: ("present", ""),
        members[1].name: ("present", ""),
        members[2].name: ("present", ""),
        members[3].name: ("absent", ""),
        members[4].name: ("absent", ""),
    }


def test_a_meeting_recorded_today_is_the_one_the_vote_is_held_at_not_a_second_one():
    unit, members = branch(formal=3, probationary=0)
    session = session_for(unit)
    _phases_around_today(session.campaign)
    recorded = services.meeting_create(
        unit=unit,
        kind=Kind.DEMOCRATIC_APPRAISAL,
        title="支部民主评议会",
        held_at=timezone.localtime().replace(hour=0, minute=0, second=1),  # earlier today
        actor=None,  # type: ignore[arg-type]
        place="光电楼 305",
        absences={members[2].pk: "出差（北京）"},
    )

    ballots.session_open(session=session)
    ballots.roll_mark_present(session=session, member=members[0])
    ballots.session_close(session=session)

    session.refresh_from_db()
    assert session.meeting == recorded
    assert Meeting.objects.filter(unit=unit).count() == 1
    # The roll decides who was there; a reason already given for an absence stays.
    assert _statuses(recorded) == {
        members[0].name: ("present", ""),
        members[1].name: ("absent", ""),
        members[2].name: ("absent", "出差（北京）"),
    }


def test_after_a_discussion_meeting_without_a_vote_the_vote_is_the_grade_rating_meeting():
    unit, _members = branch(formal=3, probationary=0)
    session = session_for(unit)
    _phases_around_today(session.campaign)
    services.meeting_create(
        unit=unit,
        kind=Kind.DEMOCRATIC_APPRAISAL,
        title="支部民主评议会",
        held_at=timezone.now() - datetime.timedelta(days=2),
        actor=None,  # type: ignore[arg-type]
    )
    ballots.session_open(session=session)
    session.refresh_from_db()
    assert session.meeting.kind == Kind.GRADE_RATING
    progress = _progress(session.campaign, unit)
    assert _met(progress, unit, Kind.DEMOCRATIC_APPRAISAL)
    assert _met(progress, unit, Kind.GRADE_RATING)


def test_a_second_vote_after_one_held_at_a_meeting_is_another_appraisal_meeting():
    unit, _members = branch(formal=3, probationary=0)
    first = _open(unit)
    first.refresh_from_db()
    second = session_for(unit)
    ballots.session_open(session=second)
    second.refresh_from_db()
    assert second.meeting != first.meeting
    # The same day: the first vote's meeting is taken, so the second gets its own.
    assert second.meeting.kind == Kind.DEMOCRATIC_APPRAISAL


def _party_group(unit: Unit, members: list[Member]) -> Unit:
    group = Unit.objects.create(name="第一党小组", kind=Unit.Kind.PARTY_GROUP, parent=unit)
    Member.objects.filter(pk__in=[m.pk for m in members]).update(party_group=group)
    return group


def test_a_party_groups_vote_is_its_appraisal_meeting_and_counts_for_the_branch():
    unit, members = branch(formal=4, probationary=0)
    group = _party_group(unit, members[:3])
    session = session_for(group)
    _phases_around_today(session.campaign)
    ballots.session_open(session=session)
    session.refresh_from_db()
    assert (session.meeting.unit, session.meeting.kind) == (group, Kind.DEMOCRATIC_APPRAISAL)
    progress = _progress(session.campaign, unit)
    assert progress.units[unit.pk].has_meeting
    assert _met(progress, unit, Kind.DEMOCRATIC_APPRAISAL)


def test_the_branch_secretary_attending_a_party_groups_appraisal_is_recorded_and_kept():
    unit, members = branch(formal=4, probationary=0)
    group = _party_group(unit, members[:3])
    secretary = members[3]  # of the branch, not of this group
    session = session_for(group)
    _phases_around_today(session.campaign)
    ballots.session_open(session=session)
    session.refresh_from_db()
    meeting = session.meeting

    services.meeting_attend_as_officer(meeting=meeting, member=secretary, attended=True)
    services.meeting_attend_as_officer(meeting=meeting, member=secretary, attended=True)
    ballots.roll_mark_present(session=session, member=members[0])
    ballots.session_close(session=session)

    statuses = _statuses(meeting)
    assert statuses[secretary.name] == ("present", "")
    assert statuses[members[0].name] == ("present", "")
    assert statuses[members[1].name] == ("absent", "")
    assert MeetingAttendance.objects.filter(meeting=meeting, member=secretary).count() == 1

    services.meeting_attend_as_officer(meeting=meeting, member=secretary, attended=False)
    assert secretary.name not in _statuses(meeting)
    with pytest.raises(ValidationError):
        members[1].refresh_from_db()
        services.meeting_attend_as_officer(meeting=meeting, member=members[1], attended=True)


def test_editing_a_roll_meeting_needs_no_reason_for_the_absent():
    unit, members = branch(formal=3, probationary=0)
    session = _open(unit)
    ballots.roll_mark_present(session=session, member=members[0])
    ballots.session_close(session=session)
    meeting = Meeting.objects.get(appraisal_sessions=session)
    absent = {m.pk: "" for m in members[1:]}
    services.meeting_update(
        meeting=meeting,
        actor=None,
        data={"place": "光电楼 305"},
        absences=absent,  # type: ignore[arg-type]
    )
    meeting.refresh_from_db()
    assert meeting.place == "光电楼 305"
    assert _statuses(meeting)[members[1].name] == ("absent", "")


def test_the_secretary_records_attending_a_party_groups_appraisal_with_one_tap(client, org, cast):
    group_meeting = made_meeting(
        org.group_a1, kind=Kind.DEMOCRATIC_APPRAISAL, title="第一党小组民主评议会"
    )
    page_url = reverse("meetings:detail", args=[group_meeting.pk])
    client.force_login(cast.secretary)
    page = client.get(page_url).content.decode()
    assert "我列席了本次评议" in page
    response = client.post(reverse("meetings:attend", args=[group_meeting.pk]), {"attended": "1"})
    assert response.status_code == 302
    page = client.get(page_url).content.decode()
    assert "已登记您以支部委员身份列席本次评议" in page
    assert "李书记" in page  # on the attendance, typed by nobody
    # The group's own member is on its roll: no such button for them.
    client.force_login(cast.member)
    assert "我列席了本次评议" not in client.get(page_url).content.decode()


def test_a_vote_meeting_page_says_its_attendance_is_the_door_roll(client, org, cast):
    session = ballots.session_create(
        campaign=education_campaign(org.committee),
        unit=org.branch_a1,
    )
    _phases_around_today(session.campaign)
    ballots.session_open(session=session)
    session.refresh_from_db()
    client.force_login(cast.secretary)
    page = client.get(reverse("meetings:detail", args=[session.meeting.pk])).content.decode()
    assert "出勤取自民主评议投票的到会登记" in page


# --- Other facts typed twice on the meeting form ------------------------------------


def test_a_meeting_recorded_without_a_title_is_named_from_its_unit_and_kind(org, cast):
    education_campaign(org.committee)
    recorded = services.meeting_create(
        unit=org.branch_a1,
        kind=Kind.MOBILISATION,
        title="  ",
        held_at=timezone.make_aware(datetime.datetime(2026, 5, 8, 14, 0)),
        actor=cast.secretary,
    )
    assert recorded.title == f"{org.branch_a1.name}支部动员会"
    services.meeting_update(meeting=recorded, actor=cast.secretary, data={"title": ""})
    recorded.refresh_from_db()
    assert recorded.title == f"{org.branch_a1.name}支部动员会"


def test_the_new_meeting_form_starts_with_the_recorder_as_host_and_needs_no_title(
    client, org, cast
):
    education_campaign(org.committee)
    client.force_login(cast.secretary)
    page = client.get(reverse("meetings:create")).content.decode()
    assert 'name="host" value="李书记"' in page
    assert 'name="title"' in page and 'name="title" maxlength="200" required' not in page
