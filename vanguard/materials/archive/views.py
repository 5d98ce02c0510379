"""Pages of the archive (归档): the committee's campaigns and the rule of what goes into
personal files, the job's progress (htmx polling), the download. Thin: who may do what
is asked of `materials.access`, the work is in `jobs` and `build`."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from vanguard.accounts.models import User
from vanguard.lib.downloads import file_disposition
from vanguard.materials import access
from vanguard.materials.archive import jobs, rules


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


@login_required
@require_GET
def archive_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_archive_job_for_user(request.user, pk)
    return render(request, "materials/archive/job.html", {"job": job})


@login_required
@require_GET
def archive_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled by htmx until the job is finished."""
    job = access.get_archive_job_for_user(request.user, pk)
    return render(request, "materials/archive/_progress.html", {"job": job})


@login_required
@require_GET
def archive_download(request: HttpRequest, pk: int) -> FileResponse:
    job = access.get_archive_file_for_user(request.user, pk)
    response = FileResponse(job.file.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = file_disposition(job.file_name, "archive.zip")
    response["Cache-Control"] = "private, no-store"
    return response
