"""Remind people of the rectification plans that wait on them: writers of returned
plans, reviewers of plans and done items waiting more than N days, and the people
responsible for (and the writers of) items past their deadline
(`rectification.plans.reminders`). Run it as often as you like (cron, daily): a
reminder is sent once per return, per item and deadline, per wait."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vanguard.rectification.plans.reminders import rectification_reminders_send


class Command(BaseCommand):
    help = (
        "Remind writers of returned plans and of overdue items, and reviewers of plans "
        "and done items waiting too long."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=3,
            help="remind reviewers of plans and done items waiting longer than this many "
            "days (default 3)",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        sent = rectification_reminders_send(days=days)
        self.stdout.write(f"{len(sent)} reminder(s) sent.")
