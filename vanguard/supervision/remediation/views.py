"""Make-up work (补课), guidance (面对面指导) and the lagging branches (进度滞后).

Orders are made from a finding (a check, a note assessment) or by hand, reported
done by the person responsible (or the member, or the branch's secretary) and
re-checked by whoever may order in the branch. Every object comes through
`supervision.access`; the writes are `services`'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.access import Person
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns.models import Campaign
from vanguard.lib.forms import query_int, show_service_errors
from vanguard.organization.models import Member, Unit
from vanguard.supervision import access
from vanguard.supervision.models import Check, NoteAssessment, RemediationOrder
from vanguard.supervision.remediation import selectors, services
from vanguard.supervision.remediation.forms import (
    BranchChoiceForm,
    GuidanceForm,
    OrderForm,
    ReportForm,
    VerifyForm,
    person_label,
)

PAGE_SIZE = 30


# --- Orders ------------------------------------------------------------------------------


@login_required
@require_GET
def orders(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(user, campaign_pk)
    branches = selectors.order_branches(user, campaign)
    branch_id = query_int(request.GET.get("branch"))
    branch = branches.filter(pk=branch_id).first() if branch_id else None
    status = request.GET.get("status", "")
    status = status if status in RemediationOrder.Status.values else ""
    overdue = request.GET.get("overdue") == "1"
    found = selectors.campaign_orders(user, campaign, status=status, branch=branch, overdue=overdue)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(order, selectors.is_overdue(order, today)) for order in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/remediation/orders.html",
        {
            "campaign": campaign,
            "rows": rows,
            "page": page,
            "counts": selectors.status_counts(selectors.campaign_orders(user, campaign)),
            "branches": branches,
            "filters": {"branch": branch, "status": status, "overdue": overdue},
            "statuses": RemediationOrder.Status.choices,
            "can_order": access.can_order_in_campaign(user, campaign),
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
def orders_mine(request: HttpRequest) -> HttpResponse:
    todo, others = selectors.my_orders(request.user)
    today = timezone.localdate()
    return render(
        request,
        "supervision/remediation/orders_mine.html",
        {
            "todo": [(order, selectors.is_overdue(order, today)) for order in todo],
            "others": [(order, selectors.is_overdue(order, today)) for order in others],
        },
    )


def _prefill(
    user: Person, source: QueryDict, branches: QuerySet[Unit]
) -> tuple[Unit | None, Member | None, Check | None, NoteAssessment | None]:
    """The branch, member, check and assessment an order is made from, each only if the
    person may order there and sees it."""
    check = assessment = None
    member: Member | None = None
    check_id = query_int(source.get("check_record")) or query_int(source.get("check"))
    if check_id:
        check = access.visible_checks(user).filter(pk=check_id, branch__in=branches).first()
    assessment_id = query_int(source.get("assessment"))
    if assessment_id:
        assessment = (
            access.visible_assessments(user)
            .filter(pk=assessment_id, member__branch__in=branches)
            .first()
        )
    member_id = query_int(source.get("member"))
    if assessment is not None:
        member = assessment.member
    elif member_id:
        member = (
            Member.objects.filter(pk=member_id, branch__in=branches, is_active=True)
            .select_related("branch", "user")
            .first()
        )
    branch: Unit | None = None
    branch_id = query_int(source.get("branch"))
    if member is not None:
        branch = member.branch
    elif check is not None:
        branch = check.branch
    elif branch_id:
        branch = branches.filter(pk=branch_id).first()
    return branch, member, check, assessment


def _reason_from(check: Check | None, assessment: NoteAssessment | None) -> str:
    if assessment is not None:
        return _("读书笔记评阅为“%(grade)s”，请按评语补写读书笔记。") % {
            "grade": assessment.get_grade_display()
        }
    if check is not None:
        lacking = [
            _("%(item)s（%(finding)s）")
            % {"item": finding.get_item_display(), "finding": finding.get_finding_display()}
            for finding in check.findings.exclude(finding="good").order_by("pk")
        ]
        if lacking:
            return _("%(round)s发现：%(items)s") % {
                "round": check.round.title,
                "items": _("、").join(lacking),
            }
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(
        user, campaign_pk, need=access.can_order_in_campaign
    )
    branches = (
        access.orderable_branches(user).filter(path__startswith=campaign.unit.path).order_by("path")
    )
    source = request.POST if request.method == "POST" else request.GET
    branch, member, check, assessment = _prefill(user, source, branches)
    if branch is None:
        choose = BranchChoiceForm(branches=branches)
        return render(
            request,
            "supervision/remediation/order_new.html",
            {"campaign": campaign, "choose": choose},
        )
    people = services.responsible_choices(branch, member)
    members = selectors.branch_members(branch)
    initial = {
        "branch": branch.pk,
        "member": member.pk if member else None,
        "check_record": check.pk if check else None,
        "assessment": assessment.pk if assessment else None,
        "reason": _reason_from(check, assessment),
    }
    form = OrderForm(
        request.POST or None,
        initial=initial,
        branches=branches,
        members=members,
        people=people,
    )
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(
                campaign=campaign,
                branch=form.cleaned_data["branch"],
                member=form.cleaned_data["member"],
                check=check,
                assessment=assessment,
                reason=form.cleaned_data["reason"],
                deadline=form.cleaned_data["deadline"],
                responsible=form.chosen_responsible(),
                actor=user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("补课通知已下达，已通知支部。"))
            return redirect("supervision:order_detail", order.pk)
    default = services.default_responsible(branch, member)
    return render(
        request,
        "supervision/remediation/order_new.html",
        {
            "campaign": campaign,
            "form": form,
            "branch": branch,
            "member": member,
            "check": check,
            "assessment": assessment,
            "default_responsible": person_label(default) if default is not None else "",
        },
    )


def _order_context(
    request: HttpRequest,
    order: RemediationOrder,
    *,
    report_form: ReportForm | None = None,
    verify_form: VerifyForm | None = None,
) -> dict[str, Any]:
    user = request.user
    can_report = access.can_report_order(user, order)
    can_verify = access.can_verify_order(user, order)
    return {
        "order": order,
        "campaign": order.campaign,
        "overdue": selectors.is_overdue(order),
        "responsible_name": person_label(order.responsible) if order.responsible else "",
        "report_form": (report_form or ReportForm()) if can_report else None,
        "verify_form": (verify_form or VerifyForm()) if can_verify else None,
        "can_order": access.can_order_makeup(user, order.branch),
        "reads_campaign": access.supervision_campaigns(user).filter(pk=order.campaign_id).exists(),
    }


def _order(request: HttpRequest, pk: int, need: Any = None) -> RemediationOrder:
    return access.get_order_for_user(request.user, pk, need=need)


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    return render(
        request, "supervision/remediation/order_detail.html", _order_context(request, order)
    )


@login_required
@require_POST
def order_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk, need=access.can_report_order)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.order_report(
                order=order, report=form.cleaned_data["report"], actor=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已报告完成，等待督查组复查。"))
            return redirect("supervision:order_detail", order.pk)
    return render(
        request,
        "supervision/remediation/order_detail.html",
        _order_context(request, order, report_form=form),
    )


@login_required
@require_POST
def order_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk, need=access.can_verify_order)
    form = VerifyForm(request.POST)
    if form.is_valid():
        passed = form.cleaned_data["outcome"] == "verified"
        try:
            services.order_verify(
                order=order, passed=passed, note=form.cleaned_data["note"], actor=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("复查通过。") if passed else _("复查未通过，已退回责任人补课。")
            )
            return redirect("supervision:order_detail", order.pk)
    return render(
        request,
        "supervision/remediation/order_detail.html",
        _order_context(request, order, verify_form=form),
    )


# --- Guidance ----------------------------------------------------------------------------


@login_required
@require_GET
def guidance(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(user, campaign_pk)
    branches = selectors.order_branches(user, campaign)
    branch_id = query_int(request.GET.get("branch"))
    branch = branches.filter(pk=branch_id).first() if branch_id else None
    sessions = selectors.campaign_guidance(user, campaign, branch=branch)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/remediation/guidance.html",
        {
            "campaign": campaign,
            "page": page,
            "branches": branches,
            "branch": branch,
            "can_record": access.can_check_in_campaign(user, campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def guidance_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_supervision_campaign_for_user(
        user, campaign_pk, need=access.can_check_in_campaign
    )
    branches = (
        access.supervised_branches(user)
        .filter(path__startswith=campaign.unit.path)
        .order_by("path")
    )
    branch_id = query_int(request.GET.get("branch"))
    initial = {
        "branch": branch_id,
        "held_on": timezone.localdate(),
        "lagging": request.GET.get("lagging") == "1",
    }
    form = GuidanceForm(request.POST or None, initial=initial, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.guidance_record(
                campaign=campaign,
                branch=data["branch"],
                held_on=data["held_on"],
                given_by=data["given_by"],
                attendees=data["attendees"],
                report=data["report"],
                instructions=data["instructions"],
                agreed=data["agreed"],
                lagging=data["lagging"],
                actor=user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("面对面指导已记录。"))
            return redirect("supervision:guidance_detail", session.pk)
    return render(
        request,
        "supervision/remediation/guidance_new.html",
        {"campaign": campaign, "form": form},
    )


@login_required
@require_GET
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_guidance_for_user(request.user, pk)
    return render(
        request,
        "supervision/remediation/guidance_detail.html",
        {"session": session, "campaign": session.campaign},
    )


# --- Lagging branches ----------------------------------------------------------------------


@login_required
@require_GET
def lagging(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign: Campaign = access.get_supervision_campaign_for_user(
        user, campaign_pk, need=access.can_check_in_campaign
    )
    return render(
        request,
        "supervision/remediation/lagging.html",
        {"campaign": campaign, "rows": selectors.lagging_branches(user, campaign)},
    )
