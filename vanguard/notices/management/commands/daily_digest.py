"""The daily digest: e-mails each officer a summary of their scope's progress and
the day's new notices."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from vanguard.notices import services


class Command(BaseCommand):
    help = "E-mail each officer the day's progress summary and new notices."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the day to summarise (YYYY-MM-DD)")

    def handle(self, *args, today: str | None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        sent = services.daily_digest_send(today=day)
        self.stdout.write(f"{sent} digest(s) sent.")
