"""The ledgers' pages (整改台账), under /rectification/ (namespace "rectification"): the
way in (to the ledger of the person's scope), the roll-up of a campaign over the
person's scope, a branch's ledger, a member's ledger (一人一账), and a branch's
"you said, we did" (你们提的，我们改的). Every object comes through
`rectification.access`; every count through `ledgers.selectors`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from vanguard.campaigns.models import Campaign
from vanguard.organization.access import member_of
from vanguard.organization.models import Unit
from vanguard.rectification import access
from vanguard.rectification.ledgers import selectors


def _campaign_for(request: HttpRequest) -> Campaign | None:
    """The campaign asked for (?campaign=), else the person's nearest active one, else
    the latest they see."""
    user = request.user
    wanted = request.GET.get("campaign", "")
    if wanted:
        return access.get_rectification_campaign_for_user(user, wanted)
    campaigns = access.rectification_campaigns(user).exclude(status=Campaign.Status.DRAFT)
    return (
        campaigns.filter(status=Campaign.Status.ACTIVE)
        .order_by("-unit__depth", "-year", "-pk")
        .first()
        or campaigns.order_by("-year", "-pk").first()
    )


@login_required
@require_GET
def ledger_index(request: HttpRequest) -> HttpResponse:
    """The way in: the roll-up of the person's scope, or their branch's ledger when
    their scope is one branch; for a member without such a role, their branch's
    "you said, we did"."""
    user = request.user
    campaign = _campaign_for(request)
    if campaign is None:
        return render(request, "rectification/ledgers/none.html", {"campaign": None})
    if access.reads_ledgers(user):
        roots = access.ledger_roots(user, campaign)
        if len(roots) == 1 and roots[0].kind == Unit.Kind.BRANCH:
            return redirect("rectification:ledger_branch", campaign.pk, roots[0].pk)
        if roots:
            return redirect("rectification:ledger", campaign.pk)
    member = member_of(user)
    if member is not None and member.branch.path.startswith(campaign.unit.path):
        return redirect("rectification:said_did", campaign.pk, member.branch_id)
    return render(request, "rectification/ledgers/none.html", {"campaign": campaign})


@login_required
@require_GET
def ledger(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The roll-up over the person's scope in the campaign (the college's ledger for the
    committee; a general branch's for its secretary; their branches for a supervisor)."""
    user = request.user
    campaign = access.get_rectification_campaign_for_user(user, campaign_pk)
    roots = access.get_ledger_roots_for_user(user, campaign)
    rollup = selectors.roll_up(user, campaign, roots)
    return render(
        request,
        "rectification/ledgers/rollup.html",
        {"campaign": campaign, "rollup": rollup, "roots": roots},
    )


@login_required
@require_GET
def ledger_branch(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_rectification_campaign_for_user(user, campaign_pk)
    branch = access.get_ledger_branch_for_user(user, campaign, unit_pk)
    show = request.GET.get("show", "")
    sort = request.GET.get("sort", "")
    found = selectors.branch_ledger(user, campaign, branch, show=show, sort=sort)
    roots = access.ledger_roots(user, campaign)
    return render(
        request,
        "rectification/ledgers/branch.html",
        {
            "campaign": campaign,
            "ledger": found,
            "branch": branch,
            "show": show if show in selectors.ROW_FILTERS else "",
            "sort": sort if sort in selectors.ROW_SORTS else "number",
            # A way up to the roll-up, unless this branch is all it would show.
            "reads_rollup": [root.pk for root in roots] not in ([], [branch.pk]),
        },
    )


@login_required
@require_GET
def ledger_member(request: HttpRequest, campaign_pk: int, member_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_rectification_campaign_for_user(user, campaign_pk)
    member = access.get_ledger_member_for_user(user, campaign, member_pk)
    found = selectors.member_ledger(user, campaign, member)
    reads_branch = access.ledger_branches(user, campaign).filter(pk=member.branch_id).exists()
    return render(
        request,
        "rectification/ledgers/member.html",
        {"campaign": campaign, "ledger": found, "reads_branch": reads_branch},
    )


@login_required
@require_GET
def said_did(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_rectification_campaign_for_user(user, campaign_pk)
    branch = access.get_said_did_branch_for_user(user, campaign, unit_pk)
    member = member_of(user)
    reads_branch = access.ledger_branches(user, campaign).filter(pk=branch.pk).exists()
    return render(
        request,
        "rectification/ledgers/said_did.html",
        {
            "campaign": campaign,
            "branch": branch,
            "entries": selectors.said_did(user, campaign, branch),
            "reads_branch": reads_branch,
            "own_plan_url": reverse("rectification:my_plan") + f"?campaign={campaign.pk}"
            if member is not None and member.branch_id == branch.pk
            else "",
        },
    )
