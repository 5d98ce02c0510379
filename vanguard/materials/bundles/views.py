"""Pages of the bundles (材料包): choose the campaign and the branch (or the general
branch, the committee), follow the job's progress (htmx polling), download the zip.
Thin: who may do what is asked of `materials.access`, the work is in `jobs`."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from vanguard.accounts.models import User
from vanguard.lib.forms import query_int
from vanguard.materials import access
from vanguard.materials.bundles import jobs
from vanguard.materials.bundles.models import BundleJob
from vanguard.materials.job_views import JobPages, UnitJobForm, chosen_campaign, job_views
from vanguard.materials.jobs import KEEP_DAYS
from vanguard.organization.models import Unit


def _again(job: BundleJob) -> str:
    query = urlencode({"campaign": job.campaign_id, "unit": job.unit_id})
    return f"{reverse('materials:bundles')}?{query}"


PAGES = JobPages(
    name="bundle",
    job_template="materials/bundles/job.html",
    progress_url="materials:bundle_job_progress",
    done_template="materials/bundles/_done.html",
    running_template="materials/bundles/_running.html",
    failed_text=gettext_lazy("材料包没有生成。"),
    again_url=_again,
    content_type="application/zip",
    fallback_name="bundle-{pk}.zip",
)


class BundleForm(UnitJobForm):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("材料包范围"),
        coerce=int,
        help_text=gettext_lazy(
            "选党支部：该支部的三份材料；选党总支或党委：其下每个支部的三份材料，每个支部一个文件夹。"
        ),
    )


def _unit_choices(units: list[Unit]) -> list[tuple[Any, str]]:
    """The units as a tree, indented below the shallowest."""
    top = min((unit.depth for unit in units), default=0)
    return [(unit.pk, "\u3000" * max(unit.depth - top, 0) + unit.name) for unit in units]


@login_required
@require_http_methods(["GET", "POST"])
def bundle_home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    campaigns = access.get_bundle_campaigns_for_user(user)
    campaign = chosen_campaign(request, campaigns, access.get_bundle_campaign_for_user)
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


bundle_job, bundle_job_progress, bundle_download = job_views(
    PAGES,
    get_job=access.get_bundle_job_for_user,
    get_file_job=access.get_bundle_file_job_for_user,
)
