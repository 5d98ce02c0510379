"""A person's calendar (iCal): the meetings and study sessions of their branch and
the units above it (and of the units they hold a role over), and the deadlines of
the phases of their active campaigns."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.accounts import access as accounts_access
from vanguard.accounts.access import READ_ROLES, Person
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign, Phase
from vanguard.lib.paths import path_ids
from vanguard.meetings import access as meetings_access
from vanguard.organization import access as organization_access
from vanguard.study.models import StudySession

HISTORY_DAYS = 365  # how far back the feed reaches
EVENT_LENGTH = datetime.timedelta(hours=2)  # a meeting recorded without its end time


def own_unit_ids(user: Person) -> set[int]:
    """The person's branch and every unit above it, their party group, and the units
    they hold an officer's role over."""
    ids: set[int] = set()
    member = organization_access.member_of(user)
    if member is not None:
        ids.update(path_ids(member.branch.path))
        if member.party_group_id:
            ids.add(member.party_group_id)
    ids.update(scope.unit_id for scope in accounts_access.scopes(user) if scope.role in READ_ROLES)
    return ids


def _event(uid: str, summary: str, start: Any, **extra: Any) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    for name, value in extra.items():
        if value:
            event.add(name, value)
    return event


def build_calendar(user: Person) -> bytes:
    since = timezone.now() - datetime.timedelta(days=HISTORY_DAYS)
    units = own_unit_ids(user)
    member = organization_access.member_of(user)
    attended = Q(attendance__member=member) if member is not None else Q(pk__in=[])
    meetings = (
        meetings_access.visible_meetings(user)
        .filter(Q(unit_id__in=units) | attended, held_at__gte=since)
        .select_related("unit")
        .distinct()
        .order_by("held_at")
    )
    sessions = (
        StudySession.objects.filter(unit_id__in=units, starts_at__gte=since)
        .select_related("unit")
        .order_by("starts_at")
    )
    phases = (
        Phase.objects.filter(
            campaign__in=campaigns_access.visible_campaigns(user).filter(
                status=Campaign.Status.ACTIVE
            ),
            ends_on__gte=since.date(),
        )
        .select_related("campaign")
        .order_by("ends_on")
    )
    with translation.override(settings.LANGUAGE_CODE):
        cal = icalendar.Calendar()
        cal.add("prodid", "-//Vanguard//vanguard//ZH")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", _("先锋 · 我的日程"))
        for meeting in meetings:
            cal.add_component(
                _event(
                    f"meeting-{meeting.pk}@vanguard",
                    meeting.title,
                    meeting.held_at,
                    dtend=meeting.ends_at or meeting.held_at + EVENT_LENGTH,
                    location=meeting.place,
                    description=f"{meeting.get_kind_display()} · {meeting.unit.name}",
                )
            )
        for session in sessions:
            cal.add_component(
                _event(
                    f"study-session-{session.pk}@vanguard",
                    session.topic,
                    session.starts_at,
                    dtend=session.starts_at + EVENT_LENGTH,
                    location=session.place,
                    description=f"{session.get_kind_display()} · {session.unit.name}",
                )
            )
        for phase in phases:
            cal.add_component(
                _event(
                    f"phase-deadline-{phase.pk}@vanguard",
                    _("%(campaign)s：“%(phase)s”阶段截止")
                    % {"campaign": phase.campaign.name, "phase": phase.name},
                    phase.ends_on,
                    dtend=phase.ends_on + datetime.timedelta(days=1),
                )
            )
        return cal.to_ical()
