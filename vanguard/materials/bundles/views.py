"""Pages of the bundles (材料包): choose the campaign and the branch (or the general
branch, the committee), follow the job's progress (htmx polling), download the zip.
Thin: who may do what is asked of `materials.access`, the work is in `jobs`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.lib.downloads import file_disposition
from vanguard.lib.forms import query_int
from vanguard.materials import access
from vanguard.materials.bundles import jobs
from vanguard.materials.bundles.models import BundleJob
from vanguard.materials.jobs import KEEP_DAYS
from vanguard.organization.models import Unit

ZIP = "application/zip"


class BundleForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("材料包范围"),
        coerce=int,
        help_text=gettext_lazy(
            "选党支部：该支部的三份材料；选党总支或党委：其下每个支部的三份材料，每个支部一个文件夹。"
        ),
    )

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]


def _unit_choices(units: list[Unit]) -> list[tuple[Any, str]]:
    """The units as a tree, indented below the shallowest."""
    top = min((unit.depth for unit in units), default=0)
    return [(unit.pk, "\u3000" * max(unit.depth - top, 0) + unit.name) for unit in units]


def _chosen_campaign(request: HttpRequest, campaigns: list[Campaign]) -> Campaign:
    wanted = query_int(request.POST.get("campaign") or request.GET.get("campaign"))
    if wanted is None:
        return campaigns[0]
    return access.get_bundle_campaign_for_user(request.user, wanted)


@login_required
@require_http_methods(["GET", "POST"])
def bundle_home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    campaigns = access.get_bundle_campaigns_for_user(user)
    campaign = _chosen_campaign(request, campaigns)
    units = list(access.bundle_units(user, campaign))
    choices = _unit_choices(units)
    if request.method == "POST":
        form = BundleForm(request.POST, choices=choices)
        if form.is_valid():
            unit = access.get_bundle_unit_for_user(user, campaign, form.cleaned_data["unit"])
            job = jobs.bundle_job_submit(user=user, campaign=campaign, unit=unit)
            return redirect("materials:bundle_job", job.pk)
    else:
        wanted = query_int(request.GET.get("unit"))
        allowed = {pk for pk, _name in choices}
        form = BundleForm(
            choices=choices, initial={"unit": wanted if wanted in allowed else choices[0][0]}
        )
    return render(
        request,
        "materials/bundles/home.html",
        {
            "form": form,
            "campaign": campaign,
            "campaigns": campaigns,
            "jobs": jobs.recent_jobs(user),
            "keep_days": KEEP_DAYS,
        },
    )


def _job_context(job: BundleJob) -> dict[str, Any]:
    return {"job": job, "summary": job.summary or {}, "keep_days": KEEP_DAYS}


@login_required
@require_GET
def bundle_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_bundle_job_for_user(request.user, pk)
    return render(request, "materials/bundles/job.html", _job_context(job))


@login_required
@require_GET
def bundle_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled by htmx until the job is finished."""
    job = access.get_bundle_job_for_user(request.user, pk)
    return render(request, "materials/bundles/_progress.html", _job_context(job))


@login_required
@require_GET
def bundle_download(request: HttpRequest, pk: int) -> FileResponse:
    job = access.get_bundle_file_job_for_user(request.user, pk)
    response = FileResponse(job.file.open("rb"), content_type=ZIP)
    response["Content-Disposition"] = file_disposition(job.file_name, f"bundle-{job.pk}.zip")
    return response
