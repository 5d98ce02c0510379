"""Supervision's landing page, the overview of a campaign's supervision (督查情况) and a
round's inspection report (检查情况通报) as PDF and Word.

The landing page sends a person with one running campaign straight to its overview.
The overview is the committee's dashboard, and a supervisor's (their branches) or a
general branch's secretary's (their general branch): every figure is counted over
the branches the person reads (`access.report_branches`), the watch list only for
those who keep it. The report is for a unit whose findings the person reads whole.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.defaults import page_not_found

from vanguard.campaigns.models import Campaign
from vanguard.lib.downloads import file_disposition
from vanguard.organization.models import Unit
from vanguard.supervision import access
from vanguard.supervision.reports import document, selectors

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def url_or_none(name: str, *args: Any, query: str = "") -> str | None:
    """The URL of a supervision page, or None while the workflow that owns it is not
    there yet (the workflows are built side by side)."""
    try:
        url = reverse(f"supervision:{name}", args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    campaigns = list(
        access.get_supervision_campaigns_for_user(request.user).order_by("-year", "-pk")
    )
    running = [c for c in campaigns if c.status == Campaign.Status.ACTIVE]
    if len(running) == 1:
        return redirect("supervision:overview", campaign_pk=running[0].pk)
    return render(request, "supervision/reports/index.html", {"campaigns": campaigns})


def _chart_burndown(days: list) -> dict[str, Any]:
    return {
        "type": "line",
        "labels": [_("%(month)d月%(day)d日") % {"month": d.month, "day": d.day} for d, _n in days],
        "series": [{"label": str(_("未完成的补课")), "values": [n for _d, n in days]}],
    }


def _report_links(units: list[Unit], rounds: list) -> list[dict[str, Any]]:
    return [
        {
            "round": coverage.round,
            "coverage": coverage,
            "detail": url_or_none("round_detail", coverage.round.pk),
            "units": [
                {
                    "unit": unit,
                    "pdf": url_or_none("round_report", coverage.round.pk, unit.pk, "pdf"),
                    "docx": url_or_none("round_report", coverage.round.pk, unit.pk, "docx"),
                }
                for unit in units
            ],
        }
        for coverage in rounds
    ]


@login_required
@require_GET
def overview(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(user, campaign_pk)
    data = selectors.overview(user, campaign)
    units = selectors.report_units(user, campaign)
    links = {
        name: url_or_none(name, campaign.pk)
        for name in ("rounds", "groups", "samples", "queue", "orders", "guidance", "lagging")
    }
    links["note_figures"] = url_or_none("note_figures", campaign.pk)
    links["watch"] = url_or_none("watch", campaign.pk) if data.watch is not None else None
    return render(
        request,
        "supervision/reports/overview.html",
        {
            "campaign": campaign,
            "data": data,
            "links": links,
            "reports": _report_links(units, data.rounds),
            "burndown_rows": selectors.burndown_changes(data.burndown),
            "chart_burndown": _chart_burndown(data.burndown) if data.burndown else None,
            "can_manage": access.can_manage_supervision(user, campaign),
        },
    )


@login_required
@require_GET
def round_report(request: HttpRequest, pk: int, unit_pk: int, fmt: str) -> HttpResponse:
    round = access.get_round_for_user(request.user, pk)
    unit = access.get_report_unit_for_user(request.user, round, unit_pk)
    if fmt not in ("pdf", "docx"):
        return page_not_found(request, ValueError(fmt))
    report = selectors.round_report(round, unit)
    if fmt == "pdf":
        content, content_type = document.round_report_pdf(report), PDF
    else:
        content, content_type = document.round_report_docx(report), DOCX
    response = HttpResponse(content, content_type=content_type)
    name = f"{document.title(report)}.{fmt}".replace("/", "-")
    fallback = re.sub(r"[^A-Za-z0-9_-]", "", f"round-{round.pk}-unit-{unit.pk}")
    response["Content-Disposition"] = file_disposition(name, f"{fallback}.{fmt}")
    response["Cache-Control"] = "private, no-store"
    return response
