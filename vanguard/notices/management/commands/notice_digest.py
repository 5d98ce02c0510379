"""The notifications' daily digest: one e-mail to each person who chose it, listing
their notifications not yet e-mailed. A timer runs it once a day (e.g. at 18:00);
running it again the same day sends nothing twice."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from vanguard.notices import services


class Command(BaseCommand):
    help = "E-mail the daily digest of notifications to those who chose it (once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="the digest's day (YYYY-MM-DD), default today")

    def handle(self, *args, today: str | None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        sent = services.notice_digest_send(today=day)
        self.stdout.write(f"{sent} digest(s) sent.")
