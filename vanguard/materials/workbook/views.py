"""Pages of the college statistics workbook: choose the campaign and the scope, follow
the job's progress (htmx polling), download the file. Thin: who may do what is asked of
`materials.access`, the work is in `jobs`."""

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
from vanguard.materials.workbook import jobs
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.organization.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WorkbookForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("统计范围"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("统计表按所选组织之下的各支部分别统计。"),
    )

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = choices  # type: ignore[attr-defined]


def _unit_choices(roots: list[Unit]) -> list[tuple[Any, str]]:
    """The whole scope first (when it is several units), then each root and the
    general branches below it, indented as a tree."""
    choices: list[tuple[Any, str]] = []
    if len(roots) > 1:
        choices.append(("", jobs.scope_name(roots)))
    for root in roots:
        choices.append((root.pk, root.name))
        below = Unit.objects.filter(
            path__startswith=root.path, kind=Unit.Kind.GENERAL_BRANCH, is_active=True
        ).exclude(pk=root.pk)
        for unit in below.order_by("path"):
            choices.append((unit.pk, "\u3000" * max(unit.depth - root.depth, 0) + unit.name))
    return choices


def _chosen_campaign(request: HttpRequest, campaigns: list[Campaign]) -> Campaign:
    wanted = query_int(request.POST.get("campaign") or request.GET.get("campaign"))
    if wanted is None:
        return campaigns[0]
    return access.get_workbook_campaign_for_user(request.user, wanted)


@login_required
@require_http_methods(["GET", "POST"])
def workbook_home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    campaigns = access.get_workbook_campaigns_for_user(user)
    campaign = _chosen_campaign(request, campaigns)
    roots = access.workbook_roots(user, campaign)
    choices = _unit_choices(roots)
    if request.method == "POST":
        form = WorkbookForm(request.POST, choices=choices)
        if form.is_valid():
            pk = form.cleaned_data["unit"]
            unit = access.get_workbook_unit_for_user(user, campaign, pk) if pk else None
            if unit is None and len(roots) == 1:
                unit = roots[0]
            job = jobs.workbook_job_submit(user=user, campaign=campaign, unit=unit)
            return redirect("materials:workbook_job", job.pk)
    else:
        initial = query_int(request.GET.get("unit"))
        allowed = {pk for pk, _name in choices}
        form = WorkbookForm(
            choices=choices, initial={"unit": initial if initial in allowed else choices[0][0]}
        )
    return render(
        request,
        "materials/workbook/home.html",
        {
            "form": form,
            "campaign": campaign,
            "campaigns": campaigns,
            "jobs": jobs.recent_jobs(user),
        },
    )


def _job_context(job: WorkbookJob) -> dict[str, Any]:
    return {"job": job}


@login_required
@require_GET
def workbook_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_workbook_job_for_user(request.user, pk)
    return render(request, "materials/workbook/job.html", _job_context(job))


@login_required
@require_GET
def workbook_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled by htmx until the job is finished."""
    job = access.get_workbook_job_for_user(request.user, pk)
    return render(request, "materials/workbook/_progress.html", _job_context(job))


@login_required
@require_GET
def workbook_download(request: HttpRequest, pk: int) -> FileResponse:
    job = access.get_workbook_file_job_for_user(request.user, pk)
    response = FileResponse(job.file.open("rb"), content_type=XLSX)
    response["Content-Disposition"] = file_disposition(job.file_name, "workbook.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response
