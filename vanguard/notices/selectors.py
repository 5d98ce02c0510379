"""Reads of the notices app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from vanguard.notices import access
from vanguard.notices.models import Notice, NoticePreference, Notification

INBOX_NOTIFICATIONS = 30


def inbox_notices(user: Any) -> QuerySet[Notice]:
    return access.visible_notices(user).order_by("-published_at", "-pk")


def inbox_notifications(user: Any) -> list[Notification]:
    return list(
        Notification.objects.filter(user=user).order_by("-created_at", "-pk")[:INBOX_NOTIFICATIONS]
    )


def email_preference(user: Any) -> str:
    """How the person chose to have their notifications e-mailed (EACH if never)."""
    chosen = NoticePreference.objects.filter(user=user).values_list("email", flat=True).first()
    return chosen or NoticePreference.Email.EACH


def email_preference_label(user: Any) -> str:
    return str(NoticePreference.Email(email_preference(user)).label)
