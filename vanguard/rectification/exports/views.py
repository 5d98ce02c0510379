"""A member's plan as a file: PDF (shown in the browser, to print and sign) and Excel
(saved). Whoever reads the member's plan may download it (`access.get_member_plan_for_user`):
the member themself, their branch's officers and the readers of the scope."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from vanguard.lib.downloads import file_disposition
from vanguard.rectification import access
from vanguard.rectification.exports import document, selectors

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _file(
    content: bytes, content_type: str, export: selectors.PlanExport, extension: str, *, inline: bool
) -> HttpResponse:
    """The file named like 党员整改计划及落实情况-王小明.pdf, or rectification-plan-T0002.pdf
    for clients that cannot read the Chinese name."""
    response = HttpResponse(content, content_type=content_type)
    name = f"{document.title()}-{export.name}.{extension}".replace("/", "-")
    fallback = "rectification-plan-" + (re.sub(r"[^A-Za-z0-9_-]", "", export.number) or "x")
    response["Content-Disposition"] = file_disposition(
        name, f"{fallback}.{extension}", inline=inline
    )
    # The plan answers what others said about the member: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.plan_export(access.get_member_plan_for_user(request.user, pk))
    return _file(document.plan_pdf(export), PDF, export, "pdf", inline=True)


@login_required
@require_GET
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.plan_export(access.get_member_plan_for_user(request.user, pk))
    return _file(document.plan_xlsx(export), XLSX, export, "xlsx", inline=False)
