"""The personal calendar feed (iCal): a secret URL, no login, one's own meetings,
study sessions and phase deadlines."""

from __future__ import annotations

import datetime

import icalendar
from django.urls import reverse
from django.utils import timezone

from vanguard.campaigns.tests.access_table_manage import education_campaign
from vanguard.meetings.models import Meeting
from vanguard.notices.models import CalendarFeed
from vanguard.study.models import StudySession


def _events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_has_the_branchs_meetings_sessions_and_deadlines_and_nothing_else(
    client, org, cast
):
    campaign = education_campaign(org)
    soon = timezone.now() + datetime.timedelta(days=3)
    Meeting.objects.create(
        campaign=campaign,
        unit=org.branch_a1,
        kind="mobilisation",
        title="支部动员会",
        held_at=soon,
        place="光电楼201",
    )
    Meeting.objects.create(
        campaign=campaign,
        unit=org.branch_b1,
        kind="mobilisation",
        title="别的支部的动员会",
        held_at=soon,
    )
    StudySession.objects.create(
        campaign=campaign,
        unit=org.committee,
        kind="lecture",
        topic="专题报告：党章",
        starts_at=soon,
    )
    feed = CalendarFeed.objects.create(user=cast.member)

    response = client.get(reverse("notices:calendar_feed", args=[feed.token]))  # no login

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response)
    meeting = events["支部动员会"]
    assert str(meeting["location"]) == "光电楼201"
    assert meeting.decoded("dtstart") == soon.replace(microsecond=0)
    assert "专题报告：党章" in events
    assert "别的支部的动员会" not in events
    deadlines = [name for name in events if "阶段截止" in name]
    assert len(deadlines) == 3
    analysis = campaign.phases.get(key="analysis")
    assert events[f"{campaign.name}：“分析评议”阶段截止"].decoded("dtstart") == analysis.ends_on


def test_an_unknown_token_is_not_found(client, db):
    assert client.get(reverse("notices:calendar_feed", args=["nope"])).status_code == 404


def test_regenerating_revokes_the_old_url(client, cast):
    client.force_login(cast.member)
    page = client.get(reverse("notices:calendar")).content.decode()
    assert "生成订阅地址" in page
    client.post(reverse("notices:calendar_regenerate"))
    old = CalendarFeed.objects.get(user=cast.member).token
    assert old in client.get(reverse("notices:calendar")).content.decode()

    client.post(reverse("notices:calendar_regenerate"))
    new = CalendarFeed.objects.get(user=cast.member).token
    assert new != old
    client.logout()
    assert client.get(reverse("notices:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("notices:calendar_feed", args=[new])).status_code == 200


def test_an_inactive_persons_feed_is_closed(client, cast):
    feed = CalendarFeed.objects.create(user=cast.member)
    cast.member.is_active = False
    cast.member.save()
    assert client.get(reverse("notices:calendar_feed", args=[feed.token])).status_code == 404
