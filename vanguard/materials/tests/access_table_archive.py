"""Who may archive a campaign (see tests/access.py). The campaign is the committee's;
only a committee admin over it builds its archive for the records office — everyone
else who sees the campaign gets a 403. A job and its zip are its asker's alone: a 404
for anyone else, whatever their role."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.materials.archive import jobs
from vanguard.materials.archive.models import ArchiveJob
from vanguard.meetings.tests.factories import education_campaign

COMMITTEE_ONLY = {"anonymous": LOGIN, "committee_admin": 200}


def _job(f) -> ArchiveJob:
    """The committee admin's archive of the campaign, built inline (no worker)."""
    found = ArchiveJob.objects.filter(created_by=f.cast.committee_admin).first()
    if found is None:
        campaign = education_campaign(f.org.committee)
        found = jobs.archive_job_submit(user=f.cast.committee_admin, campaign=campaign)
    return found


ROWS = [
    AccessRow(
        "materials/archive/",
        lambda f: (education_campaign(f.org.committee), reverse("materials:archive"))[1],
        COMMITTEE_ONLY,
        default=403,
    ),
    AccessRow(
        "materials/archive/c/<int:campaign_pk>/",
        lambda f: reverse(
            "materials:archive_submit", args=[education_campaign(f.org.committee).pk]
        ),
        {"anonymous": LOGIN, "committee_admin": 302},
        default=403,
        method="post",
    ),
    AccessRow(
        "materials/archive/jobs/<int:pk>/",
        lambda f: reverse("materials:archive_job", args=[_job(f).pk]),
        COMMITTEE_ONLY,
        default=404,
    ),
    AccessRow(
        "materials/archive/jobs/<int:pk>/progress/",
        lambda f: reverse("materials:archive_progress", args=[_job(f).pk]),
        COMMITTEE_ONLY,
        default=404,
    ),
    AccessRow(
        "materials/archive/jobs/<int:pk>/download/",
        lambda f: reverse("materials:archive_download", args=[_job(f).pk]),
        COMMITTEE_ONLY,
        default=404,
    ),
]
