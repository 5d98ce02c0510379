"""Campaign management pages for committee admins (creating from a template, cloning,
editing phases and requirements) and the phase-gating pages (转段) for supervisors
and the committee. Every object comes through `campaigns.access`, which answers 404
or 403; writes are `campaigns.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns import access, forms, progress, selectors, services
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition, Requirement
from vanguard.lib.forms import show_service_errors
from vanguard.organization.models import Unit


def _managed_campaign(request: HttpRequest, pk: int) -> Campaign:
    return access.get_campaign_for_user(request.user, pk, need=access.can_manage_campaign)


# --- Campaigns ----------------------------------------------------------------


@login_required
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    campaigns = access.get_managed_campaigns_for_user(request.user).annotate(
        phase_count=Count("phases")
    )
    return render(
        request,
        "campaigns/manage_list.html",
        {"campaigns": campaigns.select_related("cloned_from")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request: HttpRequest) -> HttpResponse:
    units = access.get_campaign_units_for_user(request.user)
    form = forms.CampaignCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create_from_blueprint(
                kind=data["kind"],
                name=data["name"],
                year=data["year"],
                unit=data["unit"],
                start_on=data["start_on"],
                description=data["description"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("已创建“%(name)s”，请核对各阶段的日期和要求。") % {"name": campaign.name}
            )
            return redirect("campaigns:manage_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/manage_form.html",
        {"form": form, "title": _("新建活动"), "submit": _("创建")},
    )


@login_required
@require_GET
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    phases = list(
        campaign.phases.order_by("order").prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.order_by("order", "pk"))
        )
    )
    branches = services.branches_in(campaign.unit)
    current = selectors.current_phases(campaign=campaign, branch_ids=[b.pk for b in branches])
    counts = {phase.pk: 0 for phase in phases}
    for phase in current.values():
        counts[phase.pk] += 1
    general_branches = Unit.objects.filter(
        path__startswith=campaign.unit.path, kind=Unit.Kind.GENERAL_BRANCH, is_active=True
    ).order_by("path")
    transitions = (
        PhaseTransition.objects.filter(campaign=campaign)
        .select_related("branch", "from_phase", "to_phase", "approved_by")
        .order_by("-at", "-pk")[:20]
    )
    return render(
        request,
        "campaigns/manage_detail.html",
        {
            "campaign": campaign,
            "phases": [(phase, counts.get(phase.pk, 0)) for phase in phases],
            "branch_count": len(branches),
            "general_branches": general_branches,
            "transitions": transitions,
            "phase_status": Phase.Status,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    initial = {
        "name": campaign.name,
        "year": campaign.year,
        "status": campaign.status,
        "description": campaign.description,
        "ballot_secrecy_minimum": campaign.ballot_secrecy_minimum,
    }
    form = forms.CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已保存活动信息。"))
            return redirect("campaigns:manage_detail", pk=campaign.pk)
        campaign.refresh_from_db()
    return render(
        request,
        "campaigns/manage_form.html",
        {"form": form, "campaign": campaign, "title": _("编辑活动"), "submit": _("保存")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_clone(request: HttpRequest, pk: int) -> HttpResponse:
    source = _managed_campaign(request, pk)
    form = forms.CampaignCloneForm(request.POST or None, source=source)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_clone(
                source=source, name=data["name"], year=data["year"], start_on=data["start_on"]
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已复制为“%(name)s”：阶段和要求已复制，原活动的材料和记录不会复制。")
                % {"name": campaign.name},
            )
            return redirect("campaigns:manage_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/manage_form.html",
        {
            "form": form,
            "campaign": source,
            "title": _("复制活动"),
            "intro": _("复制阶段和要求，不复制计划、笔记、会议等材料。"),
            "submit": _("复制"),
        },
    )


# --- Phases and requirements --------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage_phase(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    phase = access.get_phase_for_user(request.user, campaign, phase_pk)
    initial = {
        "name": phase.name,
        "starts_on": phase.starts_on,
        "ends_on": phase.ends_on,
        "status": phase.status,
    }
    form = forms.PhaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.phase_update(phase=phase, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已保存“%(name)s”阶段。") % {"name": phase.name})
            return redirect("campaigns:manage_detail", pk=campaign.pk)
        phase.refresh_from_db()
    return render(
        request,
        "campaigns/manage_form.html",
        {
            "form": form,
            "campaign": campaign,
            "title": _("编辑阶段：%(name)s") % {"name": phase.name},
            "submit": _("保存"),
        },
    )


@login_required
@require_POST
def manage_phase_status(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    phase = access.get_phase_for_user(request.user, campaign, phase_pk)
    status = request.POST.get("status", "")
    try:
        services.phase_set_status(phase=phase, status=status)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("“%(name)s”阶段现为“%(status)s”。")
            % {"name": phase.name, "status": phase.get_status_display()},
        )
    return redirect("campaigns:manage_detail", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def manage_requirement_add(request: HttpRequest, pk: int, phase_pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    phase = access.get_phase_for_user(request.user, campaign, phase_pk)
    form = forms.RequirementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_add(
                phase=phase,
                kind=form.cleaned_data["kind"],
                params=form.params(),
                label=form.cleaned_data["label"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已添加要求。"))
            return redirect("campaigns:manage_detail", pk=campaign.pk)
    return render(
        request,
        "campaigns/manage_form.html",
        {
            "form": form,
            "campaign": campaign,
            "title": _("为“%(name)s”阶段添加要求") % {"name": phase.name},
            "submit": _("添加"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_requirement_edit(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    requirement = access.get_requirement_for_user(request.user, campaign, requirement_pk)
    form = forms.RequirementForm(request.POST or None, requirement=requirement)
    if request.method == "POST" and form.is_valid():
        try:
            services.requirement_update(
                requirement=requirement,
                kind=form.cleaned_data["kind"],
                params=form.params(),
                label=form.cleaned_data["label"],
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已保存要求。"))
            return redirect("campaigns:manage_detail", pk=campaign.pk)
        requirement.refresh_from_db()
    return render(
        request,
        "campaigns/manage_form.html",
        {
            "form": form,
            "campaign": campaign,
            "requirement": requirement,
            "title": _("编辑要求：%(label)s") % {"label": requirement.label},
            "submit": _("保存"),
        },
    )


@login_required
@require_POST
def manage_requirement_delete(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    campaign = _managed_campaign(request, pk)
    requirement = access.get_requirement_for_user(request.user, campaign, requirement_pk)
    label = requirement.label
    services.requirement_remove(requirement=requirement)
    messages.success(request, _("已删除要求“%(label)s”。") % {"label": label})
    return redirect("campaigns:manage_detail", pk=campaign.pk)


# --- Phase gating (转段) ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transition_branch(request: AuthenticatedHttpRequest, pk: int, branch_pk: int) -> HttpResponse:
    """Where a branch stands, what is met and unmet, and the approval form."""
    user = request.user
    campaign = access.get_campaign_for_user(user, pk)
    branch = access.get_transition_branch_for_user(
        user,
        campaign,
        branch_pk,
        need=access.can_approve_transition
        if request.method == "POST"
        else access.can_view_transition,
    )
    may_approve = access.can_approve_transition(user, branch)
    current = selectors.current_phases(campaign=campaign, branch_ids=[branch.pk])[branch.pk]
    target = services.next_phase(current)
    form = forms.TransitionForm(request.POST or None, initial={"from_phase": current.pk})
    if request.method == "POST" and form.is_valid():
        from_phase = access.get_phase_for_user(user, campaign, form.cleaned_data["from_phase"])
        try:
            services.phase_transition_approve(
                campaign=campaign,
                branch=branch,
                from_phase=from_phase,
                reason=form.cleaned_data["reason"],
                override=form.cleaned_data["override"],
                actor=user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(branch)s”已转入“%(phase)s”阶段。")
                % {"branch": branch.name, "phase": target.name if target else ""},
            )
            return redirect("campaigns:transition_branch", pk=campaign.pk, branch_pk=branch.pk)
    judged = progress.campaign_progress(campaign=campaign, roots=[branch], phase=current)
    result = judged.units.get(branch.pk)
    history = (
        PhaseTransition.objects.filter(campaign=campaign, branch=branch)
        .select_related("from_phase", "to_phase", "approved_by")
        .order_by("-at", "-pk")
    )
    return render(
        request,
        "campaigns/transition_branch.html",
        {
            "campaign": campaign,
            "branch": branch,
            "current": current,
            "target": target,
            "result": result,
            "form": form if may_approve and target is not None else None,
            "may_override": access.can_manage_campaign(user, campaign),
            "history": history,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def transition_unit(request: AuthenticatedHttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    """The committee moves every branch of a general branch or of the college at once."""
    user = request.user
    campaign = access.get_campaign_for_user(user, pk)
    unit = access.get_transition_unit_for_user(user, campaign, unit_pk)
    phases = selectors.campaign_phases(campaign)
    if len(phases) < 2:
        messages.info(request, _("该活动只有一个阶段，无需转段。"))
        return redirect("campaigns:manage_detail", pk=campaign.pk)
    by_pk = {phase.pk: phase for phase in phases}
    try:
        chosen = int(request.POST.get("from_phase") or request.GET.get("phase") or 0)
    except ValueError:
        chosen = 0
    from_phase = by_pk.get(chosen) if chosen in by_pk and by_pk[chosen] != phases[-1] else None
    if from_phase is None:
        # The earliest phase that still holds branches and has a phase after it.
        branch_ids = [b.pk for b in services.branches_in(unit)]
        held = {
            p.pk
            for p in selectors.current_phases(campaign=campaign, branch_ids=branch_ids).values()
        }
        from_phase = next((p for p in phases[:-1] if p.pk in held), phases[0])
    form = forms.BulkTransitionForm(
        request.POST or None, phases=phases, initial={"from_phase": from_phase.pk}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = services.phase_transition_bulk(
                    campaign=campaign,
                    unit=unit,
                    from_phase=from_phase,
                    reason=form.cleaned_data["reason"],
                    override=form.cleaned_data["override"],
                    actor=user,
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                text = _("已为%(count)d个支部批准转段。") % {"count": len(result.moved)}
                if result.moved_unmet:
                    text += " " + _("其中%(count)d个支部要求未完成，已记录。") % {
                        "count": len(result.moved_unmet)
                    }
                if result.held_back:
                    text += " " + _("%(count)d个支部要求未完成，未转段。") % {
                        "count": len(result.held_back)
                    }
                messages.success(request, text)
                return redirect(f"{request.path}?phase={from_phase.pk}")
    rows = services.bulk_transition_preview(campaign=campaign, unit=unit, from_phase=from_phase)
    return render(
        request,
        "campaigns/transition_unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "phases": phases,
            "from_phase": from_phase,
            "target": services.next_phase(from_phase),
            "rows": rows,
            "ready": sum(1 for _b, p, met, _u in rows if p.pk == from_phase.pk and met),
            "unmet": sum(1 for _b, p, met, _u in rows if p.pk == from_phase.pk and not met),
            "form": form,
        },
        status=status,
    )
