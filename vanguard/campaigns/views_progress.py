"""Progress dashboards (活动进展): the college, a general branch, a branch with each of
its members, and a member's own list of what is still to do.

Who sees what is decided in `campaigns.access` (`progress_roots`,
`can_view_progress` and the fetches); a member without an officer's role sees only
themself.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanguard.accounts.access import Person
from vanguard.campaigns import access, kept_pages, requirements
from vanguard.campaigns import progress as engine
from vanguard.campaigns.models import Campaign, Phase
from vanguard.lib.forms import query_int
from vanguard.organization import access as organization_access
from vanguard.organization.models import Member, Unit

LAGGING_SHOWN = 10
# More branches than this under a page (a university's): the bar chart, the lagging
# branches beyond the first ten and the blind spots are shown for the units below, each
# linking to its own page, instead of branch by branch — a page of 1,500 branch links
# is read by nobody and cost most of the page's time.
BRANCHES_LISTED = 80


def _campaign_for(request: HttpRequest) -> Campaign | None:
    """The campaign asked for (?campaign=), else the person's nearest active one."""
    user = request.user
    wanted = request.GET.get("campaign", "")
    if wanted.isdigit():
        return access.get_campaign_for_user(user, wanted)
    return (
        access.visible_campaigns(user)
        .filter(status=Campaign.Status.ACTIVE)
        .order_by("-unit__depth", "-year", "-pk")
        .first()
    )


def _roots_in(campaign: Campaign, user: Person) -> list[Unit]:
    """The person's progress roots that fall in the campaign (a scope above the
    campaign's unit becomes the campaign's unit), each subtree once."""
    found: list[Unit] = []
    for unit in access.progress_roots(user):
        if unit.path.startswith(campaign.unit.path):
            found.append(unit)
        elif campaign.unit.path.startswith(unit.path):
            found.append(campaign.unit)
    kept: list[Unit] = []
    for unit in sorted(found, key=lambda u: len(u.path)):
        if not any(unit.path.startswith(other.path) for other in kept):
            kept.append(unit)
    return kept


def _chart_by_branch(root: engine.UnitProgress | None, rows: list[engine.UnitProgress]) -> dict:
    branches = [unit for unit in rows if unit.is_branch]
    if root is not None:
        branches = [unit for unit in _branches_under(root)]
        if len(branches) > BRANCHES_LISTED:
            branches = root.children
    branches = sorted(branches, key=lambda unit: (unit.share, unit.path))
    return {
        "type": "bar",
        "label": _("完成率（%）"),
        "labels": [unit.name for unit in branches],
        "values": [unit.percent for unit in branches],
    }


def _branches_under(unit: engine.UnitProgress) -> list[engine.UnitProgress]:
    if unit.is_branch:
        return [unit]
    return [branch for child in unit.children for branch in _branches_under(child)]


def _chart_by_week(progress: engine.Progress) -> dict:
    weeks = sorted({row["week"] for row in progress.weekly})
    series = []
    named = [named for reading in requirements.WEEKLY_READINGS for named in reading.kinds()]
    for kind, label in named:
        counts = {row["week"]: row["count"] for row in progress.weekly if row["kind"] == kind}
        if counts:
            series.append({"label": str(label), "values": [counts.get(w, 0) for w in weeks]})
    return {
        "type": "line",
        "labels": [_("%(month)d月%(day)d日") % {"month": w.month, "day": w.day} for w in weeks],
        "series": series,
    }


def _chosen_phase(request: HttpRequest, campaign: Campaign) -> Phase | None:
    """`?phase=<id>`: judge every branch against that phase's requirements (to see who
    is ready for the next phase, or how the last one ended); otherwise each its own."""
    pk = query_int(request.GET.get("phase"))
    return campaign.phases.filter(pk=pk).first() if pk is not None else None


def _render_units(request: HttpRequest, *, campaign: Campaign, roots: list[Unit]) -> HttpResponse:
    """The progress page of `roots`. Its body is the same for everyone who may open it
    (who may follow the breadcrumbs' links is decided per request), so it is kept
    rendered under the records' version like the engine's runs (`progress.kept`): a
    dashboard opened again, by anyone, before a counted write costs no computing."""
    phase = _chosen_phase(request, campaign)
    parts = ("page", campaign.pk, tuple(root.pk for root in roots), phase.pk if phase else None)
    page = engine.kept(parts, lambda: _units_page(campaign=campaign, roots=roots, phase=phase))
    kept_pages.valid_until(page["until"])
    ancestors = [
        (ancestor, access.can_view_progress(request.user, ancestor))
        for ancestor in page["ancestors"]
    ]
    context = {"campaign": campaign, "page": page, "ancestors": ancestors}
    return render(request, "campaigns/progress_unit.html", context)


