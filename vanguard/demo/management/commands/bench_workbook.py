"""Benchmark of the college statistics workbook (统计表): `manage.py bench_workbook
[--size L]`.

Builds the demo of the given size (`build_demo`) unless it is there — at M and L a
university around 信息学院, whose campaign carries every app's records — and, as
`bench_dashboards` does, a campaign over the whole university (study, sessions,
meetings) when none is running there. Then it times the workbook as a person gets it,
through its job (`materials.workbook.jobs`, run inline as without a worker): the
college's (the committee admin of 信息学院) and, for M and L, the university's (组织部),
printing the median of several runs, the queries of one run, the branches and the size
of the file.

Run it through `make bench` (a database of its own, var/bench-workbook.sqlite3).
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.build import built_size, demo_build
from vanguard.demo.common import COLLEGE_NAME, DemoError
from vanguard.demo.management.commands.bench_dashboards import campaign_data_build
from vanguard.demo.organization import UNIVERSITY_ADMIN, normalise_size
from vanguard.materials import access
from vanguard.materials.workbook import jobs
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.organization.models import Unit

LIMIT_SECONDS = 5.0  # issue 15: the workbook at size L in under 5 s


class Command(BaseCommand):
    help = "Time the college statistics workbook (its background job) on a large organisation."

    def add_arguments(self, parser):
        parser.add_argument("--size", default="L", help="demo, M or L (default L)")
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args: Any, size: str, runs: int, **options: Any) -> None:
        try:
            built = built_size()
            if built is None:
                started = time.perf_counter()
                demo_build(size=size)
                self.stdout.write(
                    f"organisation (size {size}) built in {time.perf_counter() - started:.1f} s"
                )
            elif built != normalise_size(size):
                raise CommandError(
                    f"This database holds the demo at size {built}, not {size}: "
                    "use a fresh database (make bench does)."
                )
        except DemoError as error:
            raise CommandError(str(error)) from error

        root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
        college = Unit.objects.filter(name=COLLEGE_NAME).order_by("depth").first()
        assert root is not None and college is not None
        cases = [("college workbook", "committee", college)]
        if root != college:
            cases.append(("university workbook", UNIVERSITY_ADMIN, root))
        slow = []
        for label, username, unit in cases:
            campaign = self.campaign_for(unit)
            seconds = self.time_workbook(label, username, campaign, runs)
            if seconds > LIMIT_SECONDS:
                slow.append(label)
        if slow:
            self.stdout.write(self.style.WARNING(f"over {LIMIT_SECONDS:.0f} s: {', '.join(slow)}"))

    def campaign_for(self, unit: Unit) -> Campaign:
        campaign = Campaign.objects.filter(status=Campaign.Status.ACTIVE, unit=unit).first()
        if campaign is None:
            started = time.perf_counter()
            campaign = campaign_data_build(root=unit)
            self.stdout.write(
                f"campaign data for {unit.name} generated in {time.perf_counter() - started:.1f} s"
            )
        return campaign

    def time_workbook(self, label: str, username: str, campaign: Campaign, runs: int) -> float:
        user = User.objects.get_by_natural_key(username)
        roots = access.workbook_roots(user, campaign)
        if not roots:
            raise CommandError(f"{username} may not make the workbook of {campaign}")
        timings = []
        queries = 0
        job = None
        size_kb = 0.0
        for run in range(runs + 1):  # the first run warms up (templates, translations)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                job = jobs.workbook_job_submit(user=user, campaign=campaign, unit=None)
                elapsed = time.perf_counter() - started
            if job.state != WorkbookJob.State.DONE:
                raise CommandError(f"{label}: the job ended {job.state}: {job.error}")
            if run:
                timings.append(elapsed)
                queries = len(captured)
            size_kb = job.file.size / 1024
            job.file.delete(save=False)  # the bench keeps no files behind
        assert job is not None
        branches = Unit.objects.filter(
            kind=Unit.Kind.BRANCH, is_active=True, path__startswith=roots[0].path
        ).count()
        median = statistics.median(timings)
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} ({username}, {campaign.name} over {job.scope_name}, {branches} "
                f"branches): median {median * 1000:.0f} ms over {runs} runs "
                f"(min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms), "
                f"{queries} queries, {size_kb:.0f} KB"
            )
        )
        return median
