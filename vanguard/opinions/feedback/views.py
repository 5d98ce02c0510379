"""The feedback sheet (反馈表) pages: a member's own sheet, its PDF and the
acknowledgement; and a member's sheet for those who review them. What the sheet
shows and hides is decided in `feedback.selectors` (read its docstring)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanguard.opinions import access
from vanguard.opinions.feedback import selectors, services
from vanguard.opinions.feedback.sheet import feedback_sheet_pdf
from vanguard.organization import access as organization_access
from vanguard.organization.models import Member


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _viewable_member(user: Any, member_pk: int) -> Member:
    member = Member.objects.select_related("branch").filter(pk=member_pk).first()
    if member is None or not access.can_view_feedback_sheet(user, member):
        raise Http404
    return member


def _pdf_response(sheet: selectors.FeedbackSheet) -> HttpResponse:
    response = HttpResponse(feedback_sheet_pdf(sheet), content_type="application/pdf")
    # ASCII file name (the member's number), safe in every browser's header parsing.
    response["Content-Disposition"] = f'inline; filename="feedback-{sheet.member.number}.pdf"'
    return _private(response)


@login_required
@require_GET
def feedback(request: HttpRequest) -> HttpResponse:
    member = organization_access.member_of(request.user)
    if member is None:
        return _private(render(request, "opinions/feedback_sheet.html", {"sheet": None}))
    campaign = selectors.feedback_campaign(member, request.GET.get("campaign"))
    sheet = selectors.feedback_sheet(member, campaign)
    return _private(
        render(
            request,
            "opinions/feedback_sheet.html",
            {
                "sheet": sheet,
                "is_own": True,
                "pdf_url": reverse("opinions:feedback_pdf")
                + (f"?campaign={campaign.pk}" if campaign else ""),
                "max_response": services.RESPONSE_MAX_LENGTH,
            },
        )
    )


@login_required
@require_GET
def feedback_pdf(request: HttpRequest) -> HttpResponse:
    member = organization_access.member_of(request.user)
    if member is None:
        raise Http404
    campaign = selectors.feedback_campaign(member, request.GET.get("campaign"))
    return _pdf_response(selectors.feedback_sheet(member, campaign))


@login_required
@require_POST
def feedback_acknowledge(request: HttpRequest) -> HttpResponse:
    member = organization_access.member_of(request.user)
    if member is None:
        raise Http404
    campaign = selectors.feedback_campaign(member, request.POST.get("campaign"))
    if campaign is None:
        raise Http404
    try:
        services.feedback_acknowledge(
            member=member, campaign=campaign, response=request.POST.get("response", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        sheet = selectors.feedback_sheet(member, campaign)
        return _private(
            render(
                request,
                "opinions/feedback_sheet.html",
                {
                    "sheet": sheet,
                    "is_own": True,
                    "pdf_url": reverse("opinions:feedback_pdf") + f"?campaign={campaign.pk}",
                    "max_response": services.RESPONSE_MAX_LENGTH,
                    "response_value": request.POST.get("response", ""),
                },
                status=422,
            )
        )
    messages.success(request, _("已确认反馈表。"))
    return redirect(reverse("opinions:feedback") + f"?campaign={campaign.pk}")


@login_required
@require_GET
def feedback_member(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = _viewable_member(request.user, member_pk)
    if member.user_id is not None and member.user_id == request.user.pk:
        return redirect("opinions:feedback")
    campaign = selectors.feedback_campaign(member, request.GET.get("campaign"))
    sheet = selectors.feedback_sheet(member, campaign)
    return _private(
        render(
            request,
            "opinions/feedback_sheet.html",
            {
                "sheet": sheet,
                "is_own": False,
                "pdf_url": reverse("opinions:feedback_member_pdf", args=[member.pk])
                + (f"?campaign={campaign.pk}" if campaign else ""),
            },
        )
    )


@login_required
@require_GET
def feedback_member_pdf(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = _viewable_member(request.user, member_pk)
    campaign = selectors.feedback_campaign(member, request.GET.get("campaign"))
    return _pdf_response(selectors.feedback_sheet(member, campaign))