def _units_page(
    *, campaign: Campaign, roots: list[Unit], phase: Phase | None
) -> tuple[dict, datetime.datetime]:
    # Only a branch's own page lists its members; above it they are counted.
    one_branch = len(roots) == 1 and roots[0].kind == Unit.Kind.BRANCH
    progress = engine.campaign_progress(
        campaign=campaign,
        roots=roots,
        phase=phase,
        weekly=True,
        members=one_branch,
        kept_run=False,
    )
    root = progress.units.get(roots[0].pk) if len(roots) == 1 else None
    rows = root.children if root is not None else [progress.units[u.pk] for u in roots]
    lagging = progress.lagging
    member_results = [r for r in (root.results if root else []) if r.is_member_scope]
    by_unit = sum(unit.branch_count for unit in rows) > BRANCHES_LISTED
    context = {
        "campaign": campaign,
        "progress": progress,
        "root": root,
        "rows": rows,
        "lagging": lagging[:LAGGING_SHOWN],
        "lagging_more": [] if by_unit else lagging[LAGGING_SHOWN:],
        # Above BRANCHES_LISTED branches: the units below with their counts instead.
        "by_unit": _by_unit(rows) if by_unit else None,
        "member_results": member_results,
        "chart_branches": _chart_by_branch(root, rows) if not (root and root.is_branch) else None,
        "chart_weeks": _chart_by_week(progress) if progress.weekly else None,
        "unit_url": _unit_url_prefix(campaign),
    }
    page: dict[str, Any] = {
        # The heading's words (progress_unit_body.html): the template adds "· 活动进展".
        "title": root.name if root else _("我负责的组织"),
        "ancestors": [
            SimpleNamespace(id=unit.id, name=unit.name, path=unit.path)
            for unit in progress.ancestors
        ],
        "html": render_to_string("campaigns/progress_unit_body.html", context),
        "until": progress.until,
    }
    assert progress.until is not None  # set by every run
    return page, progress.until


def _by_unit(rows: list[engine.UnitProgress]) -> dict[str, Any]:
    """The page's units below with their lagging branches (not met: the same branches
    as `Progress.lagging`) and blind spots, those that have any: what each unit's own
    page lists branch by branch."""
    lagging = [(unit, unit.branch_count - unit.branches_met) for unit in rows]
    return {
        "lagging": [(unit, count) for unit, count in lagging if count],
        "lagging_total": sum(count for _unit, count in lagging),
        "blind_spots": [
            unit
            for unit in rows
            if unit.without_plan or unit.without_meeting or unit.silent_members
        ],
    }


def _unit_url_prefix(campaign: Campaign) -> str:
    """The address of a unit's progress page in the campaign, up to the unit's id (the
    template adds "<id>/"): one reverse() for the page instead of one per link — a
    university's page links each of its 1,500 branches up to three times."""
    marker = 999_999_999
    url = reverse("campaigns:progress_unit", args=[campaign.pk, marker])
    return url[: url.rindex(f"{marker}/")]


@login_required
@require_GET
@kept_pages.kept_page
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaign = _campaign_for(request)
    if campaign is None:
        return render(request, "campaigns/dashboard.html", {"campaign": None})
    roots = _roots_in(campaign, user)
    if roots:
        return _render_units(request, campaign=campaign, roots=roots)
    member = organization_access.member_of(user)
    if member is not None and member.branch.path.startswith(campaign.unit.path):
        return _render_me(request, campaign=campaign, member=member)
    return render(request, "campaigns/dashboard.html", {"campaign": campaign, "nothing": True})


@login_required
@require_GET
@kept_pages.kept_page
def unit_progress(request: HttpRequest, campaign_id: int, unit_id: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, campaign_id)
    unit = access.get_progress_page_unit_for_user(request.user, campaign, unit_id)
    return _render_units(request, campaign=campaign, roots=[unit])


def _render_me(request: HttpRequest, *, campaign: Campaign, member: Member) -> HttpResponse:
    branch, mine = engine.member_progress(campaign=campaign, member=member)
    return render(
        request,
        "campaigns/progress_me.html",
        {"campaign": campaign, "branch": branch, "mine": mine, "member": member},
    )


@login_required
@require_GET
@kept_pages.kept_page
def my_progress(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.get_campaign_for_user(request.user, campaign_id)
    member = access.get_own_progress_member(request.user, campaign)
    return _render_me(request, campaign=campaign, member=member)
