"""The member's editor (我的党性分析材料), a document's history, and the comparison
of two versions. Thin: access through `reviews.access`, writes through `services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.opinions.feedback.selectors import feedback_sheet
from vanguard.organization import access as organization_access
from vanguard.reviews import access, diff, selectors, services
from vanguard.reviews.forms import DraftForm
from vanguard.reviews.models import GUIDANCE_LENGTH, SECTIONS
from vanguard.study.models import StudyWork

FEEDBACK_PREVIEW = 12  # opinions shown beside the editor; the full sheet is a link away


def _sections(document) -> dict[str, str]:
    return {name: getattr(document, name) for name, _label in SECTIONS}


def _side_panel(member, document) -> dict:
    sheet = feedback_sheet(member, document.campaign)
    items = [item for group in sheet.groups for item in group.items][:FEEDBACK_PREVIEW]
    works = (
        StudyWork.objects.filter(member=member, campaign=document.campaign)
        .only("pk", "title", "kind", "submitted_at")
        .order_by("-submitted_at")
    )
    return {
        "feedback_items": items,
        "feedback_more": sheet.opinion_count > len(items),
        "feedback_count": sheet.opinion_count,
        "study_works": works,
    }


def _render_editor(request, *, member, document, form, conflict=None, status=200):
    editable = document.state in services.EDITABLE_STATES
    context = {
        "document": document,
        "form": form,
        "editable": editable,
        "guidance_length": GUIDANCE_LENGTH,
        "next_step": selectors.next_step(document),
        "returned": selectors.latest_return(document),
        "guidance": selectors.committee_guidance(document),
        "versions": list(selectors.versions(document)),
        "conflict": conflict,
        "section_fields": [form[name] for name, _label in SECTIONS],
        **_side_panel(member, document),
    }
    return render(request, "reviews/member_editor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = organization_access.member_of(request.user)
    if member is None:
        return render(request, "reviews/member_none.html", {"reason": "no_member"})
    document = services.document_for_member(member=member)
    if document is None:
        return render(request, "reviews/member_none.html", {"reason": "no_campaign"})
    if request.method == "GET":
        form = DraftForm(initial={**_sections(document), "base_version": document.draft_version})
        return _render_editor(request, member=member, document=document, form=form)

    document = access.get_self_analysis_for_user(
        request.user, document.pk, need=access.can_edit_self_analysis
    )
    form = DraftForm(request.POST)
    if not form.is_valid():
        return _render_editor(request, member=member, document=document, form=form, status=422)
    posted = form.sections()
    base = form.cleaned_data["base_version"]
    submitting = request.POST.get("action") == "submit"
    try:
        if posted != _sections(document):
            document = services.draft_save(
                document=document, data=posted, base_version=base, user=request.user
            )
            base = document.draft_version
        elif submitting:
            # Nothing changed from what is saved: submit the saved text. A repeated
            # (double-clicked) submit lands here and returns the existing version.
            base = document.draft_version
        if submitting:
            version = services.document_submit(
                document=document, base_version=base, user=request.user
            )
            messages.success(
                request,
                _("已提交第 %(number)s 版，等待支部审阅。") % {"number": version.number},
            )
        else:
            messages.success(request, _("已保存。"))
    except services.StaleDraft as stale:
        # Keep the member's text in the editor; show the other save's text beside it.
        mine_form = DraftForm(initial={**posted, "base_version": stale.current_version})
        conflict = [
            {"label": label, "theirs": getattr(stale.current, name), "yours": posted[name]}
            for name, label in SECTIONS
            if getattr(stale.current, name) != posted[name]
        ]
        messages.error(request, str(stale))
        return _render_editor(
            request,
            member=member,
            document=stale.current,
            form=mine_form,
            conflict=conflict,
            status=409,
        )
    except ValidationError as error:
        document.refresh_from_db()
        for message in error.messages:
            messages.error(request, message)
        keep = DraftForm(initial={**posted, "base_version": document.draft_version})
        return _render_editor(request, member=member, document=document, form=keep, status=422)
    return redirect("reviews:mine")


@login_required
@require_POST
def autosave(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The editor's background save (static/js/autosave.js). JSON: 200 saved,
    409 conflict with the other save's text, 422 refused."""
    member = organization_access.member_of(request.user)
    document = services.document_for_member(member=member) if member else None
    # No member record or no campaign: there is no document to save (404).
    document = access.get_self_analysis_for_user(
        request.user, document.pk if document else None, need=access.can_edit_self_analysis
    )
    form = DraftForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"message": _("数据有误，请刷新页面后再试。")}, status=422)
    try:
        saved = services.draft_save(
            document=document,
            data=form.sections(),
            base_version=form.cleaned_data["base_version"],
            user=request.user,
        )
    except services.StaleDraft as stale:
        return JsonResponse(
            {
                "message": str(stale),
                "current_version": stale.current_version,
                "current": _sections(stale.current),
                "labels": {name: str(label) for name, label in SECTIONS},
            },
            status=409,
        )
    except ValidationError as error:
        return JsonResponse({"message": " ".join(error.messages)}, status=422)
    saved_at = formats.time_format(timezone.localtime(saved.draft_saved_at), "H:i:s")
    return JsonResponse(
        {
            "version": saved.draft_version,
            "saved_at": saved_at,
            "message": _("已自动保存（%(time)s）") % {"time": saved_at},
        }
    )


@login_required
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    document = access.get_self_analysis_for_user(request.user, pk)
    all_versions = list(selectors.versions(document))
    return render(
        request,
        "reviews/version_history.html",
        {
            "document": document,
            "versions": all_versions,
            "events": selectors.history(document),
            "rounds": selectors.rounds(document),
            "is_author": access.can_edit_self_analysis(request.user, document),
        },
    )


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = access.get_self_analysis_for_user(request.user, pk)
    version = access.get_version(document, number)
    sections = [(label, getattr(version, name)) for name, label in SECTIONS]
    return render(
        request,
        "reviews/version_detail.html",
        {"document": document, "version": version, "sections": sections},
    )


@login_required
@require_GET
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions side by side (?a=1&b=2; default: the last two)."""
    document = access.get_self_analysis_for_user(request.user, pk)
    numbers = list(document.versions.order_by("number").values_list("number", flat=True))
    error = ""
    old = new = None
    if len(numbers) >= 2:
        try:
            a = int(request.GET.get("a", numbers[-2]))
            b = int(request.GET.get("b", numbers[-1]))
        except ValueError:
            a, b = numbers[-2], numbers[-1]
            error = _("版本号应为数字，已显示最近两个版本。")
        if a not in numbers or b not in numbers:
            error = _("没有这个版本，已显示最近两个版本。")
            a, b = numbers[-2], numbers[-1]
        old, new = access.get_version(document, a), access.get_version(document, b)
    return render(
        request,
        "reviews/version_compare.html",
        {
            "document": document,
            "numbers": numbers,
            "old": old,
            "new": new,
            "sections": diff.side_by_side(old, new) if old and new else [],
            "error": error,
        },
    )
