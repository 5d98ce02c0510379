"""The plans pages: a member's plan on one screen (我的整改计划 — the points of their
feedback sheet, each with "write an item for this", the items with their updates),
any plan for those who read, review or write it, a campaign's plans with the review
and verification queues, and the evidence files. Every object comes through
`rectification.access`; the writes are `plans.services`'."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib import filetypes, uploads
from vanguard.lib.forms import query_int, show_service_errors
from vanguard.lib.people import person_name
from vanguard.opinions import access as opinions_access
from vanguard.organization import access as organization_access
from vanguard.rectification import access
from vanguard.rectification.models import Item, Plan
from vanguard.rectification.plans import selectors, services, versions
from vanguard.rectification.plans.forms import (
    ItemForm,
    ReviewForm,
    StatusForm,
    SubmitForm,
    UpdateForm,
    VerifyForm,
)

PAGE_SIZE = 30
R = TypeVar("R", bound=HttpResponseBase)


def _private(response: R) -> R:
    # A plan answers what others said about the member: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _is_own(request: HttpRequest, plan: Plan) -> bool:
    member = plan.member
    return member is not None and member.user_id is not None and member.user_id == request.user.pk


def _can_edit(request: HttpRequest, plan: Plan) -> bool:
    if plan.status not in services.EDITABLE:
        return False
    if plan.pk is None:
        return _is_own(request, plan)
    return access.can_edit_plan(request.user, plan)


def _item_form(request: HttpRequest, plan: Plan, data: Any = None, **kwargs: Any) -> ItemForm:
    return ItemForm(
        data,
        people=selectors.responsible_choices(plan),
        link_choices=selectors.link_choices(plan),
        default_person=plan.member,
        **kwargs,
    )


def _new_item_initial(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    """The add form prefilled from the sheet point asked for (`?point=`): its text as
    the problem, the point as what the item answers."""
    initial: dict[str, Any] = {}
    token = request.GET.get("point", "")
    if token and plan.member is not None:
        for group in selectors.sheet_points(plan):
            for point in group.points:
                if point.token == token:
                    initial["problem"] = point.item.text
                    initial["links"] = [f"{selectors.OPINION}-{token}"]
    return initial


def _update_form(
    request: HttpRequest, view: selectors.ItemView, data: Any = None, files: Any = None
) -> UpdateForm:
    plan = view.item.plan
    member = organization_access.member_of(request.user)
    return UpdateForm(
        data,
        files,
        initial={"on": timezone.localdate()},
        auto_id=f"id_u{view.item.pk}_%s",
        meetings=selectors.meeting_choices(plan, member),
        sessions=selectors.study_session_choices(plan, member),
        activities=selectors.activity_choices(plan),
    )


def _plan_context(
    request: HttpRequest,
    plan: Plan,
    *,
    item_form: ItemForm | None = None,
    submit_form: SubmitForm | None = None,
    review_form: ReviewForm | None = None,
    failed_item: int | None = None,
    failed_form: Any = None,
) -> dict[str, Any]:
    user = request.user
    is_own = _is_own(request, plan)
    can_edit = _can_edit(request, plan)
    views = selectors.plan_items(plan, reader=user)
    rows = []
    for view in views:
        item = view.item
        can_report = access.can_report_item(user, item) and item.status != Item.Status.VERIFIED
        can_verify = access.can_verify_item(user, item) and item.status == Item.Status.DONE
        form = failed_form if failed_item == item.pk else None
        rows.append(
            {
                "view": view,
                "can_edit": can_edit,
                "update_form": (
                    form if isinstance(form, UpdateForm) else _update_form(request, view)
                )
                if can_report
                else None,
                "verify_form": (
                    form
                    if isinstance(form, VerifyForm)
                    else VerifyForm(auto_id=f"id_v{item.pk}_%s")
                )
                if can_verify
                else None,
            }
        )
    if can_edit and item_form is None:
        item_form = _item_form(request, plan, initial=_new_item_initial(request, plan))
    can_review = (
        plan.pk is not None
        and plan.status == Plan.Status.SUBMITTED
        and access.can_review_plan(user, plan)
    )
    return {
        "plan": plan,
        "campaign": plan.campaign,
        "is_own": is_own,
        "points": selectors.sheet_points(plan) if is_own else None,
        "rows": rows,
        "counts": selectors.status_counts(plan),
        "can_edit": can_edit,
        "item_form": item_form if can_edit else None,
        "item_action": (
            reverse("rectification:my_item_new")
            if plan.pk is None
            else reverse("rectification:item_new", args=[plan.pk])
        ),
        "submit_form": (submit_form or SubmitForm(initial={"summary": plan.summary}))
        if can_edit and views
        else None,
        "review_form": (review_form or ReviewForm()) if can_review else None,
        # After a return, the reviewer reads what the writers changed (the review loop's diff).
        "changes": versions.changes_since_return(plan) if can_review else None,
        "decisions": [
            (decision, person_name(decision.reviewer))
            for decision in plan.decisions.select_related("reviewer").order_by("at", "pk")
        ]
        if plan.pk
        else [],
        "reads_campaign": plan.pk is not None and not is_own,
        "owner": plan.member.name if plan.member else (plan.unit.name if plan.unit else ""),
    }


def _render_plan(
    request: HttpRequest, plan: Plan, status: int = 200, **kwargs: Any
) -> HttpResponse:
    return _private(
        render(
            request,
            "rectification/plans/plan.html",
            _plan_context(request, plan, **kwargs),
            status=status,
        )
    )


def _own_plan_or_draft(request: HttpRequest, campaign_pk: Any) -> Plan | None:
    """The person's plan in the campaign asked for (else the active one): saved, or
    an unsaved draft to start from; None for a login with no member record."""
    member = organization_access.member_of(request.user)
    if member is None:
        return None
    campaign = opinions_access.feedback_campaign(member, campaign_pk)
    if campaign is None:
        return None
    return access.own_plan(request.user, campaign) or selectors.member_plan_draft(campaign, member)


def _redirect_to_plan(request: HttpRequest, plan: Plan, anchor: str = "") -> HttpResponse:
    if _is_own(request, plan):
        url = reverse("rectification:my_plan") + f"?campaign={plan.campaign_id}"
    else:
        url = reverse("rectification:plan_detail", args=[plan.pk])
    return redirect(url + (f"#{anchor}" if anchor else ""))


# --- A member's own plan ----------------------------------------------------------------


@login_required
@require_GET
def my_plan(request: HttpRequest) -> HttpResponse:
    plan = _own_plan_or_draft(request, request.GET.get("campaign"))
    if plan is None:
        return _private(render(request, "rectification/plans/plan.html", {"plan": None}))
    return _render_plan(request, plan)


@login_required
@require_POST
def my_item_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = opinions_access.get_own_member(request.user)
    campaign = opinions_access.get_feedback_campaign(member, request.POST.get("campaign"))
    plan = access.own_plan(request.user, campaign) or selectors.member_plan_draft(campaign, member)
    if plan.pk is not None:
        return _item_new(request, plan)
    # No plan yet: the first item starts it, in one write (nothing if the item is refused).
    return _item_new(
        request, plan, create=partial(services.my_item_create, campaign=campaign, member=member)
    )


# --- Any plan ---------------------------------------------------------------------------


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk)
    return _render_plan(request, plan)


def _item_new(
    request: AuthenticatedHttpRequest, plan: Plan, *, create: Callable[..., Item] | None = None
) -> HttpResponse:
    """Add an item to the plan (`create`: another service to call with the form's fields,
    e.g. one that also starts the plan)."""
    form = _item_form(request, plan, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        fields = {
            "problem": data["problem"],
            "measure": data["measure"],
            "standard": data["standard"],
            "deadline": data["deadline"],
            "responsible": data.get("responsible"),
            "tags": data["tags"],
            "links": data.get("links", []),
            "actor": request.user,
        }
        try:
            item = create(**fields) if create else services.item_create(plan=plan, **fields)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已添加整改事项。"))
            return _redirect_to_plan(request, item.plan, f"item-{item.pk}")
    return _render_plan(request, plan, status=422, item_form=form)


@login_required
@require_POST
def item_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk, need=access.can_edit_plan)
    return _item_new(request, plan)


@login_required
@require_POST
def plan_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk, need=access.can_edit_plan)
    form = SubmitForm(request.POST)
    if form.is_valid():
        try:
            services.plan_submit(
                plan=plan, summary=form.cleaned_data["summary"], actor=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("整改计划已提交，等待审阅。"))
            return _redirect_to_plan(request, plan)
    return _render_plan(request, plan, status=422, submit_form=form)


@login_required
@require_POST
def plan_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan_for_user(request.user, pk, need=access.can_review_plan)
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["verdict"] == "approve"
        try:
            services.plan_review(
                plan=plan, approve=approve, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已审核通过。") if approve else _("已退回修改，已通知。"))
            return redirect("rectification:plan_detail", plan.pk)
    return _render_plan(request, plan, status=422, review_form=form)


@login_required
@require_GET
def campaign_plans(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_rectification_campaign_for_user(user, campaign_pk)
    level = request.GET.get("level", "")
    level = level if level in Plan.Level.values else ""
    status = request.GET.get("status", "")
    status = status if status in Plan.Status.values else ""
    plans = selectors.campaign_plans(user, campaign)
    if level:
        plans = plans.filter(level=level)
    if status:
        plans = plans.filter(status=status)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    started = set(
        selectors.campaign_plans(user, campaign)
        .filter(unit__isnull=False)
        .values_list("unit_id", flat=True)
    )
    startable = [u for u in access.plan_units(user, campaign) if u.pk not in started]
    query = request.GET.copy()
    query.pop("page", None)
    return _private(
        render(
            request,
            "rectification/plans/campaign_plans.html",
            {
                "campaign": campaign,
                "page": page,
                "queue": list(selectors.review_queue(user, campaign)[:PAGE_SIZE]),
                "to_verify": selectors.verify_queue(user, campaign)[:PAGE_SIZE],
                "startable": startable,
                "levels": Plan.Level.choices,
                "statuses": Plan.Status.choices,
                "filters": {"level": level, "status": status},
                "query": query.urlencode(),
                "has_member": organization_access.member_of(user) is not None,
            },
        )
    )


@login_required
@require_POST
def plan_start(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_rectification_campaign_for_user(user, campaign_pk)
    units = access.plan_units(user, campaign)
    unit_id = query_int(request.POST.get("unit"))
    unit = units.filter(pk=unit_id).first() if unit_id else None
    if unit is None:
        unit = organization_access.get_unit_for_user(
            user,
            request.POST.get("unit"),
            need=lambda u, found: units.filter(pk=found.pk).exists(),
        )
    try:
        plan = services.plan_start(campaign=campaign, unit=unit, actor=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("rectification:campaign_plans", campaign.pk)
    return redirect("rectification:plan_detail", plan.pk)


# --- Items ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.get_item_for_user(request.user, pk, need=access.can_edit_item)
    plan = item.plan
    views = [v for v in selectors.plan_items(plan) if v.item.pk == item.pk]
    initial = {
        "problem": item.problem,
        "measure": item.measure,
        "responsible": item.responsible_id if item.responsible_id != plan.member_id else None,
        "standard": item.standard,
        "deadline": item.deadline,
        "tags": item.tags,
        "links": views[0].link_keys if views else [],
    }
    form = _item_form(request, plan, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.item_change(
                    item=item,
                    problem=data["problem"],
                    measure=data["measure"],
                    standard=data["standard"],
                    deadline=data["deadline"],
                    responsible=data.get("responsible"),
                    tags=data["tags"],
                    links=data.get("links", []),
                    actor=request.user,
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                messages.success(request, _("已保存整改事项。"))
                return _redirect_to_plan(request, plan, f"item-{item.pk}")
    return _private(
        render(
            request,
            "rectification/plans/item_edit.html",
            {
                "item": item,
                "plan": plan,
                "form": form,
                "editable": plan.status in services.EDITABLE,
                "is_own": _is_own(request, plan),
            },
            status=status,
        )
    )


@login_required
@require_POST
def item_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.get_item_for_user(request.user, pk, need=access.can_edit_item)
    plan = item.plan
    try:
        services.item_delete(item=item, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已删除整改事项。"))
    return _redirect_to_plan(request, plan)


@login_required
@require_POST
def item_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.get_item_for_user(request.user, pk, need=access.can_report_item)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.item_set_status(
                item=item, status=form.cleaned_data["status"], actor=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已更新事项状态。"))
    else:
        messages.error(request, _("请选择计划中、进行中或已完成。"))
    return _redirect_to_plan(request, item.plan, f"item-{item.pk}")


@login_required
@require_POST
def update_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.get_item_for_user(request.user, pk, need=access.can_report_item)
    plan = item.plan
    view = next(v for v in selectors.plan_items(plan) if v.item.pk == item.pk)
    form = _update_form(request, view, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_create(
                item=item,
                on=data["on"],
                text=data["text"],
                upload=data.get("evidence"),
                meeting=data.get("meeting"),
                study_session=data.get("study_session"),
                activity=data.get("activity"),
                status=data.get("status") or "",
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已记录进展。"))
            return _redirect_to_plan(request, plan, f"item-{item.pk}")
    return _render_plan(request, plan, status=422, failed_item=item.pk, failed_form=form)


@login_required
@require_POST
def item_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = access.get_item_for_user(request.user, pk, need=access.can_verify_item)
    form = VerifyForm(request.POST, auto_id=f"id_v{item.pk}_%s")
    if form.is_valid():
        passed = form.cleaned_data["outcome"] == "verified"
        try:
            services.item_verify(
                item=item, passed=passed, note=form.cleaned_data["note"], actor=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("已验收。") if passed else _("验收未通过，已退回继续整改。")
            )
            return redirect(
                reverse("rectification:plan_detail", args=[item.plan_id]) + f"#item-{item.pk}"
            )
    return _render_plan(request, item.plan, status=422, failed_item=item.pk, failed_form=form)


@login_required
@require_GET
def update_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """An update's evidence file, only through this view (uploads have no public URL):
    an image stored re-encoded is shown inline, anything else is a download."""
    update = access.get_evidence_for_user(request.user, pk)
    kind = update.evidence_type
    extension = filetypes.EXTENSIONS.get(kind, "")
    inline = kind in (filetypes.JPEG, filetypes.PNG) and update.evidence.name.endswith(extension)
    name = uploads.clean_name(update.evidence_name) or f"evidence{extension}"
    response = FileResponse(
        update.evidence.open("rb"),
        as_attachment=not inline,
        filename=name,
        content_type=filetypes.CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)
