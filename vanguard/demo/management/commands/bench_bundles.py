"""Benchmark of the bundles (材料包): `manage.py bench_bundles [--size L]`.

Builds the demo organisation of the given size (`build_demo`) unless it is there, then
builds, as the demo's committee admin, the bundle of every branch of the demo college
信息学院 (its 41 branches' three materials, about 700 registration forms), and the
demo secretary's branch bundle, through the job and its task as a person's request
does (inline: no worker). Prints each one's time, and for the college the time of its
registration part (the forms' selector, PDF and Word) with forms per second — the
target is 700 registration forms in under 30 s — and of the other parts.

Run it through `make bench`, which uses a database of its own
(var/bench-bundles.sqlite3), never the demo's.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.build import built_size, demo_build
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DemoError
from vanguard.demo.organization import normalise_size
from vanguard.materials.bundles import jobs
from vanguard.materials.bundles.models import BundleJob
from vanguard.organization.models import Member, Unit

TARGET_SECONDS = 30.0
TARGET_FORMS = 700


class Command(BaseCommand):
    help = "Time the college's and a branch's bundles (三份材料) on the demo at size L."

    def add_arguments(self, parser):
        parser.add_argument("--size", default="L", help="demo, M or L (default L)")

    def handle(self, *args: Any, size: str, **options: Any) -> None:
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

        campaign = Campaign.objects.select_related("unit").filter(name=CAMPAIGN_NAME).first()
        if campaign is None:
            raise CommandError(f"No campaign {CAMPAIGN_NAME} in this database.")
        inside = campaign.unit.path
        branches = Unit.objects.filter(kind=Unit.Kind.BRANCH, path__startswith=inside).count()
        members = Member.objects.filter(is_active=True, branch__path__startswith=inside).count()
        everyone = Member.objects.filter(is_active=True).count()
        self.stdout.write(
            f"{campaign.unit.name}: {branches} branches, {members} members, "
            f"in an organisation of {everyone} members"
        )
        committee = User.objects.get_by_natural_key("committee")
        job = self.run(committee, campaign, campaign.unit, "college bundle")
        forms = job.summary["forms"]
        for clock in ("seconds", "cpu_seconds"):
            self.report_parts(
                forms, job.summary[clock], "CPU" if clock == "cpu_seconds" else "wall"
            )
        secretary = User.objects.get_by_natural_key("secretary")
        branch = Unit.objects.filter(
            role_assignments__user=secretary, role_assignments__role="branch_secretary"
        ).first()
        if branch is None:
            raise CommandError("The demo secretary holds no branch.")
        self.run(secretary, campaign, branch, "branch bundle")

    def report_parts(self, forms: int, seconds: dict[str, float], clock: str) -> None:
        parts = ("registration_select", "registration_pdf", "registration_docx")
        registration = sum(seconds.get(key, 0.0) for key in parts)
        rate = forms / registration if registration else 0.0
        at_target = TARGET_FORMS / rate if rate else float("inf")
        style = self.style.SUCCESS if at_target < TARGET_SECONDS else self.style.ERROR
        self.stdout.write(
            style(
                f"  {clock}: registration forms {forms} in {registration:.1f} s "
                f"({rate:.0f} forms/s; {TARGET_FORMS} forms in {at_target:.1f} s, "
                f"target under {TARGET_SECONDS:.0f} s) — selector "
                f"{seconds.get('registration_select', 0):.1f} s, "
                f"PDF {seconds.get('registration_pdf', 0):.1f} s, "
                f"Word {seconds.get('registration_docx', 0):.1f} s; "
                f"meeting books {seconds.get('meeting_book', 0):.1f} s, "
                f"stage summaries {seconds.get('stage_summary', 0):.1f} s; "
                f"whole bundle {seconds.get('total', 0):.1f} s"
            )
        )

    def run(self, user: User, campaign: Campaign, unit: Unit, label: str) -> BundleJob:
        started = time.perf_counter()
        job = jobs.bundle_job_submit(user=user, campaign=campaign, unit=unit)
        elapsed = time.perf_counter() - started
        if job.state != BundleJob.State.DONE:
            raise CommandError(f"{label}: {job.get_state_display()} — {job.error}")
        size = job.file.size / 1024 / 1024
        self.stdout.write(
            self.style.SUCCESS(
                f"{label} ({unit.name}, {user.username}): {elapsed:.1f} s, "
                f"{job.summary['branches']} branches, {job.summary['forms']} forms, "
                f"{size:.1f} MB zip"
            )
        )
        return job
