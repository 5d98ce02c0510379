"""Inspection pages (检查): the committee's supervision groups and rounds, the check of
one branch at a time (made for a phone: the evidence Vanguard holds for each item,
then the finding and a note), and the group's sign-off on a branch's move to the next
phase (转段).

Every object comes through `supervision.access`: a campaign, group, round, check or
branch outside the person's sight is a 404, one in sight without the capability a
403. A supervisor sees only the checks of their branches; the branch's officers read
their branch's checks without editing them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.access import Person
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.selectors import current_phases
from vanguard.lib.forms import query_int, show_service_errors
from vanguard.supervision import access
from vanguard.supervision.inspection import selectors, services
from vanguard.supervision.inspection.forms import (
    CheckForm,
    GroupForm,
    RoundForm,
    SignoffForm,
    person_label,
)
from vanguard.supervision.models import (
    Check,
    CheckItem,
    Finding,
    PhaseSignoff,
    Round,
    SupervisionGroup,
)


def _manage(user: Person, campaign: Campaign) -> bool:
    return access.can_manage_supervision(user, campaign)


# --- Groups -----------------------------------------------------------------------------


@login_required
@require_GET
def groups(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_supervision_campaign_for_user(request.user, campaign_pk, need=_manage)
    rows = list(selectors.campaign_groups(campaign))
    return render(
        request,
        "supervision/inspection/groups.html",
        {"campaign": campaign, "groups": rows, "label": person_label},
    )


def _group_page(
    request: HttpRequest, campaign: Any, form: GroupForm, group: SupervisionGroup | None
) -> HttpResponse:
    return render(
        request,
        "supervision/inspection/group_form.html",
        {
            "campaign": campaign,
            "group": group,
            "form": form,
            "chosen": [(u, person_label(u)) for u in form.chosen_people],
            "found": [(u, person_label(u)) for u in form.found],
            "ticked": form.ticked(),
            "members_ticked": form.members_ticked(),
            "leader_ticked": form.leader_ticked(),
        },
    )


def _group_submit(
    request: AuthenticatedHttpRequest, campaign: Any, group: SupervisionGroup | None
) -> HttpResponse:
    form = GroupForm(request.POST or None, campaign=campaign, group=group)
    searching = "search" in request.POST
    if request.method == "POST" and not searching and form.is_valid():
        try:
            saved = services.group_save(
                campaign=campaign, group=group, actor=request.user, **form.chosen()
            )
        except ValidationError as error:
            show_service_errors(form, error, above={"version"})
        else:
            messages.success(
                request,
                _("已保存督查组“%(name)s”：%(members)d 名成员，%(branches)d 个支部。")
                % {
                    "name": saved.name,
                    "members": saved.members.count(),
                    "branches": saved.branches.count(),
                },
            )
            return redirect("supervision:groups", campaign.pk)
    return _group_page(request, campaign, form, group)


@login_required
@require_http_methods(["GET", "POST"])
def group_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_supervision_campaign_for_user(request.user, campaign_pk, need=_manage)
    return _group_submit(request, campaign, None)


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_user(request.user, pk, write=True)
    return _group_submit(request, group.campaign, group)


@login_required
@require_http_methods(["GET", "POST"])
def group_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Dissolve a group, after a confirmation page: what its members lose with it."""
    group = access.get_group_for_user(request.user, pk, write=True)
    campaign = group.campaign
    if request.method == "POST":
        name = group.name
        services.group_delete(group=group, actor=request.user)
        messages.success(
            request,
            _("已撤销督查组“%(name)s”，组员因本组获得的督查权限已收回。") % {"name": name},
        )
        return redirect("supervision:groups", campaign.pk)
    return render(
        request,
        "supervision/inspection/group_delete.html",
        {
            "campaign": campaign,
            "group": group,
            "members": [person_label(u) for u in group.members.order_by("username")],
            "branches": list(group.branches.order_by("path")),
            "checks": group.checks.count(),
        },
    )


