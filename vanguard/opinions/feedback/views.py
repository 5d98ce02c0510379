"""The feedback sheet (反馈表) pages: a member's own sheet, its PDF and the
acknowledgement; and a member's sheet for those who review them. What the sheet
shows and hides is decided in `feedback.selectors` (read its docstring)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanguard.campaigns.kept_pages import kept_page
from vanguard.opinions import access
from vanguard.opinions.feedback import selectors, services
from vanguard.opinions.feedback.sheet import feedback_sheet_pdf
from vanguard.organization import access as organization_access


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf_response(sheet: selectors.FeedbackSheet) -> HttpResponse:
    response = HttpResponse(feedback_sheet_pdf(sheet), content_type="application/pdf")
    filename = f"feedback-{sheet.member.number}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename) or "inline"
    return _private(response)


@login_required
@require_GET
@kept_page
def feedback(request: HttpRequest) -> HttpResponse:
    member = organization_access.member_of(request.user)
    if member is None:
        return _private(render(request, "opinions/feedback_sheet.html", {"sheet": None}))
    campaign = access.feedback_campaign(member, request.GET.get("campaign"))
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
    member = access.get_own_member(request.user)
    campaign = access.feedback_campaign(member, request.GET.get("campaign"))
    return _pdf_response(selectors.feedback_sheet(member, campaign))


@login_required
@require_POST
def feedback_acknowledge(request: HttpRequest) -> HttpResponse:
    member = access.get_own_member(request.user)
    campaign = access.get_feedback_campaign(member, request.POST.get("campaign"))
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
    member = access.get_feedback_member_for_user(request.user, member_pk)
    if member.user_id is not None and member.user_id == request.user.pk:
        return redirect("opinions:feedback")
    campaign = access.feedback_campaign(member, request.GET.get("campaign"))
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
    member = access.get_feedback_member_for_user(request.user, member_pk)
    campaign = access.feedback_campaign(member, request.GET.get("campaign"))
    return _pdf_response(selectors.feedback_sheet(member, campaign))
