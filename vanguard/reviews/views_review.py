"""The reviewers' pages of the three rounds (三上三下): the branch's review queue, one
document as its reviewers see it (the branch's judgement of the three criteria and
its verdict, the grade facts of rounds 2 and 3, the committee's word), the
committee's list of documents passed up, and the per-branch progress.

Documents come through `reviews.access`, which also decides who may act on them
(outside one's scope: 404; in it without the capability: 403); every change goes
through `reviews.services`, whose refusals come back as messages on the form, with
nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.access import Person
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib.forms import query_int, show_service_errors
from vanguard.reviews import access, services
from vanguard.reviews import selectors_review as selectors
from vanguard.reviews.forms_review import (
    BranchReviewForm,
    BulkResponseForm,
    CommitteeResponseForm,
    RoundNoteForm,
)
from vanguard.reviews.models import CRITERIA, SECTIONS, BranchReview, SelfAnalysis

State = SelfAnalysis.State


# --- The branch review queue ------------------------------------------------------


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    access.get_branch_review_units_for_user(request.user)
    queues = selectors.review_queue(request.user)
    return render(
        request,
        "reviews/review_queue.html",
        {"queues": queues, "response_labels": selectors.RESPONSE_LABELS},
    )


# --- One document as its reviewers see it -----------------------------------------


def _render_detail(
    request: HttpRequest,
    document: SelfAnalysis,
    *,
    review_form: BranchReviewForm | None = None,
    grade_form: RoundNoteForm | None = None,
    response_form: CommitteeResponseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = selectors.review_context(document)
    latest = context.latest
    current_round = context.current_round
    may_review = (
        access.can_branch_review(user, document)
        and document.state == State.SUBMITTED
        and latest is not None
    )
    if may_review and review_form is None:
        review_form = BranchReviewForm(initial={"version": latest.number})  # type: ignore[union-attr]
    may_record = (
        current_round is not None
        and current_round.number > 1
        and current_round.closed_at is None
        and document.state != State.APPROVED
        and access.can_record_grade_fact(user, document)
    )
    if may_record and grade_form is None:
        grade_form = RoundNoteForm(initial={"note": current_round.note})  # type: ignore[union-attr]
    # The votes and grades the system holds, shown read-only (rounds 2 and 3).
    facts = report = None
    if current_round is not None and current_round.number > 1:
        facts = services.appraisal_facts(document)
        # What the round reports up: kept when the branch passed it, else what passing
        # now would record.
        report = current_round.grade_fact or services.appraisal_grade_fact(
            document, current_round.number
        )
    may_respond = (
        access.can_committee_respond(user, document) and document.state == State.WITH_COMMITTEE
    )
    response_label = selectors.RESPONSE_LABELS.get(document.current_round)
    if may_respond and response_form is None:
        response_form = CommitteeResponseForm(label=response_label)
    for form, shown in (
        (review_form, may_review),
        (grade_form, may_record),
        (response_form, may_respond),
    ):
        if form is not None and not shown and form.is_bound:
            # The form is no longer offered (the state moved on): its refusal becomes a message.
            for errors in form.errors.as_data().values():
                for error in errors:
                    for message in error.messages:
                        messages.error(request, message)
    sections = (
        [(label, getattr(latest, name)) for name, label in SECTIONS] if latest is not None else []
    )
    criteria_labels = dict(CRITERIA)
    reviews = [
        {
            "review": review,
            "criteria": [
                (criteria_labels.get(name, name), item.get("ok"), item.get("comment", ""))
                for name, item in (review.criteria or {}).items()
            ],
        }
        for review in context.reviews
    ]
    return render(
        request,
        "reviews/review_detail.html",
        {
            "document": document,
            "ctx": context,
            "latest": latest,
            "previous": context.previous,
            "sections": sections,
            "reviews": reviews,
            "current_round": current_round,
            "facts": facts,
            "report": report,
            "review_form": review_form if may_review else None,
            "grade_form": grade_form if may_record else None,
            "response_form": response_form if may_respond else None,
            "response_label": response_label,
            "response_labels": selectors.RESPONSE_LABELS,
            "may_review_branch": access.can_branch_review(user, document),
            "is_author": access.can_edit_self_analysis(user, document),
            "user_is_committee": access.can_committee_respond(user, document),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the latest version with its history, read by everyone who may see the
    document. POST: the branch's review (criteria, feedback, verdict)."""
    if request.method == "GET":
        return _render_detail(request, access.get_self_analysis_for_user(request.user, pk))
    document = access.get_self_analysis_for_user(request.user, pk, need=access.can_branch_review)
    form = BranchReviewForm(request.POST)
    if form.is_valid():
        version = document.versions.filter(number=form.cleaned_data["version"]).first()
        if version is None:
            form.add_error(None, _("只能审阅最新提交的版本，请刷新页面。"))
        else:
            try:
                review = services.branch_review(
                    document=document,
                    version=version,
                    reviewer=request.user,
                    criteria=form.criteria(),
                    verdict=form.cleaned_data["verdict"],
                    reasons=form.cleaned_data["reasons"],
                    achievements=form.cleaned_data["achievements"],
                    problems=form.cleaned_data["problems"],
                    directions=form.cleaned_data["directions"],
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                if review.verdict == BranchReview.Verdict.PASS:
                    text = _("已通过%(name)s的材料（第%(round)s轮），报党委。")
                else:
                    text = _("已将%(name)s的材料（第%(round)s轮）退回修改。")
                messages.success(
                    request, text % {"name": document.member.name, "round": review.round.number}
                )
                return redirect("reviews:queue")
    document.refresh_from_db()
    return _render_detail(request, document, review_form=form, status=400)


@login_required
@require_POST
def grade_fact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The branch's note on the current round's grade facts (rounds 2 and 3): what the
    system cannot know; the votes and grades are the system's."""
    document = access.get_self_analysis_for_user(
        request.user, pk, need=access.can_record_grade_fact
    )
    form = RoundNoteForm(request.POST)
    if form.is_valid():
        round_ = document.rounds.filter(number=document.current_round).first()
        try:
            if round_ is None:
                raise ValidationError(_("这份材料还没有开始本轮审阅。"))
            services.round_note_record(
                round=round_, text=form.cleaned_data["note"], user=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("已保存第%(round)s轮的补充说明。") % {"round": round_.number}
            )
            return redirect("reviews:review", pk=document.pk)
    return _render_detail(request, document, grade_form=form, status=400)


@login_required
@require_POST
def committee_respond(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The committee's guidance, opinion or approval for one document."""
    document = access.get_self_analysis_for_user(
        request.user, pk, need=access.can_committee_respond
    )
    label = selectors.RESPONSE_LABELS.get(document.current_round)
    form = CommitteeResponseForm(request.POST, label=label)
    if form.is_valid():
        try:
            response = services.committee_respond(
                document=document, text=form.cleaned_data["text"], user=request.user
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已向%(name)s发回%(what)s。")
                % {
                    "name": document.member.name,
                    "what": selectors.RESPONSE_LABELS[response.round.number],
                },
            )
            return redirect("reviews:committee")
    document.refresh_from_db()
    return _render_detail(request, document, response_form=form, status=400)


# --- The committee's list ---------------------------------------------------------


def _committee_filters(request: HttpRequest, user: Person) -> dict[str, Any]:
    units = selectors.committee_units(user)
    unit_id = query_int(request.GET.get("unit") or request.POST.get("unit"))
    round_number = query_int(request.GET.get("round") or request.POST.get("round"))
    return {
        "units": units,
        "unit": units.filter(pk=unit_id).first() if unit_id else None,
        "round": round_number if round_number in selectors.ROUNDS else None,
    }


def _committee_page(
    request: HttpRequest, filters: dict[str, Any], bulk_form: BulkResponseForm | None, status: int
) -> HttpResponse:
    documents = list(
        selectors.committee_queue(request.user, unit=filters["unit"], round_number=filters["round"])
    )
    if bulk_form is None:
        bulk_form = BulkResponseForm(document_ids=[d.pk for d in documents])
    return render(
        request,
        "reviews/committee_list.html",
        {
            "documents": documents,
            "filters": filters,
            "rounds": selectors.ROUNDS,
            "bulk_form": bulk_form,
            "response_labels": selectors.RESPONSE_LABELS,
        },
        status=status,
    )


@login_required
@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    access.get_committee_review_units_for_user(request.user)
    return _committee_page(request, _committee_filters(request, request.user), None, 200)


@login_required
@require_POST
def committee_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One text for several documents at once (a branch with many members). All or
    nothing: if one document is refused, none is answered."""
    user = request.user
    access.get_committee_review_units_for_user(user)
    filters = _committee_filters(request, user)
    queue = {
        d.pk: d for d in selectors.committee_queue(user, unit=filters["unit"], round_number=None)
    }
    form = BulkResponseForm(request.POST, document_ids=list(queue))
    if form.is_valid():
        chosen = access.get_self_analyses_for_user(
            user, form.cleaned_data["documents"], need=access.can_committee_respond
        )
        try:
            with transaction.atomic():
                for document in chosen:
                    try:
                        services.committee_respond(
                            document=document, text=form.cleaned_data["text"], user=user
                        )
                    except ValidationError as error:
                        raise ValidationError(
                            _("%(name)s：%(reason)s")
                            % {"name": document.member.name, "reason": _("；").join(error.messages)}
                        ) from error
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request, _("已对%(count)s份材料发回党委意见。") % {"count": len(chosen)}
            )
            url = reverse("reviews:committee")
            query = request.POST.get("query", "")
            return redirect(f"{url}?{query}" if query else url)
    return _committee_page(request, filters, form, 400)


# --- Progress ---------------------------------------------------------------------


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.get_progress_units_for_user(user)
    campaigns = list(selectors.progress_campaigns(user))
    campaign_id = query_int(request.GET.get("campaign"))
    campaign = next((c for c in campaigns if c.pk == campaign_id), None) or (
        campaigns[0] if campaigns else None
    )
    units = selectors.progress_filter_units(user)
    unit_id = query_int(request.GET.get("unit"))
    unit = units.filter(pk=unit_id).first() if unit_id else None
    rows = selectors.review_progress(user, campaign=campaign, unit=unit) if campaign else []
    return render(
        request,
        "reviews/progress_branches.html",
        {
            "campaigns": campaigns,
            "campaign": campaign,
            "units": units,
            "unit": unit,
            "rows": rows,
            "totals": selectors.progress_totals(rows) if rows else None,
            "columns": selectors.progress_columns(),
            "rounds": selectors.ROUNDS,
            "round_states": selectors.ROUND_STATES,
        },
    )
