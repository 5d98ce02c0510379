"""Branch activities as measures (整改活动): the list, an activity's page (its public
total, the reader's own gift, the ideas with the authors a page may name), recording
and changing an activity, donation lines for their keeper, ideas from the branch's
members and the officers' decisions on them. Every object comes through
`rectification.access`; the writes are `services`'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib.forms import query_int, show_service_errors
from vanguard.organization.access import member_of
from vanguard.rectification import access
from vanguard.rectification.activities import selectors, services
from vanguard.rectification.activities.forms import (
    ActivityForm,
    BranchChoiceForm,
    DecideForm,
    DonationForm,
    IdeaForm,
    ToItemForm,
    login_label,
)
from vanguard.rectification.models import Activity, Idea
from vanguard.rectification.selectors import donation_total

TEMPLATES = "rectification/activities/"


@login_required
@require_GET
def activity_list(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_rectification_campaign_for_user(user, campaign_pk)
    branches = selectors.activity_list_branches(user, campaign)
    branch_id = query_int(request.GET.get("branch"))
    branch = branches.filter(pk=branch_id).first() if branch_id else None
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "campaign": campaign,
            "activities": selectors.campaign_activities(user, campaign, branch=branch),
            "branches": branches,
            "branch": branch,
            "can_create": access.can_create_activity_in_campaign(user, campaign),
        },
    )


def _activity_data(form: ActivityForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "title": data["title"],
        "description": data["description"],
        "held_on": data["held_on"],
        "participants": list(data["participants"]),
        "participants_note": data["participants_note"],
        "outcomes": data["outcomes"],
        "treasurer": data["treasurer"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_rectification_campaign_for_user(
        user, campaign_pk, need=access.can_create_activity_in_campaign
    )
    branches = access.activity_branches(user).filter(path__startswith=campaign.unit.path)
    branch_id = query_int(request.GET.get("branch"))
    branch = branches.filter(pk=branch_id).first() if branch_id else None
    if branch is None and branches.count() == 1:
        branch = branches.first()
    if branch is None:
        choose = BranchChoiceForm(branches=branches)
        return render(request, TEMPLATES + "new.html", {"campaign": campaign, "choose": choose})
    kind = request.GET.get("kind", "")
    form = ActivityForm(
        request.POST or None,
        initial={
            "kind": kind if kind in Activity.Kind.values else Activity.Kind.DONATION,
            "held_on": timezone.localdate(),
        },
        members=selectors.branch_members(branch),
        treasurers=selectors.treasurer_choices(branch),
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                campaign=campaign, branch=branch, actor=user, **_activity_data(form)
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("活动已记录。"))
            return redirect("rectification:activity_detail", activity.pk)
    return render(
        request, TEMPLATES + "new.html", {"campaign": campaign, "branch": branch, "form": form}
    )


def _detail_context(
    request: HttpRequest,
    activity: Activity,
    *,
    donation_form: DonationForm | None = None,
    idea_form: IdeaForm | None = None,
    bound: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the activity's page shows this reader. `bound` holds an idea's decision or
    item form sent back with errors: {"idea": pk, "decide": form} or {"idea", "item"}."""
    user = request.user
    manage = access.can_manage_activity(user, activity)
    keeper = access.can_record_donation(user, activity)
    members = selectors.branch_members(activity.branch)
    rows = selectors.activity_ideas(user, activity)
    bound = bound or {}
    ideas = []
    for row in rows:
        idea = row.idea
        mine = bound.get("idea") == idea.pk
        decide = item = None
        if manage:
            decide = bound.get("decide") if mine and "decide" in bound else None
            decide = decide or DecideForm(
                prefix=f"d{idea.pk.hex[:8]}",
                initial={"decision": idea.decision, "note": idea.decision_note},
            )
            # A refused form is shown back with its reasons, whatever the idea's state.
            item = bound.get("item") if mine and "item" in bound else None
            if item is None and idea.decision == Idea.Decision.ADOPTED and not idea.became_id:
                item = ToItemForm(
                    prefix=f"i{idea.pk.hex[:8]}", members=members, initial={"measure": idea.text}
                )
        ideas.append({"idea": idea, "author": row.author, "decide": decide, "item": item})
    return {
        "activity": activity,
        "campaign": activity.campaign,
        "total": donation_total(activity),
        "donor_count": activity.donations.count(),
        "own_line": selectors.own_line(user, activity),
        "keeper": keeper,
        "keeper_name": login_label(activity.treasurer) if activity.treasurer else "",
        "lines": selectors.kept_lines(user, activity) if keeper else None,
        "donation_form": (donation_form or DonationForm(members=members)) if keeper else None,
        "participants": activity.participants.order_by("number", "pk"),
        "ideas": ideas,
        "counts": selectors.decision_counts(rows),
        "idea_form": (idea_form or IdeaForm()) if access.can_submit_idea(user, activity) else None,
        "can_manage": manage,
        "reads_campaign": access.rectification_campaigns(user)
        .filter(pk=activity.campaign_id)
        .exists(),
    }


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_activity_for_user(request.user, pk)
    return render(request, TEMPLATES + "detail.html", _detail_context(request, activity))


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = access.get_activity_for_user(user, pk, need=access.can_manage_activity)
    initial = {
        "kind": activity.kind,
        "title": activity.title,
        "held_on": activity.held_on,
        "description": activity.description,
        "participants": [str(pk) for pk in activity.participants.values_list("pk", flat=True)],
        "participants_note": activity.participants_note,
        "outcomes": activity.outcomes,
        "treasurer": activity.treasurer_id,
    }
    form = ActivityForm(
        request.POST or None,
        initial=initial,
        members=selectors.branch_members(activity.branch),
        treasurers=selectors.treasurer_choices(activity.branch),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, actor=user, **_activity_data(form))
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("rectification:activity_detail", activity.pk)
    return render(
        request,
        TEMPLATES + "edit.html",
        {"activity": activity, "campaign": activity.campaign, "form": form},
    )


