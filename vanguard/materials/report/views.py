"""Pages of the drafted campaign review report: the way in (the campaigns whose report
the person reads), the page with the figures, the candidate examples and the
committee's choice, and the draft itself (.docx), built on request. Thin: access is
asked of `materials.access`, reads of `selectors`, the choice saved by `services`."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts.models import User
from vanguard.lib.downloads import file_disposition
from vanguard.lib.forms import show_service_errors
from vanguard.materials import access
from vanguard.materials.report import document, selectors, services
from vanguard.materials.report.candidates import KINDS, kind_labels

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SelectionForm(forms.Form):
    """Only the place for the service's messages: the ticked boxes are read as a list."""


@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    campaigns = access.report_campaigns(request.user)
    if len(campaigns) == 1:
        return redirect("materials:report", campaigns[0].pk)
    return render(request, "materials/report/index.html", {"campaigns": campaigns})


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    drafting = request.method == "POST"
    campaign = access.get_report_campaign_for_user(user, campaign_pk, draft=drafting)
    data = selectors.report_data(user, campaign)
    form = SelectionForm(request.POST or None)
    ticked = request.POST.getlist("chosen") if drafting else selectors.chosen_refs(campaign)
    if drafting:
        try:
            services.report_selection_save(
                campaign=campaign,
                user=cast(User, user),
                refs=ticked,
                candidates=data.candidates,
            )
        except ValidationError as error:
            show_service_errors(form, error, above=("chosen",))
        else:
            messages.success(request, _("已保存选用的事例，共%(n)d项。") % {"n": len(ticked)})
            return redirect("materials:report", campaign.pk)
    labels = kind_labels()
    groups = [
        (labels[kind], [c for c in data.candidates if c.kind == kind])
        for kind in KINDS
        if any(c.kind == kind for c in data.candidates)
    ]
    return render(
        request,
        "materials/report/page.html",
        {
            "campaign": campaign,
            "figures": data.figures,
            "groups": groups,
            "chosen": data.chosen,
            "ticked": set(ticked),
            "form": form,
            "may_draft": access.can_draft_report(user, campaign),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def report_download(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_report_campaign_for_user(request.user, campaign_pk)
    data = selectors.report_data(request.user, campaign)
    body = document.report_docx(
        data.figures, document.Drafted(examples=data.chosen, today=document.today())
    )
    response = HttpResponse(body, content_type=DOCX)
    name = _("%(title)s（初稿）.docx") % {"title": document.report_title(data.figures)}
    response["Content-Disposition"] = file_disposition(name, f"report-{campaign.pk}.docx")
    return response
