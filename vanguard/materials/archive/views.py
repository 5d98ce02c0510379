"""Pages of the archive (归档): the committee's campaigns and the rule of what goes into
personal files, the job's progress (htmx polling), the download. Thin: who may do what
is asked of `materials.access`, the work is in `jobs` and `build`."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from vanguard.accounts.models import User
from vanguard.materials import access
from vanguard.materials.archive import jobs, rules
from vanguard.materials.job_views import JobPages, job_views

PAGES = JobPages(
    name="archive",
    job_template="materials/archive/job.html",
    progress_url="materials:archive_progress",
    done_template="materials/archive/_done.html",
    failed_text=gettext_lazy("归档包没有生成。"),
    again_url=lambda _job: reverse("materials:archive"),
    content_type="application/zip",
    fallback_name="archive.zip",
)


@login_required
@require_GET
def archive_home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    campaigns = access.get_archive_campaigns_for_user(user)
    return render(
        request,
        "materials/archive/home.html",
        {
            "campaigns": campaigns,
            "jobs": jobs.recent_jobs(user),
            "rule": rules.personal_file_rule(),
            "never": rules.never_archived(),
        },
    )


@login_required
@require_POST
def archive_submit(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = cast(User, request.user)
    campaign = access.get_archive_campaign_for_user(user, campaign_pk)
    job = jobs.archive_job_submit(user=user, campaign=campaign)
    return redirect("materials:archive_job", job.pk)


archive_job, archive_progress, archive_download = job_views(
    PAGES,
    get_job=access.get_archive_job_for_user,
    get_file_job=access.get_archive_file_for_user,
)
