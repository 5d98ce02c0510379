"""The stage summary pages: the index (waiting for my review, my branch's summaries by
phase, every summary in my scope), a summary's page (the editor for the branch's
officers, the reviewers' decision with what changed since a return, the history),
the redraft from today's data, and the PDF and Word files. Every object comes
through `materials.access`; the writes are `stage_summary.services`'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns.access import get_campaign_for_user
from vanguard.lib.downloads import file_disposition
from vanguard.lib.forms import query_int, show_service_errors
from vanguard.lib.textdiff import compare
from vanguard.materials import access
from vanguard.materials.stage_summary import document, selectors, services
from vanguard.materials.stage_summary.forms import DecisionForm, RedraftForm, SummaryForm
from vanguard.materials.stage_summary.models import SECTION_NAMES, SECTIONS, StageSummary

ABOVE = ("base_version", "state", "version_number")


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


# --- The index ----------------------------------------------------------------------------


@login_required
def summary_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    campaigns = access.get_stage_summary_campaigns_for_user(user)
    wanted = query_int(request.GET.get("campaign"))
    campaign = next((c for c in campaigns if c.pk == wanted), campaigns[0])
    phases = selectors.campaign_phases(campaign)
    phase_id = query_int(request.GET.get("phase"))
    phase = next((p for p in phases if p.pk == phase_id), None)
    context = {
        "campaigns": campaigns,
        "campaign": campaign,
        "phases": phases,
        "phase": phase,
        "queue": selectors.review_queue(user, campaign),
        "branch_rows": selectors.branch_rows(user, campaign),
        "summaries": selectors.campaign_summaries(user, campaign, phase=phase),
    }
    return _private(render(request, "materials/stage_summary/index.html", context))


@login_required
@require_POST
def summary_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Draft a branch's summary of a phase from the data (or open the one there)."""
    user = request.user
    campaign = get_campaign_for_user(user, request.POST.get("campaign"))
    branch = access.get_stage_summary_branch_for_user(user, campaign, request.POST.get("branch"))
    phase = access.get_stage_summary_phase_for_user(user, campaign, request.POST.get("phase"))
    try:
        summary = services.stage_summary_draft(
            campaign=campaign, branch=branch, phase=phase, actor=user
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(f"{_index_url()}?campaign={campaign.pk}")
    return redirect("materials:stage_summary_detail", pk=summary.pk)


def _index_url() -> str:
    return reverse("materials:stage_summary_index")


# --- A summary ----------------------------------------------------------------------------


def _editor(summary: StageSummary, data: Any = None) -> SummaryForm:
    initial = {name: getattr(summary, name) for name in SECTION_NAMES}
    initial["base_version"] = summary.version
    return SummaryForm(data, initial=initial)


def _decision_form(
    request: AuthenticatedHttpRequest, summary: StageSummary, data: Any = None
) -> DecisionForm:
    latest = summary.versions.order_by("-number").first()
    return DecisionForm(
        data,
        initial={"version_number": latest.number if latest else None},
        verdicts=services.verdicts_at(services.review_level(summary)),
    )


def _page(
    request: AuthenticatedHttpRequest,
    summary: StageSummary,
    *,
    form: SummaryForm | None = None,
    decision_form: DecisionForm | None = None,
    conflict: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    can_edit = access.can_edit_stage_summary(user, summary)
    can_review = access.can_review_stage_summary(user, summary)
    if can_edit and form is None:
        form = _editor(summary)
    if can_review and decision_form is None:
        decision_form = _decision_form(request, summary)
    context = {
        "summary": summary,
        "title": document.title(summary),
        "sections": selectors.sections_of(summary),
        "can_edit": can_edit,
        "can_review": can_review,
        "form": form if can_edit else None,
        "decision_form": decision_form if can_review else None,
        "changes": selectors.changes_since_return(summary),
        "returned": selectors.last_return(summary)
        if summary.state == StageSummary.State.RETURNED
        else None,
        "versions": selectors.versions(summary),
        "decisions": selectors.decisions(summary),
        "edited": [label for name, label in SECTIONS if name in services.edited_sections(summary)],
        "conflict": conflict,
        "prompt_mark": services.drafting.stored_prompt_mark(),
    }
    response = render(request, "materials/stage_summary/detail.html", context, status=status)
    return _private(response)


def _conflict(current: StageSummary, form: SummaryForm) -> list[Any]:
    """Each section the other save changed: their text against the text posted."""
    found = []
    for name, label in SECTIONS:
        yours = str(form.data.get(name, ""))
        theirs = getattr(current, name)
        if yours != theirs:
            found.append(compare(str(label), theirs, yours, name=name))
    return found


@login_required
@require_http_methods(["GET", "POST"])
def summary_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if request.method == "GET":
        return _page(request, access.get_stage_summary_for_user(user, pk))
    summary = access.get_stage_summary_for_user(user, pk, need=access.can_write_summary_of_branch)
    form = _editor(summary, request.POST)
    if not summary.editable:
        form.add_error(
            None, _("小结%(state)s，不能修改。") % {"state": summary.get_state_display()}
        )
        return _page(request, summary, form=form, status=409)
    if not form.is_valid():
        return _page(request, summary, form=form, status=400)
    data = form.cleaned_data
    try:
        saved = services.stage_summary_save(
            summary=summary, data=data, base_version=data["base_version"], actor=user
        )
        if request.POST.get("action") == "submit":
            services.stage_summary_submit(summary=saved, base_version=saved.version, actor=user)
            messages.success(request, _("小结已提交，等待审阅。"))
        else:
            messages.success(request, _("已保存。"))
    except services.StaleSummary as stale:
        form = _editor(
            stale.current, {**request.POST.dict(), "base_version": stale.current.version}
        )
        form.is_valid()
        show_service_errors(form, stale, above=ABOVE)
        return _page(
            request, stale.current, form=form, conflict=_conflict(stale.current, form), status=409
        )
    except ValidationError as error:
        # Saved, but not submitted: the page shows the saved text and what is missing.
        fresh = access.get_stage_summary_for_user(user, pk)
        form = _editor(fresh, {**request.POST.dict(), "base_version": fresh.version})
        form.is_valid()
        show_service_errors(form, error, above=ABOVE)
        return _page(request, fresh, form=form, status=400)
    return redirect("materials:stage_summary_detail", pk=summary.pk)


@login_required
@require_http_methods(["GET", "POST"])
def summary_redraft(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    summary = access.get_stage_summary_for_user(user, pk, need=access.can_edit_stage_summary)
    form = RedraftForm(request.POST or None, initial={"base_version": summary.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_summary_redraft(
                summary=summary,
                base_version=form.cleaned_data["base_version"],
                replace=form.cleaned_data["replace"],
                actor=user,
            )
        except ValidationError as error:
            show_service_errors(form, error, above=ABOVE)
        else:
            messages.success(request, _("已按最新数据重新起草。"))
            return redirect("materials:stage_summary_detail", pk=summary.pk)
    _new, sections = selectors.redraft_preview(summary)
    context = {
        "summary": summary,
        "title": document.title(summary),
        "form": form,
        "sections": sections,
        "any_change": any(s.diff.changed for s in sections),
    }
    return _private(render(request, "materials/stage_summary/redraft.html", context))


@login_required
@require_POST
def summary_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    summary = access.get_stage_summary_for_user(user, pk, need=access.can_review_stage_summary)
    form = _decision_form(request, summary, request.POST)
    if form.is_valid():
        try:
            decision = services.stage_summary_decide(
                summary=summary,
                version_number=form.cleaned_data["version_number"],
                verdict=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
                actor=user,
            )
        except ValidationError as error:
            show_service_errors(form, error, above=ABOVE)
        else:
            messages.success(
                request, _("已记录：%(verdict)s。") % {"verdict": decision.get_verdict_display()}
            )
            return redirect("materials:stage_summary_detail", pk=summary.pk)
    return _page(request, summary, decision_form=form, status=400)


# --- Files ----------------------------------------------------------------------------------


def _file(
    summary: StageSummary, content: bytes, *, extension: str, content_type: str
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = file_disposition(
        f"{document.file_stem(summary)}.{extension}",
        f"stage-summary-{summary.pk}.{extension}",
        inline=extension == "pdf",
    )
    return _private(response)


@login_required
def summary_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    summary = access.get_stage_summary_for_user(request.user, pk)
    return _file(
        summary,
        document.stage_summary_pdf(summary=summary),
        extension="pdf",
        content_type="application/pdf",
    )


@login_required
def summary_docx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    summary = access.get_stage_summary_for_user(request.user, pk)
    return _file(
        summary,
        document.stage_summary_docx(summary=summary),
        extension="docx",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
