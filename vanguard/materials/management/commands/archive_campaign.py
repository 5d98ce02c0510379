"""manage.py archive_campaign <campaign id> [--output FILE]: the campaign's archive
for the records office (归档包), written by `materials.archive.build` — the same zip the
committee's archive page builds, for an operator on the server (no account needed: the
command line is the operator's, as `manage.py dumpdata` is)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanguard.campaigns.models import Campaign
from vanguard.materials.archive import build, jobs


class Command(BaseCommand):
    help = "Build a campaign's archive for the records office (zip with MANIFEST.csv)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("campaign", type=int, help="the campaign's id")
        parser.add_argument("--output", "-o", help="the zip to write (default: its usual name)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.select_related("unit").filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign with id {options['campaign']}.")
        target = Path(options["output"] or jobs.archive_file_name(campaign))
        if target.exists():
            raise CommandError(f"{target} exists: not overwritten.")
        partial = target.with_name(target.name + ".part")
        started = time.perf_counter()

        def progress(done: int, total: int, label: str) -> None:
            if options["verbosity"] >= 2:
                self.stdout.write(f"{done}/{total} {label}")

        try:
            with open(partial, "w+b") as out:
                summary = build.archive_build(campaign=campaign, out=out, progress=progress)
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{target}: {summary.files} files, {summary.branches} branches, "
            f"{summary.personal_files} personal files, {target.stat().st_size} bytes, "
            f"{seconds:.1f} s"
        )