@login_required
@require_GET
def group_people(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The people matching a search, as rows to tick (htmx swaps them into the form).
    Those already ticked among the earlier results stay, ticked, above the new ones;
    the group's chosen people (`shown`) are not offered again."""
    campaign = access.get_supervision_campaign_for_user(request.user, campaign_pk, need=_manage)
    kept_pks = [pk for pk in map(query_int, request.GET.getlist("members")) if pk is not None]
    shown = [pk for pk in map(query_int, request.GET.getlist("shown")) if pk is not None]
    kept = list(selectors.people_of(campaign).filter(pk__in=kept_pks))
    query = request.GET.get("q", "")
    found = selectors.search_people(campaign, query, exclude=[*kept_pks, *shown])
    return render(
        request,
        "supervision/inspection/people_rows.html",
        {
            "kept": [(u, person_label(u)) for u in kept],
            "found": [(u, person_label(u)) for u in found],
            "q": query,
            "leader": request.GET.get("leader", ""),
        },
    )


# --- Rounds -------------------------------------------------------------------------------


@login_required
@require_GET
def rounds(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(user, campaign_pk)
    shown = list(access.visible_rounds(user).filter(campaign=campaign).order_by("starts_on", "pk"))
    counts = selectors.round_counts(shown, access.visible_checks(user))
    return render(
        request,
        "supervision/inspection/rounds.html",
        {
            "campaign": campaign,
            "rows": [(r, counts[r.pk]) for r in shown],
            "can_manage": _manage(user, campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_supervision_campaign_for_user(request.user, campaign_pk, need=_manage)
    template = request.GET.get("template", "")
    form = RoundForm(request.POST or None, campaign=campaign, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.round_create(
                campaign=campaign,
                title=form.cleaned_data["title"],
                phase=form.chosen_phase(),
                items=form.cleaned_data["items"],
                branches=form.chosen_branches(),
                starts_on=form.cleaned_data["starts_on"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data.get("note", ""),
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error, above={"version"})
        else:
            messages.success(
                request,
                _("已创建“%(title)s”，共 %(n)d 个支部；开始检查后为每个支部生成检查表。")
                % {"title": created.title, "n": created.branches.count()},
            )
            return redirect("supervision:round_detail", created.pk)
    return _round_page(request, campaign, form, template=template)


def _round_page(
    request: HttpRequest,
    campaign: Any,
    form: RoundForm,
    *,
    template: str = "",
    round: Round | None = None,
) -> HttpResponse:
    return render(
        request,
        "supervision/inspection/round_form.html",
        {
            "campaign": campaign,
            "form": form,
            "round": round,
            "templates": [(key, str(title)) for key, (title, _i) in services.TEMPLATES.items()],
            "template": template,
            "ticked": form.ticked(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a round: all of it while planned; once opened, its title, dates and note."""
    round = access.get_round_for_user(request.user, pk, write=True)
    if round.status == Round.Status.CLOSED:
        messages.error(request, _("这一轮检查已经结束，不能再修改。"))
        return redirect("supervision:round_detail", round.pk)
    form = RoundForm(request.POST or None, campaign=round.campaign, round=round)
    if request.method == "POST" and form.is_valid():
        scoped = form.scoped
        try:
            saved = services.round_update(
                round=round,
                title=form.cleaned_data["title"],
                starts_on=form.cleaned_data["starts_on"],
                due_on=form.cleaned_data["due_on"],
                note=form.cleaned_data.get("note", ""),
                phase=form.chosen_phase() if scoped else None,
                items=form.cleaned_data["items"] if scoped else None,
                branches=form.chosen_branches() if scoped else None,
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error, above={"version"})
        else:
            messages.success(request, _("已保存“%(title)s”。") % {"title": saved.title})
            return redirect("supervision:round_detail", saved.pk)
    return _round_page(request, round.campaign, form, round=round)


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    round = access.get_round_for_user(user, pk)
    checks = selectors.round_checks(round, access.visible_checks(user))
    bad = {Finding.NEEDS_WORK, Finding.MISSING}
    rows = [
        (c, sum(1 for f in c.findings.all() if f.finding in bad), access.can_fill_check(user, c))
        for c in checks
    ]
    return render(
        request,
        "supervision/inspection/round_detail.html",
        {
            "round": round,
            "campaign": round.campaign,
            "rows": rows,
            "items": [CheckItem(i).label for i in round.items if i in CheckItem.values],
            "branch_count": round.branches.count(),
            "can_manage": access.can_manage_round(user, round),
            "done": sum(1 for c in checks if c.status == Check.Status.DONE),
        },
    )


@login_required
@require_POST
def round_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = access.get_round_for_user(request.user, pk, write=True)
    try:
        services.round_open(round=round, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("检查已开始，已为范围内的每个支部生成检查表。"))
    return redirect("supervision:round_detail", round.pk)


@login_required
@require_POST
def round_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round = access.get_round_for_user(request.user, pk, write=True)
    try:
        services.round_close(round=round, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("检查已结束，各支部的检查结果不再修改。"))
    return redirect("supervision:round_detail", round.pk)


# --- Checks ----------------------------------------------------------------------------------


def _order_url(check: Check) -> str:
    """Remediation's order form, prefilled with the branch and the check."""
    try:
        base = reverse("supervision:order_new", args=[check.round.campaign_id])
    except NoReverseMatch:
        return ""
    return f"{base}?branch={check.branch_id}&check={check.pk}"


def _check_page(
    request: HttpRequest, check: Check, form: CheckForm | None = None, *, status: int = 200
) -> HttpResponse:
    user = request.user
    round = check.round
    can_fill = access.can_fill_check(user, check)
    if can_fill and form is None:
        form = CheckForm(check=check)
    evidence = selectors.evidence(round.campaign, check.branch, round.items)
    stored = {f.item: f for f in check.findings.all()}
    items = [
        {
            "item": item,
            "evidence": evidence.get(item),
            "stored": stored.get(item),
            "finding": form[f"{item}-finding"] if form is not None else None,
            "note": form[f"{item}-note"] if form is not None else None,
        }
        for item in round.items
    ]
    siblings = list(access.visible_checks(user).filter(round=round).select_related("branch"))
    following = services.next_check(check, siblings)
    signed = PhaseSignoff.objects.filter(
        campaign=round.campaign, branch=check.branch, phase=round.phase
    ).first()
    can_sign = access.can_sign_off(user, check.branch)
    bad = any(f.finding in (Finding.NEEDS_WORK, Finding.MISSING) for f in stored.values())
    return render(
        request,
        "supervision/inspection/check_detail.html",
        {
            "check": check,
            "round": round,
            "campaign": round.campaign,
            "form": form,
            "items": items,
            "can_fill": can_fill,
            "next": following,
            "position": next(
                (
                    i
                    for i, c in enumerate(sorted(siblings, key=lambda c: c.branch.path), 1)
                    if c.pk == check.pk
                ),
                0,
            ),
            "total": len(siblings),
            "signed": signed,
            "signoff_form": SignoffForm(campaign=round.campaign, initial={"phase": round.phase_id})
            if can_sign and signed is None
            else None,
            "order_url": _order_url(check)
            if bad and access.can_order_makeup(user, check.branch)
            else "",
        },
        status=status,
    )


@login_required
@require_GET
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = access.get_check_for_user(request.user, pk)
    return _check_page(request, check)


@login_required
@require_POST
def check_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    check = access.get_check_for_user(user, pk, write=True)
    form = CheckForm(request.POST, check=check)
    action = request.POST.get("action", "save")
    if form.is_valid():
        try:
            saved = services.check_save(
                check=check,
                findings=form.findings(),
                summary=form.cleaned_data.get("summary", ""),
                done=action in ("done", "next"),
                version=form.cleaned_data["version"],
                actor=user,
            )
        except ValidationError as error:
            show_service_errors(form, error, above={"version"})
            if "version" in getattr(error, "error_dict", {}):
                # The others' findings are shown; the person's own stay in the form.
                check = access.get_check_for_user(user, pk)
                return _check_page(request, check, form, status=409)
        else:
            messages.success(
                request,
                _("已保存%(branch)s的检查结果。") % {"branch": saved.branch.name},
            )
            if action == "next":
                siblings = access.visible_checks(user).filter(round=saved.round)
                following = services.next_check(saved, siblings.select_related("branch"))
                if following is not None and following.pk != saved.pk:
                    return redirect("supervision:check_detail", following.pk)
                return redirect("supervision:round_detail", saved.round_id)
            return redirect("supervision:check_detail", saved.pk)
    return _check_page(request, check, form)


# --- Sign-off -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def signoff(request: AuthenticatedHttpRequest, campaign_pk: int, branch_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(user, campaign_pk)
    branch = access.get_signoff_branch_for_user(user, branch_pk)
    current = current_phases(campaign=campaign, branch_ids=[branch.pk]).get(branch.pk)
    initial = {"phase": current.pk} if current is not None else {}
    form = SignoffForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.signoff_create(
                campaign=campaign,
                branch=branch,
                phase=form.chosen_phase(),
                note=form.cleaned_data.get("note", ""),
                actor=user,
            )
        except ValidationError as error:
            show_service_errors(form, error, above={"version"})
        else:
            messages.success(
                request,
                _("已签字同意%(branch)s结束“%(phase)s”阶段。")
                % {"branch": branch.name, "phase": made.phase.name},
            )
            back = request.POST.get("check", "")
            if back.isdigit():
                return redirect("supervision:check_detail", int(back))
            return redirect("supervision:signoff", campaign.pk, branch.pk)
    signoffs = (
        PhaseSignoff.objects.filter(campaign=campaign, branch=branch)
        .select_related("phase", "signed_by")
        .order_by("phase__order")
    )
    return render(
        request,
        "supervision/inspection/signoff.html",
        {
            "campaign": campaign,
            "branch": branch,
            "current": current,
            "form": form,
            "signoffs": signoffs,
            "rounds": Round.objects.filter(campaign=campaign, branches=branch).order_by(
                "starts_on"
            ),
        },
    )