@login_required
@require_POST
def donation_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = access.get_activity_for_user(request.user, pk, need=access.can_record_donation)
    form = DonationForm(request.POST, members=selectors.branch_members(activity.branch))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.donation_record(
                activity=activity,
                member=data["member"],
                amount=data["amount"],
                given_on=data["given_on"],
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已登记%(name)s的捐助。") % {"name": data["member"].name})
            return redirect("rectification:activity_detail", activity.pk)
    context = _detail_context(request, activity, donation_form=form)
    return render(request, TEMPLATES + "detail.html", context)


@login_required
@require_POST
def donation_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    line = access.get_kept_donation_for_user(request.user, pk)
    activity = line.activity
    services.donation_remove(donation=line, actor=request.user)
    messages.success(request, _("已删除%(name)s的捐助记录。") % {"name": line.member.name})
    return redirect("rectification:activity_detail", activity.pk)


@login_required
@require_POST
def idea_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = access.get_activity_for_user(request.user, pk, need=access.can_submit_idea)
    author = member_of(request.user)
    form = IdeaForm(request.POST)
    if form.is_valid() and author is not None:
        try:
            services.idea_submit(
                activity=activity,
                author=author,
                text=form.cleaned_data["text"],
                anonymous=form.cleaned_data["anonymous"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("谢谢！您的金点子已匿名提交。")
                if form.cleaned_data["anonymous"]
                else _("谢谢！您的金点子已提交。"),
            )
            return redirect("rectification:activity_detail", activity.pk)
    context = _detail_context(request, activity, idea_form=form)
    return render(request, TEMPLATES + "detail.html", context)


@login_required
@require_POST
def idea_decide(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    idea = access.get_idea_for_user(request.user, pk, need=access.can_decide_idea)
    form = DecideForm(request.POST, prefix=f"d{idea.pk.hex[:8]}")
    if form.is_valid():
        try:
            services.idea_decide(
                idea=idea,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("研究结果已记录。"))
            return redirect("rectification:activity_detail", idea.activity_id)
    context = _detail_context(request, idea.activity, bound={"idea": idea.pk, "decide": form})
    return render(request, TEMPLATES + "detail.html", context)


@login_required
@require_POST
def idea_to_item(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    idea = access.get_idea_for_user(request.user, pk, need=access.can_decide_idea)
    members = selectors.branch_members(idea.activity.branch)
    form = ToItemForm(request.POST, prefix=f"i{idea.pk.hex[:8]}", members=members)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.idea_to_item(
                idea=idea,
                measure=data["measure"],
                standard=data["standard"],
                deadline=data["deadline"],
                responsible=data.get("responsible"),
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已转为支部整改计划的一项整改事项。"))
            return redirect("rectification:activity_detail", idea.activity_id)
    context = _detail_context(request, idea.activity, bound={"idea": idea.pk, "item": form})
    return render(request, TEMPLATES + "detail.html", context)
