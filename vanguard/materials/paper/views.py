"""The paper forms' pages: thin. Who may print what is `materials.access`'s (the
ballots and opinions apps' own rules); what a form holds is `selectors`'; how it is
laid out is `documents`'."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vanguard.lib.downloads import file_disposition
from vanguard.materials import access
from vanguard.materials.paper import documents, selectors
from vanguard.materials.paper.forms import CopiesForm

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _file(
    content: bytes, content_type: str, name: str, fallback: str, *, inline: bool
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = file_disposition(
        name.replace("/", "-"), fallback, inline=inline
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _page(
    request: HttpRequest, session: Any, form: CopiesForm, *, status: int = 200
) -> HttpResponse:
    sheet = selectors.ballot_sheet(session)
    return render(
        request,
        "materials/paper/ballot_forms.html",
        {
            "session": session,
            "sheet": sheet,
            "form": form,
            "entry_note": documents.tally_entry_note(),
        },
        status=status,
    )


@login_required
@require_GET
def ballot_forms(request: HttpRequest, pk: int) -> HttpResponse:
    """The vote's paper forms: how many sheets to print, the two downloads, and the way
    to the one page where the counted totals are typed in (the ballots app's)."""
    session = access.get_paper_session_for_user(request.user, pk)
    sheet = selectors.ballot_sheet(session)
    return _page(request, session, CopiesForm(initial={"copies": max(sheet.voters, 1)}))


@login_required
@require_GET
def appraisal_sheets(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_paper_session_for_user(request.user, pk)
    form = CopiesForm(request.GET)
    if not form.is_valid():
        return _page(request, session, form, status=400)
    sheet = selectors.ballot_sheet(session)
    content = documents.appraisal_sheets_pdf(sheet, copies=form.cleaned_data["copies"])
    name = f"{documents.appraisal_title()}-{sheet.unit_name}.pdf"
    return _file(content, PDF, name, f"appraisal-sheets-{session.pk}.pdf", inline=True)


@login_required
@require_GET
def tally_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_paper_session_for_user(request.user, pk)
    sheet = selectors.ballot_sheet(session)
    content = documents.tally_sheet_pdf(sheet)
    name = f"{documents.tally_title()}-{sheet.unit_name}.pdf"
    return _file(content, PDF, name, f"tally-sheet-{session.pk}.pdf", inline=True)


@login_required
@require_GET
def survey_form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.get_paper_survey_for_user(request.user, pk)
    sheet = selectors.survey_sheet(survey)
    content = documents.survey_form_pdf(sheet)
    name = f"{documents.survey_title()}-{sheet.branch_name}.pdf"
    return _file(content, PDF, name, f"survey-form-{survey.pk}.pdf", inline=True)


@login_required
@require_GET
def survey_form_docx(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.get_paper_survey_for_user(request.user, pk)
    sheet = selectors.survey_sheet(survey)
    content = documents.survey_form_docx(sheet)
    name = f"{documents.survey_title()}-{sheet.branch_name}.docx"
    return _file(content, DOCX, name, f"survey-form-{survey.pk}.docx", inline=False)
