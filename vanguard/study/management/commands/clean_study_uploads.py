"""Replace study-work files stored as uploaded (before uploads were cleaned) by their
clean copies: photos re-encoded without EXIF/GPS, PDFs without Info and XMP, Word files
without authors (`study.services_uploads`).

    manage.py clean_study_uploads            # clean them
    manage.py clean_study_uploads --dry-run  # only say what would be cleaned
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from vanguard.study import services_uploads


class Command(BaseCommand):
    help = "Replace study-work files stored as uploaded by clean copies (no EXIF, no authors)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="change nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        report = services_uploads.work_attachments_clean(dry_run=dry_run)
        verb = "Would clean" if dry_run else "Cleaned"
        self.stdout.write(f"{verb} {len(report.cleaned)} stored file(s).")
        for pk, reason in report.refused:
            self.stdout.write(
                f"Left study work {pk} as it is (served only as a download): {reason}"
            )
        for pk in report.missing:
            self.stdout.write(f"Study work {pk}: its file is missing from storage.")
