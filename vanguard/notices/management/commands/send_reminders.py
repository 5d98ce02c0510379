"""Deadline reminders: in-app notifications and e-mails to members and branch
secretaries whose phase ends within N days and who have not met its requirements.
Safe to run repeatedly: a reminder already sent is not sent again."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from vanguard.notices import services


class Command(BaseCommand):
    help = "Send deadline reminders for open phases ending soon."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=3, help="phases ending within this many days"
        )
        parser.add_argument("--today", help="pretend today is this date (YYYY-MM-DD)")

    def handle(self, *args, days: int, today: str | None, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        sent = services.reminders_send(today=day, days=days)
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
