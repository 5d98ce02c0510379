"""The meeting record book's pages: thin. Who may read whose book is
`materials.access`'s; what the book holds is `selectors`'; its layout `document`'s."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanguard.lib.downloads import file_disposition
from vanguard.lib.forms import query_int
from vanguard.materials import access
from vanguard.materials.meeting_book import document, selectors

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PAGE_SIZE = 50


def _file(content: bytes, content_type: str, name: str, fallback: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = file_disposition(name.replace("/", "-"), fallback)
    response["Cache-Control"] = "private, no-store"
    return response


def _name(campaign, branch, suffix: str) -> str:
    return f"{branch.name}-{campaign.name}-{document.title()}.{suffix}"


@login_required
@require_GET
def book_index(request: HttpRequest) -> HttpResponse:
    """The branches whose book the person reads, in one campaign (the newest unless
    `?campaign=` names another), each with its meetings held and its two downloads."""
    user = request.user
    campaigns = access.meeting_book_campaigns(user)
    chosen = query_int(request.GET.get("campaign"))
    campaign = next((c for c in campaigns if c.pk == chosen), None) or (
        campaigns[0] if campaigns else None
    )
    page = None
    if campaign is not None:
        branches = selectors.branches_with_meetings(
            access.meeting_book_branches(user, campaign), campaign
        )
        page = Paginator(branches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "materials/meeting_book/index.html",
        {"campaigns": campaigns, "campaign": campaign, "page": page},
    )


@login_required
@require_GET
def book_pdf(request: HttpRequest, campaign_pk: int, branch_pk: int) -> HttpResponse:
    branch = access.get_meeting_book_branch_for_user(request.user, branch_pk)
    campaign = access.get_meeting_book_campaign_for_user(request.user, campaign_pk, branch)
    content = document.meeting_book_pdf(campaign=campaign, branch=branch)
    return _file(content, PDF, _name(campaign, branch, "pdf"), "meeting-book.pdf")


@login_required
@require_GET
def book_docx(request: HttpRequest, campaign_pk: int, branch_pk: int) -> HttpResponse:
    branch = access.get_meeting_book_branch_for_user(request.user, branch_pk)
    campaign = access.get_meeting_book_campaign_for_user(request.user, campaign_pk, branch)
    content = document.meeting_book_docx(campaign=campaign, branch=branch)
    return _file(content, DOCX, _name(campaign, branch, "docx"), "meeting-book.docx")
