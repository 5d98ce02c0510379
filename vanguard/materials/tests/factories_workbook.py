"""Builders for the workbook tests and access rows: the cast's education campaign (the
committee's) and a finished workbook job the committee admin asked for."""

from __future__ import annotations

from typing import Any

from vanguard.campaigns.models import Campaign
from vanguard.materials.workbook import jobs
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.meetings.tests.factories import education_campaign


def campaign(f: Any) -> Campaign:
    return education_campaign(f.org.committee)


def committee_job(f: Any) -> WorkbookJob:
    """The committee admin's workbook of the college, built (inline, no worker)."""
    found = WorkbookJob.objects.filter(created_by=f.cast.committee_admin).first()
    if found is not None:
        return found
    return jobs.workbook_job_submit(
        user=f.cast.committee_admin, campaign=campaign(f), unit=f.org.committee
    )
