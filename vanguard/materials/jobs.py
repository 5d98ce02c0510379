"""What the materials' background jobs (bundles, the workbook, the archive) share: their
progress written as bookkeeping, and the rule that a generated file is kept KEEP_DAYS
days — each new job of a kind first deletes that kind's older jobs and their files, so
no scheduler is needed (a site that makes none keeps the last ones until the next)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

# A generated file holds members' forms or the college's figures: kept no longer than
# a week's use needs.
KEEP_DAYS = 7


def random_file_name(folder: str, extension: str) -> str:
    """A random name under MEDIA_ROOT (which has no public URL) for a job's file: reached
    only through its job's download page, its name telling nothing of what it holds."""
    return f"materials/{folder}/{secrets.token_urlsafe(24)}.{extension}"


def job_update(job: models.Model, **fields: Any) -> None:
    """Write fields of a job with an UPDATE, not save(): progress is bookkeeping, not an
    audited change."""
    type(job)._default_manager.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def jobs_expire(model: type[models.Model], *, now: datetime.datetime | None = None) -> int:
    """Delete the jobs of `model` finished (or still queued) more than KEEP_DAYS days
    ago, and their files; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    old = model._default_manager.filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    count = 0
    for job in old:
        name = job.file.name  # type: ignore[attr-defined]
        job.delete()
        if name:
            job.file.storage.delete(name)  # type: ignore[attr-defined]
        count += 1
    return count
