"""Fetch new mail from every active opinion mailbox (电子信箱) of an active campaign.
Run it from cron (e.g. every ten minutes); with VANGUARD_TASKS=database each mailbox
becomes a queued task for the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vanguard.campaigns.models import Campaign
from vanguard.opinions.models import Mailbox
from vanguard.opinions.tasks import poll_mailbox


class Command(BaseCommand):
    help = "Fetch new mail from the opinion mailboxes of active campaigns."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mailbox", type=int, action="append", help="only this mailbox id")

    def handle(self, *args: Any, **options: Any) -> None:
        mailboxes = Mailbox.objects.filter(
            is_active=True, campaign__status=Campaign.Status.ACTIVE
        ).order_by("pk")
        if options["mailbox"]:
            mailboxes = mailboxes.filter(pk__in=options["mailbox"])
        for mailbox_id in mailboxes.values_list("pk", flat=True):
            result = poll_mailbox.enqueue(mailbox_id)
            if result.is_finished:
                report = result.return_value or {}
                self.stdout.write(
                    f"mailbox {mailbox_id}: {report.get('imported', 0)} imported, "
                    f"{report.get('duplicates', 0)} already there, "
                    f"{report.get('skipped', 0)} skipped"
                    + (f"; {len(report['problems'])} problem(s)" if report.get("problems") else "")
                )
            else:
                self.stdout.write(f"mailbox {mailbox_id}: queued")
