"""The pages every materials job has — the job's page, its progress partial (polled by
htmx until the job is finished) and its file's download — for the bundles, the workbook
and the archive alike. Each kind describes what differs in a `JobPages` and makes its
three views with `job_views`, handing it that kind's functions of `materials.access`
(who may see a job is decided there, never here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.functional import Promise
from django.views.decorators.http import require_GET

from vanguard.campaigns.models import Campaign
from vanguard.lib.downloads import file_disposition
from vanguard.lib.forms import query_int
from vanguard.materials.jobs import KEEP_DAYS, MaterialJob

PROGRESS_TEMPLATE = "materials/_job_progress.html"

View = Callable[[HttpRequest, int], HttpResponseBase]


@dataclass(frozen=True)
class JobPages:
    # The element's id and class on the page ("bundle" → bundle-job-progress).
    name: str
    # The job's page, which includes the progress partial.
    job_template: str
    # URL name of the progress partial, taking the job's key.
    progress_url: str
    # What a finished job shows: its summary and download link.
    done_template: str
    # Shown when the job failed without an error of its own.
    failed_text: str | Promise
    # Where to make the job again.
    again_url: Callable[[Any], str]
    content_type: str
    # The download's name when the job's own does not fit ({pk}: the job's key).
    fallback_name: str
    # What a running job shows beside its state ("": its step label, if any).
    running_template: str = ""


class UnitJobForm(forms.Form):
    """A job's form choosing its unit: the subclass declares the `unit` field, the view
    gives the person's choices."""

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]


def chosen_campaign(
    request: HttpRequest,
    campaigns: list[Campaign],
    get_campaign: Callable[[Any, object], Campaign],
) -> Campaign:
    """The campaign the form or the address names (through the kind's access function
    `get_campaign`), else the person's first."""
    wanted = query_int(request.POST.get("campaign") or request.GET.get("campaign"))
    if wanted is None:
        return campaigns[0]
    return get_campaign(request.user, wanted)


def job_context(pages: JobPages, job: MaterialJob) -> dict[str, Any]:
    return {
        "job": job,
        "job_pages": pages,
        "summary": getattr(job, "summary", None) or {},
        "again_url": pages.again_url(job),
        "keep_days": KEEP_DAYS,
    }


def job_views(
    pages: JobPages,
    *,
    get_job: Callable[[Any, object], MaterialJob],
    get_file_job: Callable[[Any, object], MaterialJob],
) -> tuple[View, View, View]:
    """A kind's three views — the job's page, its progress partial, its download —
    each fetching the job through that kind's access functions (`get_job`: the asker's
    own job, `get_file_job`: the same, built, its file kept)."""

    @login_required
    @require_GET
    def page(request: HttpRequest, pk: int) -> HttpResponse:
        job = get_job(request.user, pk)
        return render(request, pages.job_template, job_context(pages, job))

    @login_required
    @require_GET
    def progress(request: HttpRequest, pk: int) -> HttpResponse:
        """The progress partial alone, polled by htmx until the job is finished."""
        job = get_job(request.user, pk)
        return render(request, PROGRESS_TEMPLATE, job_context(pages, job))

    @login_required
    @require_GET
    def download(request: HttpRequest, pk: int) -> FileResponse:
        """The job's file, never cached: it holds members' forms or the college's
        figures."""
        job = get_file_job(request.user, pk)
        response = FileResponse(job.file.open("rb"), content_type=pages.content_type)
        response["Content-Disposition"] = file_disposition(
            job.file_name, pages.fallback_name.format(pk=job.pk)
        )
        response["Cache-Control"] = "private, no-store"
        return response

    return page, progress, download
