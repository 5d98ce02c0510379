"""Remind the people responsible for make-up orders (and their branch's secretaries)
of deadlines coming up within N days and of deadlines passed
(`supervision.remediation.reminders`). Run it daily (or as often as you like): a
reminder is sent once per order, deadline and kind."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanguard.supervision.remediation.reminders import order_reminders_send


class Command(BaseCommand):
    help = "Remind those responsible for make-up orders of deadlines near or passed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days", type=int, default=3, help="orders due within this many days (default 3)"
        )
        parser.add_argument("--today", help="pretend today is this date (YYYY-MM-DD)")

    def handle(self, *args: Any, days: int, today: str | None, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        sent = order_reminders_send(today=day, days=days)
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
