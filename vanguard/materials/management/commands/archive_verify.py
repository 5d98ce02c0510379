"""manage.py archive_verify <zip>: check an archive against its MANIFEST.csv — every
file present, with its size and SHA-256, nothing unlisted. Exits 1 when it does not
match, naming each file at fault."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from vanguard.materials.archive.build import archive_verify


class Command(BaseCommand):
    help = "Verify a campaign archive's files against its MANIFEST.csv checksums."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="the archive (.zip)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = archive_verify(options["archive"])
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        for problem in result.problems:
            self.stderr.write(problem)
        if not result.ok:
            raise CommandError(f"{len(result.problems)} problem(s); {result.checked} files read.")
        self.stdout.write(f"OK: {result.checked} files match MANIFEST.csv.")
