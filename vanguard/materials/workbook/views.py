"""Pages of the college statistics workbook: choose the campaign and the scope, follow
the job's progress (htmx polling), download the file. Thin: who may do what is asked of
`materials.access`, the work is in `jobs`."""

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
from vanguard.materials.job_views import JobPages, UnitJobForm, chosen_campaign, job_views
from vanguard.materials.workbook import jobs
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.organization.models import Unit


def _again(job: WorkbookJob) -> str:
    return f"{reverse('materials:workbook')}?{urlencode({'campaign': job.campaign_id})}"


PAGES = JobPages(
    name="workbook",
    job_template="materials/workbook/job.html",
    progress_url="materials:workbook_job_progress",
    done_template="materials/workbook/_done.html",
    failed_text=gettext_lazy("统计表没有生成。"),
    again_url=_again,
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    fallback_name="workbook.xlsx",
)


class WorkbookForm(UnitJobForm):
    unit = forms.TypedChoiceField(
        label=gettext_lazy("统计范围"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("统计表按所选组织之下的各支部分别统计。"),
    )


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


@login_required
@require_http_methods(["GET", "POST"])
def workbook_home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    campaigns = access.get_workbook_campaigns_for_user(user)
    campaign = chosen_campaign(request, campaigns, access.get_workbook_campaign_for_user)
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


workbook_job, workbook_job_progress, workbook_download = job_views(
    PAGES,
    get_job=access.get_workbook_job_for_user,
    get_file_job=access.get_workbook_file_job_for_user,
)
