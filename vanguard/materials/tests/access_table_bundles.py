"""Who may have the bundles (材料包, see tests/access.py), in the committee's education
campaign.

A branch's bundle (A1) is for whoever reads its three materials: its secretary and
branch committee, the general branch's secretary (光电系), the committee, the
supervisor (over A1) and the observer (over the committee). The bundle of every branch
under the committee is the committee admin's alone (a general branch's secretary has
theirs: test_bundles); the others are shown the form again with the unit refused. A
party-group leader and members have no bundle (403). A job is its asker's alone: anyone
else — the committee included — is told nothing of it (404)."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.access import LOGIN, AccessRow
from vanguard.materials.bundles.models import BundleJob
from vanguard.meetings.tests.factories import education_campaign

BRANCH_READERS = (
    "committee_admin",
    "supervisor",
    "gb_secretary",
    "secretary",
    "branch_committee",
    "observer",
)
NO_BUNDLE: dict[str, int | str] = {
    "anonymous": LOGIN,
    "group_leader": 403,
    "member": 403,
    "other_member": 403,
}


def campaign(f):
    return education_campaign(f.org.committee)


def secretary_job(f) -> BundleJob:
    """A finished bundle of A1 that the branch secretary asked for."""
    found = BundleJob.objects.filter(created_by=f.cast.secretary).first()
    if found is not None:
        return found
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("光学工程教工第一党支部/README.txt", "三份材料")
    job = BundleJob(
        created_by=f.cast.secretary,
        campaign=campaign(f),
        unit=f.org.branch_a1,
        kind=BundleJob.Kind.BRANCH,
        state=BundleJob.State.DONE,
        done=1,
        total=1,
        file_name="光学工程教工第一党支部-三份材料.zip",
        summary={"branches": 1, "forms": 3, "missing": [], "seconds": {"total": 1.0}},
        finished_at=timezone.now(),
    )
    job.file.save("bundle.zip", ContentFile(buffer.getvalue()), save=False)
    job.save()
    return job


def _job_url(f, tail=""):
    return f"/materials/bundles/jobs/{secretary_job(f).pk}/{tail}"


ROWS = [
    AccessRow(
        "materials/bundles/",
        lambda f: (campaign(f), "/materials/bundles/")[1],
        {**NO_BUNDLE, **dict.fromkeys(BRANCH_READERS, 200)},
    ),
    AccessRow(
        "materials/bundles/",
        lambda f: "/materials/bundles/",
        {**NO_BUNDLE, **dict.fromkeys(BRANCH_READERS, 302)},
        method="post",
        data=lambda f: {"campaign": str(campaign(f).pk), "unit": str(f.org.branch_a1.pk)},
        note="A1's three materials; the job runs inline (no worker)",
    ),
    AccessRow(
        "materials/bundles/",
        lambda f: "/materials/bundles/",
        {**NO_BUNDLE, **dict.fromkeys(BRANCH_READERS, 200), "committee_admin": 302},
        method="post",
        data=lambda f: {"campaign": str(campaign(f).pk), "unit": str(f.org.committee.pk)},
        note="every branch under the committee: the committee's alone (200: the unit refused)",
    ),
    AccessRow(
        "materials/bundles/jobs/<int:pk>/",
        _job_url,
        {"anonymous": LOGIN, "secretary": 200},
        default=404,
    ),
    AccessRow(
        "materials/bundles/jobs/<int:pk>/progress/",
        lambda f: _job_url(f, "progress/"),
        {"anonymous": LOGIN, "secretary": 200},
        default=404,
    ),
    AccessRow(
        "materials/bundles/jobs/<int:pk>/download/",
        lambda f: _job_url(f, "download/"),
        {"anonymous": LOGIN, "secretary": 200},
        default=404,
    ),
]
