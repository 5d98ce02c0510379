"""The opinion dashboard (征求意见情况): opinions by channel, aspect, kind and branch,
the branches whose opinions are mostly praise (a second round is called for), and
the members who still have no feedback.

Everything is counted in the database (a handful of aggregate queries), over the
opinions the person may read (`access.visible_opinions`) and the units whose
progress they follow (`campaigns_access.progress_units`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanguard.opinions import access, selectors
from vanguard.opinions.models import Opinion
from vanguard.opinions.services_intake import aspects_for, opinion_settings_for

MEMBERS_SHOWN = 200
BRANCH_CHART_LIMIT = 60


def _bar(label: str, rows: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "type": "counts",
        "label": label,
        "labels": [name for name, _n in rows],
        "values": [n for _name, n in rows],
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.reads_opinions(user):
        raise PermissionDenied
    campaign = selectors.active_campaign_for(user, request.GET.get("campaign", ""))
    if campaign is None:
        return render(request, "opinions/dashboard.html", {"campaign": None})
    settings = opinion_settings_for(campaign)
    opinions = selectors.campaign_opinions(user, campaign)
    counts = selectors.status_counts(opinions)
    received = opinions.exclude(status=Opinion.Status.MERGED)
    sorted_ = opinions.filter(status=Opinion.Status.SORTED)

    channel_names = dict(Opinion.Channel.choices)
    by_channel = [
        (str(channel_names.get(row["channel"], row["channel"])), row["n"])
        for row in selectors.counts_by(received, "channel")
    ]
    kind_names = dict(Opinion.Kind.choices)
    by_kind = [
        (str(kind_names.get(row["kind"], row["kind"])), row["n"])
        for row in selectors.counts_by(sorted_, "kind")
    ]
    aspect_counts = {
        row["aspect_id"]: row["n"] for row in selectors.counts_by(sorted_, "aspect_id")
    }
    by_aspect = [(aspect.name, aspect_counts.get(aspect.pk, 0)) for aspect in aspects_for(campaign)]
    if aspect_counts.get(None):
        by_aspect.append((_("不区分方面"), aspect_counts[None]))

    balances = selectors.branch_balances(user, campaign, threshold=settings.criticism_threshold)
    chart_branches = None
    if balances:
        shown = balances[:BRANCH_CHART_LIMIT]
        chart_branches = {
            "type": "stacked",
            "labels": [b.name for b in shown],
            "series": [
                {
                    "label": str(kind_names[Opinion.Kind.PRAISE]),
                    "values": [b.praise for b in shown],
                },
                {
                    "label": str(kind_names[Opinion.Kind.CRITICISM]),
                    "values": [b.criticism for b in shown],
                },
                {
                    "label": str(kind_names[Opinion.Kind.SUGGESTION]),
                    "values": [b.suggestion for b in shown],
                },
            ],
        }
    without = selectors.members_without_feedback(user, campaign)
    without_count = without.count()
    return render(
        request,
        "opinions/dashboard.html",
        {
            "campaign": campaign,
            "settings": settings,
            "counts": counts,
            "by_channel": by_channel,
            "by_kind": by_kind,
            "by_aspect": by_aspect,
            "chart_channel": _bar(_("意见条数"), by_channel) if by_channel else None,
            "chart_kind": _bar(_("意见条数"), by_kind) if by_kind else None,
            "chart_aspect": _bar(_("意见条数"), by_aspect) if by_aspect else None,
            "chart_branches": chart_branches,
            "balances": balances,
            "flagged": [b for b in balances if b.flagged],
            "later_rounds": [b for b in balances if b.current_round > 1],
            "without": list(without[:MEMBERS_SHOWN]),
            "without_count": without_count,
            "without_more": max(0, without_count - MEMBERS_SHOWN),
            "min_opinions": selectors.MIN_OPINIONS_FOR_FLAG,
        },
    )
