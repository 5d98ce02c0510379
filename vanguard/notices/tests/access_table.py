"""Who may open the notice pages (see tests/access.py). The notice goes to branch
A1: everyone over or in A1 reads it, 陈刚 of branch B1 does not (404). The
calendar feed needs no login — its secret token is the key; a wrong token is 404."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.notices.models import CalendarFeed, Notice, Notification

EVERYONE = {"anonymous": LOGIN}


def _notice(f) -> int:
    notice = Notice.objects.filter(unit=f.org.branch_a1).first()
    if notice is None:
        notice = Notice.objects.create(
            unit=f.org.branch_a1, title="关于召开支部动员会的通知", body="定于周五下午召开。"
        )
    return notice.pk


def _notification(f) -> int:
    return Notification.objects.get_or_create(
        user=f.cast.member, key="test", defaults={"text": "新通知"}
    )[0].pk


def _token(f) -> str:
    return CalendarFeed.objects.get_or_create(user=f.cast.member)[0].token


def _notice_data(f):
    return {"unit": f.org.branch_a1.pk, "title": "学习安排", "body": "请按时参加。"}


PUBLISHERS = {"anonymous": LOGIN, "committee_admin": 200, "gb_secretary": 200, "secretary": 200}

ROWS = [
    AccessRow("notices/", lambda f: reverse("notices:inbox"), EVERYONE, 200),
    AccessRow(
        "notices/<int:pk>/",
        lambda f: reverse("notices:detail", args=[_notice(f)]),
        {"anonymous": LOGIN, "other_member": 404},
        200,
    ),
    AccessRow("notices/publish/", lambda f: reverse("notices:publish"), PUBLISHERS, 403),
    AccessRow(
        "notices/publish/",
        lambda f: reverse("notices:publish"),
        # A general-branch secretary publishes to their own unit only: A1 is not offered.
        {**PUBLISHERS, "committee_admin": 302, "secretary": 302},
        403,
        method="post",
        data=_notice_data,
    ),
    AccessRow(
        "notices/notifications/<int:pk>/read/",
        lambda f: reverse("notices:notification_read", args=[_notification(f)]),
        {"anonymous": LOGIN, "member": 302},
        404,
        method="post",
        note="only the person it was for",
    ),
    AccessRow(
        "notices/notifications/read-all/",
        lambda f: reverse("notices:notifications_read_all"),
        EVERYONE,
        302,
        method="post",
    ),
    AccessRow("notices/preferences/", lambda f: reverse("notices:preferences"), EVERYONE, 200),
    AccessRow(
        "notices/preferences/",
        lambda f: reverse("notices:preferences"),
        EVERYONE,
        302,
        method="post",
        data=lambda f: {"email": "digest"},
    ),
    AccessRow("notices/calendar/", lambda f: reverse("notices:calendar"), EVERYONE, 200),
    AccessRow(
        "notices/calendar/regenerate/",
        lambda f: reverse("notices:calendar_regenerate"),
        EVERYONE,
        302,
        method="post",
    ),
    AccessRow(
        "notices/calendar/feed/<slug:token>.ics",
        lambda f: reverse("notices:calendar_feed", args=[_token(f)]),
        {},
        200,
        note="no login: anyone holding the secret URL gets the feed",
    ),
    AccessRow(
        "notices/calendar/feed/<slug:token>.ics",
        lambda f: reverse("notices:calendar_feed", args=["not-a-real-token"]),
        {},
        404,
    ),
]
