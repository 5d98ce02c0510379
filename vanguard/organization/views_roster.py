"""Roster import and export pages. Thin: the work is in `organization.roster`; who may
import or export what is fetched through `organization.access`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts.models import User
from vanguard.organization import access
from vanguard.organization.forms import MarksInvalidFields
from vanguard.organization.models import ImportJob, Unit
from vanguard.organization.roster import export, fileformat, jobs, reading

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ScopeChoiceField(forms.ModelChoiceField):
    """Units indented by depth, so that a committee's long list reads as a tree."""

    def label_from_instance(self, obj: Unit) -> str:
        return "\u3000" * max(obj.depth, 0) + obj.name


class RosterImportForm(MarksInvalidFields, forms.Form):
    unit = ScopeChoiceField(
        label=gettext_lazy("导入到"),
        queryset=Unit.objects.none(),
        empty_label=None,
        help_text=gettext_lazy("名册中的支部须在这个组织之下。"),
    )
    file = forms.FileField(
        label=gettext_lazy("名册文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    # The form offers (and accepts) only the units this person may import into.
    units = access.get_import_units_for_user(request.user)
    if request.method == "POST":
        form = RosterImportForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            try:
                job = jobs.import_job_submit(
                    user=cast(User, request.user),  # login_required
                    unit=form.cleaned_data["unit"],
                    upload=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("organization:roster_job", job.pk)
    else:
        form = RosterImportForm(units=units, initial={"unit": request.GET.get("unit")})
    return render(
        request,
        "organization/roster_import.html",
        {
            "form": form,
            "jobs": jobs.recent_jobs(cast(User, request.user)),
            "max_bytes": settings.ROSTER_MAX_UPLOAD_BYTES,
            "max_rows": fileformat.MAX_ROWS,
        },
    )


@login_required
@require_GET
def roster_template(request: HttpRequest) -> HttpResponse:
    return _xlsx_response(fileformat.template_workbook(), _("党员名册模板.xlsx"))


def _job_context(job: ImportJob) -> dict[str, Any]:
    errors = [
        {**error, "text": reading.error_text(error), "where": reading.cell_label(error)}
        for error in job.errors
    ]
    percent = 0
    if job.total_rows:
        percent = min(100, round(job.processed_rows * 100 / job.total_rows))
    return {"job": job, "errors": errors, "percent": percent, "summary": job.summary or {}}


@login_required
@require_GET
def roster_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = access.get_import_job_for_user(request.user, pk)
    return render(request, "organization/roster_job.html", _job_context(job))


@login_required
@require_GET
def roster_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled by htmx until the job is finished."""
    job = access.get_import_job_for_user(request.user, pk)
    return render(request, "organization/roster_job_progress.html", _job_context(job))


@login_required
@require_GET
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    unit = access.get_unit_for_user(request.user, pk, need=access.can_manage_roster)
    return _xlsx_response(export.roster_export(unit=unit), export.export_filename(unit))
