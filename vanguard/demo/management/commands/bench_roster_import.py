"""Benchmark of roster import: `manage.py bench_roster_import --rows 30000`.

Builds a throwaway organisation (a university committee, general branches, 1,500
branches with party groups), writes an .xlsx roster of N members, and imports it as a
committee admin (a person, so the audit trail is written), timing the checking and the
writing. Then imports the same file again (nothing to change) and a copy with one
member in ten changed and one in twenty moved. The target: 30,000 rows in under 20 s.

Run it through `make bench`, which uses a fresh database of its own (var/bench.sqlite3):
the command refuses a database that already holds an organisation.
"""

from __future__ import annotations

import io
import os
import random
import tempfile
import time
from typing import Any

import openpyxl
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit.models import AuditEntry
from vanguard.demo.common import DemoError, new_faker
from vanguard.organization.models import ImportJob, Member, Unit
from vanguard.organization.roster import fileformat, jobs, reading

BENCH_PREFIX = "Bench"


class Command(BaseCommand):
    help = "Time a full roster import (default 30,000 rows) into a throwaway organisation."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=30_000)
        parser.add_argument("--branches", type=int, default=1_500)
        parser.add_argument("--general-branches", type=int, default=30)
        parser.add_argument(
            "--allow-existing-data",
            action="store_true",
            help="Run even though the database already holds units (it adds its own).",
        )

    def handle(
        self,
        *args: Any,
        rows: int,
        branches: int,
        general_branches: int,
        allow_existing_data: bool,
        **options: Any,
    ) -> None:
        if Unit.objects.exists() and not allow_existing_data:
            raise CommandError(
                "This database already holds an organisation. Run `make bench`, which uses a "
                "fresh database of its own, or pass --allow-existing-data."
            )
        started = time.perf_counter()
        committee, branch_list = self.build_org(branches, general_branches)
        actor = User.objects.create_user(username=f"bench-{committee.pk}", password=None)
        RoleAssignment.objects.create(user=actor, role=Role.COMMITTEE_ADMIN, unit=committee)
        self.stdout.write(
            f"organisation: {len(branch_list)} branches under {general_branches} general "
            f"branches, built in {time.perf_counter() - started:.1f} s"
        )

        started = time.perf_counter()
        table = self.roster_rows(rows, branch_list)
        content = self.workbook(table)
        self.stdout.write(
            f"roster file: {rows} rows, {len(content) / 1e6:.1f} MB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )

        audit_before = AuditEntry.objects.count()
        first = self.run(actor, committee, content, "first import")
        self.stdout.write(f"  audit rows written: {AuditEntry.objects.count() - audit_before}")
        audit_before = AuditEntry.objects.count()
        second = self.run(actor, committee, content, "same file again")
        self.stdout.write(f"  audit rows written: {AuditEntry.objects.count() - audit_before}")

        rng = random.Random(7)  # noqa: S311 - benchmark data, not security
        for index, row in enumerate(table):
            if index % 10 == 0:
                row[7] = f"139{index:08d}"
            if index % 20 == 5:
                row[5] = rng.choice(branch_list).name
                row[6] = ""
        self.run(actor, committee, self.workbook(table), "one in ten changed, one in twenty moved")

        if first.status != ImportJob.Status.DONE or second.summary.get("unchanged") != rows:
            raise CommandError("The benchmark import did not do what it should.")
        total = first.summary["seconds"]["validate"] + first.summary["seconds"]["write"]
        verdict = "OK" if total < 20 else "SLOWER THAN THE 20 s TARGET"
        self.stdout.write(
            self.style.SUCCESS(
                f"{rows} rows imported in {total:.1f} s ({rows / total:,.0f} rows/s): {verdict}"
            )
        )

    def build_org(self, branches: int, general_branches: int) -> tuple[Unit, list[Unit]]:
        with transaction.atomic():
            committee = Unit.objects.create(
                name=f"{BENCH_PREFIX} University {Unit.objects.count()}",
                kind=Unit.Kind.COMMITTEE,
            )
            parents = [
                Unit.objects.create(
                    name=f"{BENCH_PREFIX} general branch {g + 1}",
                    kind=Unit.Kind.GENERAL_BRANCH,
                    parent=committee,
                )
                for g in range(general_branches)
            ]
            types = [choice for choice, _label in Unit.BranchType.choices]
            branch_list = []
            for b in range(branches):
                branch = Unit.objects.create(
                    name=f"{BENCH_PREFIX} branch {b + 1}",
                    kind=Unit.Kind.BRANCH,
                    branch_type=types[b % len(types)],
                    parent=parents[b % general_branches],
                )
                branch_list.append(branch)
                if b % 3 == 0:  # large branches have party groups
                    for n in (1, 2):
                        Unit.objects.create(
                            name=f"group {n}", kind=Unit.Kind.PARTY_GROUP, parent=branch
                        )
        return committee, branch_list

    def roster_rows(self, rows: int, branch_list: list[Unit]) -> list[list[Any]]:
        try:
            fake = new_faker("zh_CN")
        except DemoError as error:
            raise CommandError(str(error)) from error
        fake.seed_instance(2005)
        categories = fileformat.choice_labels(Member.Category)
        category_labels = [fileformat.zh(label) for _v, label in Member.Category.choices]
        assert all(label.lower() in categories for label in category_labels)
        standings = [fileformat.zh(label) for _v, label in Member.Standing.choices]
        yes = fileformat.zh(fileformat.YES)
        table = []
        for index in range(rows):
            branch = branch_list[index % len(branch_list)]
            has_groups = (index % len(branch_list)) % 3 == 0  # as build_org made them
            table.append(
                [
                    fake.name(),
                    f"B{index:07d}",
                    category_labels[index % len(category_labels)],
                    standings[0] if index % 12 else standings[1],
                    f"{1960 + index % 60}-{1 + index % 12:02d}-{1 + index % 28:02d}",
                    branch.name,
                    f"group {1 + index % 2}" if has_groups else "",
                    f"138{index:08d}",
                    f"m{index}@example.edu.cn" if index % 3 else "",
                    yes,
                ]
            )
        return table

    def workbook(self, table: list[list[Any]]) -> bytes:
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet(fileformat.zh(fileformat.ROSTER_SHEET))
        sheet.append([fileformat.zh(header) for header in fileformat.HEADERS])
        for row in table:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def run(self, actor: User, unit: Unit, content: bytes, label: str) -> ImportJob:
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
            handle.write(content)
        try:
            with open(handle.name, "rb") as source:
                upload = File(source, name="bench.xlsx")
                job = jobs.import_job_create(user=actor, unit=unit, upload=upload)  # type: ignore[arg-type]
        finally:
            os.unlink(handle.name)
        started = time.perf_counter()
        job = jobs.import_job_run(job_id=job.pk)
        elapsed = time.perf_counter() - started
        seconds = job.summary.get("seconds", {})
        counts = ", ".join(
            f"{key} {job.summary.get(key, 0)}"
            for key in ("created", "updated", "moved", "unchanged")
        )
        self.stdout.write(
            f"{label}: {job.status} in {elapsed:.1f} s "
            f"(check {seconds.get('validate', 0):.1f} s, write {seconds.get('write', 0):.1f} s; "
            f"{job.total_rows / elapsed:,.0f} rows/s) — {counts}"
        )
        if job.status != ImportJob.Status.DONE:
            for error in job.errors[:10]:
                self.stdout.write(f"  {reading.error_text(error)}")
        return job
