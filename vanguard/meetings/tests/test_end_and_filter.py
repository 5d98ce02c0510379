"""A meeting that runs past midnight, its end in the calendar feed, and the meeting
list's branch filter for officers who see several branches."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.meetings.models import Meeting
from vanguard.meetings.tests.factories import meeting
from vanguard.meetings.tests.test_views import form
from vanguard.notices.models import CalendarFeed

pytestmark = pytest.mark.django_db


def test_an_end_time_earlier_than_the_start_ends_the_next_day(client, org, cast):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("meetings:create"), form(org, held_time="19:00", ends_time="00:30")
    )
    assert response.status_code == 302
    held = Meeting.objects.get()
    end = timezone.localtime(held.ends_at)
    assert (end.date(), end.time()) == (datetime.date(2026, 5, 9), datetime.time(0, 30))
    page = client.get(reverse("meetings:detail", args=[held.pk])).content.decode()
    assert "2026-05-08 19:00—2026-05-09 00:30" in page
    listed = client.get(reverse("meetings:list")).content.decode()
    assert "次日 00:30" in listed
    edit = client.get(reverse("meetings:edit", args=[held.pk]))
    assert edit.context["form"].initial["ends_time"] == datetime.time(0, 30)


def test_the_seeds_evening_meeting_is_listed_with_its_end(client, org, cast):
    client.force_login(cast.secretary)
    client.post(reverse("meetings:create"), form(org, held_time="18:00", ends_time="23:00"))
    listed = client.get(reverse("meetings:list")).content.decode()
    assert "2026-05-08 18:00" in listed and "—23:00" in listed


def test_the_calendar_event_ends_when_the_meeting_ended(client, org, cast):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    five_hours = datetime.timedelta(hours=5)
    for title, held_at, ends_at in (
        ("民主评议会", start, start + five_hours),
        ("动员会", start + datetime.timedelta(days=1), None),
    ):
        Meeting.objects.create(
            unit=org.branch_a1, kind="mobilisation", title=title, held_at=held_at, ends_at=ends_at
        )
    feed = CalendarFeed.objects.create(user=cast.member)
    response = client.get(reverse("notices:calendar_feed", args=[feed.token]))
    events = {
        str(e["summary"]): e for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert events["民主评议会"].decoded("dtend") == start + datetime.timedelta(hours=5)
    # Without an end the event keeps the two hours it always had.
    assert events["动员会"].decoded("dtend") == start + datetime.timedelta(days=1, hours=2)


def listed(client, user, **query) -> tuple[list[str], list[str]]:
    client.force_login(user)
    response = client.get(reverse("meetings:list"), query)
    assert response.status_code == 200
    titles = sorted(m.title for m in response.context["page"].object_list)
    return titles, [u.name for u in response.context["units"]]


def test_a_general_branch_secretary_filters_the_list_by_branch(client, org, cast):
    meeting(org.branch_a1, title="一支部")
    meeting(org.branch_a2, title="博士生支部")
    meeting(org.branch_b1, title="四支部")
    titles, units = listed(client, cast.gb_secretary)
    assert titles == ["一支部", "博士生支部"]
    assert units == ["光电系党总支", "光学工程教工第一党支部", "光电博士生党支部"]
    assert listed(client, cast.gb_secretary, unit=org.branch_a2.pk)[0] == ["博士生支部"]
    # A branch outside their general branch is not offered, and asking for it shows all.
    assert listed(client, cast.gb_secretary, unit=org.branch_b1.pk)[0] == ["一支部", "博士生支部"]
    assert listed(client, cast.gb_secretary, unit="x")[0] == ["一支部", "博士生支部"]


def test_the_committee_filters_by_any_branch_and_the_filter_survives_paging(client, org, cast):
    for i in range(31):
        meeting(org.branch_b1, title=f"四支部{i:02d}")
    meeting(org.branch_a1, title="一支部")
    client.force_login(cast.committee_admin)
    response = client.get(
        reverse("meetings:list"), {"unit": org.branch_b1.pk, "kind": "mobilisation"}
    )
    assert len(response.context["units"]) == 5  # two general branches, three branches
    assert "一支部" not in [m.title for m in response.context["page"].object_list]
    assert f"page=2&amp;kind=mobilisation&amp;unit={org.branch_b1.pk}" in response.content.decode()


def test_a_branch_secretary_and_a_member_get_no_branch_filter(client, org, cast):
    meeting(org.branch_a1, title="一支部")
    assert listed(client, cast.secretary) == (["一支部"], [])
    assert listed(client, cast.member) == (["一支部"], [])
    assert 'id="unit-filter"' not in client.get(reverse("meetings:list")).content.decode()


def test_the_reports_meeting_paragraph_says_next_day_past_midnight(org, cast):
    from vanguard.materials.report.candidates import _meetings
    from vanguard.meetings.tests.factories import at, education_campaign

    campaign = education_campaign(org.committee)
    start = at(datetime.date(2026, 5, 21), 19)
    Meeting.objects.create(
        campaign=campaign,
        unit=org.branch_a1,
        kind=Meeting.Kind.DEMOCRATIC_APPRAISAL,
        title="民主评议会",
        held_at=start,
        ends_at=start + datetime.timedelta(hours=5, minutes=30),
    )
    (found,) = _meetings(cast.committee_admin, campaign)
    assert "19:00至次日 00:30" in found.text
