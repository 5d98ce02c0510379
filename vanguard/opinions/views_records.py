"""Individual talks (个人交谈) and symposia (座谈会): a branch committee member records
one, then enters each opinion heard in it separately.

The participants are a source: they, the notes and each opinion's source are shown
only where `access.can_see_record_sources` allows — to a sorter above the branch,
never to one who could be the subject of an opinion heard in it; opinions about the
viewer are never listed (`access.visible_opinions`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.opinions import access, services_intake
from vanguard.opinions.forms_intake import RecordForm, RecordOpinionForm
from vanguard.opinions.models import Aspect, OpinionRecord
from vanguard.organization import access as organization_access
from vanguard.organization.models import Unit

PAGE_SIZE = 30


def get_record_for_user(user: Any, pk: int) -> OpinionRecord:
    """A record of a branch whose opinions this person gathers (404 unseen, 403 read-only)."""
    record = (
        OpinionRecord.objects.select_related("branch", "campaign", "campaign__unit", "recorded_by")
        .filter(pk=pk)
        .first()
    )
    if (
        record is None
        or not record.branch.is_active
        or not organization_access.can_view_unit(user, record.branch)
    ):
        raise Http404
    if not access.can_sort_opinions(user, record.branch):
        raise PermissionDenied
    return record


def _branches(user: Any) -> Any:
    return (
        access.opinion_units(user)
        .filter(kind=Unit.Kind.BRANCH)
        .select_related("parent")
        .order_by("path")
    )


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    branches = _branches(request.user)
    records = (
        OpinionRecord.objects.filter(branch__in=branches)
        .select_related("branch", "recorded_by")
        .annotate(opinion_count=Count("opinions"))
        .order_by("-held_on", "-pk")
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "opinions/records_list.html",
        {"page": page, "can_record": branches.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    branches = _branches(request.user)
    if not branches.exists():
        raise PermissionDenied
    if request.method == "POST":
        form = RecordForm(request.POST, branches=branches)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services_intake.RECORD_FIELDS}
            try:
                record = services_intake.record_create(
                    branch=form.cleaned_data["branch"], recorded_by=request.user, data=data
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, found in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, found)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("记录已保存，请逐条录入听到的意见。"))
                return redirect("opinions:record_detail", pk=record.pk)
    else:
        form = RecordForm(branches=branches, initial={"kind": OpinionRecord.Kind.TALK})
    return render(request, "opinions/records_form.html", {"form": form})


def _opinion_form(record: OpinionRecord, data: Any = None) -> RecordOpinionForm:
    services_intake.aspects_for(record.campaign)
    return RecordOpinionForm(
        data,
        members=services_intake.branch_members(record.branch),
        aspects=Aspect.objects.filter(campaign=record.campaign).order_by("order", "pk"),
    )


def _detail(
    request: HttpRequest, record: OpinionRecord, form: RecordOpinionForm, status: int = 200
) -> HttpResponse:
    opinions = access.visible_opinions(request.user).filter(record=record).order_by("pk")
    return render(
        request,
        "opinions/records_detail.html",
        {
            "record": record,
            "opinions": opinions,
            # Who took part, the notes (which may name them) and each opinion's source:
            # only for a sorter who cannot be the subject of any opinion heard in it.
            "show_sources": access.can_see_record_sources(request.user, record),
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    return _detail(request, record, _opinion_form(record))


@login_required
@require_POST
def record_add_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_record_for_user(request.user, pk)
    form = _opinion_form(record, request.POST)
    if form.is_valid():
        try:
            services_intake.record_add_opinion(
                record=record,
                about=form.cleaned_data["about"],
                text=form.cleaned_data["text"],
                aspect=form.cleaned_data["aspect"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            for field, found in error.message_dict.items():
                form.add_error(field if field in form.fields else None, found)
        else:
            messages.success(request, _("已录入一条意见。"))
            return redirect("opinions:record_detail", pk=record.pk)
    return _detail(request, record, form, status=400)
