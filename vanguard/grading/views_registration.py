"""The member appraisal registration form (党员评议登记表) as PDF and Word, per member and
for a whole branch. What the form shows is decided in `selectors_registration`; who may
download it in `access.can_view_registration_form` (the member themself and the
readers of the branch grading) and `get_grading_branch_for_user` (the bundle)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from vanguard.campaigns import access as campaigns_access
from vanguard.documents import registration_form
from vanguard.grading import access, selectors_registration
from vanguard.organization.models import Member, Unit

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _campaign_covering(request: HttpRequest, campaign_pk: int, branch: Unit) -> Any:
    campaign = campaigns_access.get_campaign_for_user(request.user, campaign_pk)
    if not branch.path.startswith(campaign.unit.path):
        raise Http404
    return campaign


def _member_form(request: HttpRequest, campaign_pk: int, member_pk: int):
    member = Member.objects.select_related("branch").filter(pk=member_pk).first()
    if member is None or not access.can_view_registration_form(request.user, member):
        raise Http404
    campaign = _campaign_covering(request, campaign_pk, member.branch)
    # The member themself, unless they also read their branch's grading, sees the
    # votes and grades only once the committee has approved them.
    for_member = not access.can_view_grading(request.user, member.branch)
    return selectors_registration.registration_data(member, campaign, for_member=for_member)


def _file(
    content: bytes, content_type: str, subject: str, fallback: str, extension: str, *, inline: bool
) -> HttpResponse:
    """The file named like 党员评议登记表-王小明.pdf: RFC 5987 (filename*=utf-8''…) for the
    Chinese name, after a plain ASCII name (registration-form-T0002.pdf) for old clients."""
    response = HttpResponse(content, content_type=content_type)
    name = f"{registration_form.title()}-{subject}.{extension}".replace("/", "-")
    ascii_name = "registration-form-" + re.sub(r"[^A-Za-z0-9_-]", "", fallback or "x")
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{ascii_name}.{extension}"; '
        f"filename*=utf-8''{quote(name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def member_pdf(request: HttpRequest, campaign_pk: int, member_pk: int) -> HttpResponse:
    data = _member_form(request, campaign_pk, member_pk)
    content = registration_form.registration_form_pdf(data)
    return _file(content, PDF, data.name, data.number, "pdf", inline=True)


@login_required
@require_GET
def member_docx(request: HttpRequest, campaign_pk: int, member_pk: int) -> HttpResponse:
    data = _member_form(request, campaign_pk, member_pk)
    content = registration_form.registration_form_docx(data)
    return _file(content, DOCX, data.name, data.number, "docx", inline=False)


@login_required
@require_GET
def branch_pdf(request: HttpRequest, campaign_pk: int, branch_pk: int) -> HttpResponse:
    """Every member's form of the branch, one per page, for the secretary to print."""
    branch = access.get_grading_branch_for_user(request.user, branch_pk)
    campaign = _campaign_covering(request, campaign_pk, branch)
    forms = selectors_registration.branch_registrations(branch, campaign)
    content = registration_form.registration_forms_pdf(forms)
    return _file(content, PDF, branch.name, f"branch-{branch.pk}", "pdf", inline=True)
