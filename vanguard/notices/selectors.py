"""Reads of the notices app."""

from __future__ import annotations

from django.db.models import QuerySet

from vanguard.accounts.access import Person
from vanguard.accounts.models import User
from vanguard.notices import access
from vanguard.notices.models import Notice, NoticePreference, Notification

INBOX_NOTIFICATIONS = 30


def inbox_notices(user: Person) -> QuerySet[Notice]:
    return access.visible_notices(user).order_by("-published_at", "-pk")


def inbox_notifications(user: User) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user).order_by("-created_at", "-pk")[:INBOX_NOTIFICATIONS]
    )


def email_preference(user: User) -> str:
    """How the person chose to have their notifications e-mailed (EACH if never)."""
    chosen = NoticePreference.objects.filter(user=user).values_list("email", flat=True).first()
    return chosen or NoticePreference.Email.EACH


def email_preference_label(user: User) -> str:
    return str(NoticePreference.Email(email_preference(user)).label)
