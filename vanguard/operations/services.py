"""Writes of the operations app."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from vanguard.operations.models import Heartbeat


def heartbeat_record(*, name: str = Heartbeat.WORKER, at: datetime | None = None) -> None:
    """Record that the process `name` is alive now (or at `at`)."""
    with transaction.atomic():
        Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": at or timezone.now()})
