"""Finish the storage scrub of closed votes that could not finish at their close
(ballots/README.md). The running site retries by itself; this is for cron, for a site
restarted in between, and for an operator who wants to see where it stands.

    manage.py ballots_scrub            # one attempt; exit 1 if anything stays pending
    manage.py ballots_scrub --wait 600 # retry every 5 s for up to 600 s
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from vanguard.ballots import services


class Command(BaseCommand):
    help = "Scrub the database storage of closed votes whose scrub is still pending."

    def add_arguments(self, parser):
        parser.add_argument(
            "--wait", type=float, default=0, help="keep retrying for this many seconds"
        )

    def handle(self, *args, wait: float = 0, **options):
        deadline = time.monotonic() + wait
        while True:
            pending = services.scrub_pending().count()
            if pending == 0:
                self.stdout.write("No closed vote is waiting for its storage scrub.")
                return
            result = services.scrub_storage()
            if result.done:
                extra = f" in {result.lock_seconds:.3f} s" if result.rewritten else ""
                self.stdout.write(
                    f"Scrubbed the storage of {result.sessions} closed vote(s){extra}."
                )
                return
            if time.monotonic() >= deadline:
                raise CommandError(
                    f"{pending} closed vote(s) still waiting for the storage scrub "
                    f"({result.skipped}): another connection holds an old snapshot or "
                    "a lock. Run again once it has ended."
                )
            time.sleep(5)
