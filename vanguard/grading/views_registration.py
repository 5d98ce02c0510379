"""The member appraisal registration form (党员评议登记表) as PDF and Word, per member and
for a whole branch. What the form shows is decided in `selectors_registration`; who may
download it in `access.get_registration_member_for_user` (the member themself and the
readers of the branch grading) and `get_grading_branch_for_user` (the bundle)."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from vanguard.grading import access, registration_form, selectors_registration
from vanguard.grading.selectors_registration import RegistrationData
from vanguard.lib.downloads import file_disposition

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _member_form(request: HttpRequest, campaign_pk: int, member_pk: int) -> RegistrationData:
    member = access.get_registration_member_for_user(request.user, member_pk)
    campaign = access.get_campaign_for_branch(request.user, campaign_pk, member.branch)
    # The member themself, unless they also read their branch's grading, sees the
    # votes and grades only once the committee has approved them.
    for_member = not access.can_view_grading(request.user, member.branch)
    return selectors_registration.registration_data(member, campaign, for_member=for_member)


def _file(
    content: bytes, content_type: str, subject: str, fallback: str, extension: str, *, inline: bool
) -> HttpResponse:
    """The file named like 党员评议登记表-王小明.pdf, or registration-form-T0002.pdf for
    clients that cannot read the Chinese name."""
    response = HttpResponse(content, content_type=content_type)
    name = f"{registration_form.title()}-{subject}.{extension}".replace("/", "-")
    ascii_name = "registration-form-" + re.sub(r"[^A-Za-z0-9_-]", "", fallback or "x")
    response["Content-Disposition"] = file_disposition(
        name, f"{ascii_name}.{extension}", inline=inline
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
    campaign = access.get_campaign_for_branch(request.user, campaign_pk, branch)
    forms = selectors_registration.branch_registrations(branch, campaign)
    content = registration_form.registration_forms_pdf(forms)
    return _file(content, PDF, branch.name, f"branch-{branch.pk}", "pdf", inline=True)
