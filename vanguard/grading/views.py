"""Pages of grading. Thin: rules in services.py, reads in selectors.py, every access
decision in access.py (each object is fetched there with the capability the page
needs)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.ballots.models import Grade
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.grading import access, selectors, services
from vanguard.grading.forms import (
    STEP_FORMS,
    DecideForm,
    RuleForm,
    SubmitForm,
    entries_from_post,
)
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.organization import access as organization_access
from vanguard.organization.models import Unit


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The member's own approved grades; for officers, their branches' grading in the
    active campaign, with the committee's cap on excellent."""
    member = organization_access.member_of(request.user)
    context: dict[str, Any] = {
        "my_grades": selectors.member_grades(member) if member is not None else [],
        "member": member,
    }
    branches = list(
        access.grading_branches(request.user)
        .annotate(
            formal=Count(
                "members",
                filter=Q(members__is_active=True, members__standing="formal"),
            )
        )
        .order_by("path")
    )
    if branches:
        campaigns: dict[int, Any] = {}
        rows: list[dict[str, Any]] = []
        by_parent: dict[int | None, Any] = {}  # siblings share their campaign
        for branch in branches:
            if branch.parent_id not in by_parent:
                by_parent[branch.parent_id] = active_campaign_for_unit(branch.path)
            campaign = by_parent[branch.parent_id]
            if campaign is None:
                continue
            campaigns[campaign.pk] = campaign
            rows.append({"branch": branch, "campaign": campaign})
        gradings = selectors.gradings_in([r["branch"] for r in rows], list(campaigns))
        counts = dict(
            GradeProposal.objects.filter(grading__in=gradings.values())
            .values_list("grading_id")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            grading = gradings.get((row["campaign"].pk, row["branch"].pk))
            row["grading"] = grading
            row["proposed"] = counts.get(grading.pk, 0) if grading else 0
        context["rows"] = rows
        context["waiting"] = [
            r
            for r in rows
            if r["grading"] and r["grading"].status == BranchGrading.Status.SUBMITTED
        ]
        statuses = [r["grading"].status if r["grading"] else "" for r in rows]
        context["status_counts"] = [
            (label, statuses.count(value)) for value, label in BranchGrading.Status.choices
        ] + [(_("未开始"), statuses.count(""))]
        context["rules"] = [
            {"campaign": c, "rule": selectors.rule_for(c), "form": RuleForm()}
            for c in campaigns.values()
            if campaigns_access.can_manage_campaign(request.user, c)
        ]
    return render(request, "grading/home.html", context)


def _campaign_and_branch(
    request: HttpRequest,
    campaign_pk: int,
    branch_pk: int,
    *,
    need: access.BranchCapability | None = None,
) -> tuple[Campaign, Unit]:
    branch = access.get_grading_branch_for_user(request.user, branch_pk, need=need)
    return campaigns_access.get_campaign_covering(campaign_pk, branch), branch


def _branch_context(request: HttpRequest, campaign: Any, branch: Unit) -> dict[str, Any]:
    grading = selectors.grading_for(campaign, branch)
    rows = selectors.rows(campaign=campaign, branch=branch, grading=grading)
    can_propose = access.can_propose_grades(request.user, branch)
    proposed = [r.proposal.grade for r in rows if r.proposal is not None]
    distribution: list[tuple[Any, int]] = [
        (label, proposed.count(value)) for value, label in Grade.choices
    ]
    distribution.append((_("未评定"), len(rows) - len(proposed)))
    return {
        "campaign": campaign,
        "branch": branch,
        "grading": grading,
        "distribution": distribution,
        "rows": rows,
        # Each row with its tally's plurality: the grade preselected where none is
        # proposed yet, and the one a proposal may follow without a rationale.
        "items": [{"row": r, "plurality": services.plurality(r.tally)} for r in rows],
        "grades": Grade.choices,
        "probationary": list(selectors.probationary_members(branch)),
        "excellent": selectors.excellent_check(campaign=campaign, rows=rows),
        "can_propose": can_propose,
        "editable": can_propose and (grading is None or grading.editable),
        "can_decide": access.can_decide_grades(request.user, branch),
        "problems": services.submission_problems(grading, rows=rows)
        if grading and grading.editable
        else [],
        "submit_form": SubmitForm(
            initial={"excellent_explanation": grading.excellent_explanation if grading else ""}
        ),
        "decide_form": DecideForm(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def branch(request: AuthenticatedHttpRequest, campaign_pk: int, branch_pk: int) -> HttpResponse:
    """The branch's proposals beside the tally, the review status and the feedback sheet."""
    write = request.method == "POST"
    campaign, unit = _campaign_and_branch(
        request, campaign_pk, branch_pk, need=access.can_propose_grades if write else None
    )
    if write:
        grading = services.grading_start(campaign=campaign, branch=unit)
        member_ids = list(selectors.formal_members(unit).values_list("pk", flat=True))
        try:
            changed = services.proposals_save(
                grading=grading,
                entries=entries_from_post(request.POST, member_ids),
                user=request.user,
            )
        except ValidationError as error:
            _errors(request, error)
            context = _branch_context(request, campaign, unit)
            context["posted"] = request.POST
            for item in context["items"]:  # what was typed stays on the page
                pk = item["row"].member.pk
                item["posted"] = (
                    request.POST.get(f"grade_{pk}", ""),
                    request.POST.get(f"rationale_{pk}", ""),
                )
            return render(request, "grading/branch.html", context, status=400)
        messages.success(request, _("已保存 %(n)s 条等级初评。") % {"n": changed})
        return redirect("grading:branch", campaign_pk=campaign.pk, branch_pk=unit.pk)
    return render(request, "grading/branch.html", _branch_context(request, campaign, unit))


@login_required
@require_POST
def submit(request: AuthenticatedHttpRequest, campaign_pk: int, branch_pk: int) -> HttpResponse:
    campaign, unit = _campaign_and_branch(
        request, campaign_pk, branch_pk, need=access.can_propose_grades
    )
    grading = services.grading_start(campaign=campaign, branch=unit)
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        services.grading_submit(
            grading=grading,
            explanation=form.cleaned_data.get("excellent_explanation", ""),
            user=request.user,
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("等级初评已报党委审批。"))
    return redirect("grading:branch", campaign_pk=campaign.pk, branch_pk=unit.pk)


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest, campaign_pk: int, branch_pk: int) -> HttpResponse:
    campaign, unit = _campaign_and_branch(
        request, campaign_pk, branch_pk, need=access.can_decide_grades
    )
    grading = selectors.grading_for(campaign, unit)
    form = DecideForm(request.POST)
    if grading is None or not form.is_valid():
        messages.error(request, _("请选择审批意见。"))
        return redirect("grading:branch", campaign_pk=campaign.pk, branch_pk=unit.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.grading_decide(
            grading=grading, approve=approve, reason=form.cleaned_data["reason"], user=request.user
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("已审批同意。") if approve else _("已退回支部修改。"))
    return redirect("grading:branch", campaign_pk=campaign.pk, branch_pk=unit.pk)


@login_required
@require_POST
def rule(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = campaigns_access.get_campaign_for_user(request.user, campaign_pk, write=True)
    form = RuleForm(request.POST)
    if not form.is_valid():
        for text in form.errors.get("cap", []):
            messages.error(request, str(text))
        return redirect("grading:home")
    value = form.cleaned_data["cap"]
    try:
        services.rule_set(
            campaign=campaign,
            numerator=value.numerator,
            denominator=value.denominator,
            user=request.user,
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, _("优秀比例上限已更新。"))
    return redirect("grading:home")


def _case_context(request: HttpRequest, case: UnqualifiedCase) -> dict[str, Any]:
    step = case.next_step
    form = None
    if (
        not case.withdrawn
        and step in STEP_FORMS
        and access.can_record_step(request.user, case, step)
    ):
        form = STEP_FORMS[step]()
    return {
        "proposal": case.proposal,
        "case": case,
        "step": step,
        "step_label": services.step_label(step),
        "form": form,
    }


@login_required
@require_GET
def case(request: HttpRequest, pk: int) -> HttpResponse:
    """The handling of a member proposed unqualified, step by step."""
    case = access.get_unqualified_case_for_user(request.user, pk)
    return render(request, "grading/case.html", _case_context(request, case))


@login_required
@require_POST
def case_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    # An unknown step is a 404; a step this person does not record, a 403.
    case = access.get_unqualified_case_for_user(request.user, pk, step=step)
    form = STEP_FORMS[step](request.POST)
    record = {
        "talk": lambda d: services.case_record_talk(
            case=case, on=d["talk_on"], note=d["talk_note"], user=request.user
        ),
        "prereview": lambda d: services.case_record_prereview(
            case=case,
            on=d["prereview_on"],
            agrees=d["prereview_agrees"],
            note=d["prereview_note"],
            user=request.user,
        ),
        "vote": lambda d: services.case_record_vote(
            case=case,
            on=d["vote_on"],
            votes_for=d["votes_for"],
            votes_against=d["votes_against"],
            votes_abstain=d["votes_abstain"],
            proposed_outcome=d["proposed_outcome"],
            user=request.user,
        ),
        "outcome": lambda d: services.case_record_outcome(
            case=case,
            outcome=d["outcome"],
            on=d["outcome_on"],
            note=d["outcome_note"],
            user=request.user,
        ),
    }[step]
    if form.is_valid():
        try:
            record(form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("已记录：%(step)s。") % {"step": services.step_label(step)})
            return redirect("grading:case", pk=case.proposal_id)
    context = _case_context(request, access.get_unqualified_case_for_user(request.user, pk))
    if context["form"] is not None and context["step"] == step:
        context["form"] = form
    return render(request, "grading/case.html", context, status=400)
