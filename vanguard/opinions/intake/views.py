"""Pages of the intake channels, by which opinions come in.

- The suggestion box (意见箱): the public page where anyone leaves an opinion about a
  branch, one of its members or the committee, and the login pages where a secretary
  finds the box's link and prints its QR poster. The public page writes with no audit
  actor, keeps no address, browser signature or time (only the date), logs nothing of
  what was sent, and counts submissions for the rate limit only in the cache
  (ratelimit.py).
- The written survey (书面调查): a secretary starts a survey of their branch, issues
  one-time links to named respondents (shown once, with QR codes, to print), types in
  paper forms, and closes it; a respondent answers through their link without an
  account.
- Individual talks (个人交谈) and symposia (座谈会): a branch committee member records
  one, then enters each opinion heard in it separately. The participants are a
  source: they, the notes and each opinion's source are shown only where
  `access.can_see_record_sources` allows — to a sorter above the branch, never to one
  who could be the subject of an opinion heard in it; opinions about the viewer are
  never listed (`access.visible_opinions`).
- The page where committee admins edit a campaign's aspects (意见方面).
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.models import Campaign
from vanguard.opinions import access, ratelimit
from vanguard.opinions.intake import services
from vanguard.opinions.intake.forms import (
    BoxForm,
    InviteForm,
    RecordForm,
    RecordOpinionForm,
    SurveyCreateForm,
    answer_sections,
)
from vanguard.opinions.models import Aspect, OpinionRecord, Survey
from vanguard.organization import access as organization_access
from vanguard.organization.models import Unit

# --- Suggestion box (意见箱) -------------------------------------------------------------

BOX_RATE_SCOPE = "box"


def _public_url(request: HttpRequest, box: services.Box) -> str:
    slug = services.box_slug(box.campaign, box.branch)
    return request.build_absolute_uri(reverse("opinions_public:box", args=[slug]))


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "opinions/box_missing.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def box(request: HttpRequest, slug: str) -> HttpResponse:
    found = services.box_from_slug(slug)
    if found is None:
        return _missing(request)
    members = services.branch_members(found.branch)
    context: dict[str, Any] = {"box": found, "slug": slug, "limited": False}
    status = 200
    if request.method == "POST":
        form = BoxForm(request.POST, members=members)
        if ratelimit.is_limited(request, BOX_RATE_SCOPE):
            context["limited"] = True
            status = 429
        elif request.POST.get("website"):
            # A bot filled in the hidden field: thank it and write nothing.
            ratelimit.count(request, BOX_RATE_SCOPE)
            return redirect("opinions_public:box_thanks", slug=slug)
        elif form.is_valid():
            try:
                services.box_submit(
                    box=found,
                    about=form.cleaned_data["about"],
                    text=form.cleaned_data["text"],
                    contact=form.cleaned_data["contact"],
                    submission_token=form.cleaned_data["submission_token"],
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                ratelimit.count(request, BOX_RATE_SCOPE)
                return redirect("opinions_public:box_thanks", slug=slug)
    else:
        form = BoxForm(members=members)
    context["form"] = form
    return render(request, "opinions/box_form.html", context, status=status)


@never_cache
@require_GET
def box_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    found = services.box_from_slug(slug)
    if found is None:
        return _missing(request)
    return render(request, "opinions/box_thanks.html", {"box": found, "slug": slug})


@login_required
@require_GET
def box_list(request: HttpRequest) -> HttpResponse:
    """The boxes this person looks after (with their posters), and their own branch's box."""
    boxes = []
    for unit in access.gathering_branches(request.user):
        found = services.box_for_branch(unit)
        if found is not None:
            boxes.append({"box": found, "url": _public_url(request, found)})
    own = None
    member = organization_access.member_of(request.user)
    if member is not None and member.branch.is_active:
        found = services.box_for_branch(member.branch)
        if found is not None:
            own = {"box": found, "url": _public_url(request, found)}
    return render(request, "opinions/box_list.html", {"boxes": boxes, "own": own})


@login_required
@require_GET
def box_poster(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """A printable A4 poster with the box's QR code, for the secretary to put up."""
    unit = access.get_unit_for_user(request.user, unit_pk)
    found = services.box_for_branch(unit) if unit.kind == Unit.Kind.BRANCH else None
    if found is None:
        return render(request, "opinions/box_missing.html", status=404)
    url = _public_url(request, found)
    qr_svg = segno.make(url, error="m").svg_inline(
        scale=8, border=2, title=_("意见箱二维码"), svgclass="qr-code"
    )
    return render(
        request,
        "opinions/box_poster.html",
        {"box": found, "url": url, "qr_svg": qr_svg},
    )


# --- Written survey (书面调查) ------------------------------------------------------------

# The pages whose address holds a survey token (the links page, the respondent's page)
# keep it from leaving the site in a Referer. Not `no-referrer`: under it a browser
# sends `Origin: null` on every POST the page makes — the answers, the language switch,
# sign-out — and Django's CSRF check refuses them all (issue 10, finding 11).
# `same-origin` sends the address to this site only (tests/test_referrer_policy.py).
LINK_PAGE_REFERRER_POLICY = "same-origin"


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        branches = access.get_gathering_branches_for_user(request.user)
        form = SurveyCreateForm(request.POST, branches=branches)
        if form.is_valid():
            try:
                survey = services.survey_create(
                    branch=form.cleaned_data["branch"], title=form.cleaned_data["title"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已发起书面调查，请发出邀请。"))
                return redirect("opinions:survey_detail", pk=survey.pk)
    else:
        branches = access.gathering_branches(request.user)
        form = SurveyCreateForm(branches=branches)
    surveys = (
        Survey.objects.filter(branch__in=branches)
        .select_related("branch", "campaign")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count("invitations", filter=Q(invitations__used=True), distinct=True),
        )
        .order_by("-pk")
    )
    return render(
        request,
        "opinions/survey_list.html",
        {"form": form, "surveys": surveys, "can_start": branches.exists()},
    )


@login_required
@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, pk)
    invitations = list(survey.invitations.order_by("-inside_party", "pk"))
    return render(
        request,
        "opinions/survey_detail.html",
        {
            "survey": survey,
            "invitations": invitations,
            "used": sum(1 for i in invitations if i.used),
            # Who answered is who gave the opinions: not for a sorter who could be
            # their subject (they see how many answered, not who).
            "show_respondents": access.can_see_sources_in(request.user, survey.branch),
            "answers": survey.answers.count(),
            "form": InviteForm(members=services.survey_uninvited_members(survey)),
        },
    )


@login_required
@require_POST
def survey_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue links and show them once: the raw tokens are in this page and nowhere else."""
    survey = access.get_survey_for_user(request.user, pk)
    form = InviteForm(request.POST, members=services.survey_uninvited_members(survey))
    issued: list[services.IssuedLink] = []
    if form.is_valid():
        try:
            issued = services.survey_invite(
                survey=survey,
                inside=form.inside_names(everyone="everyone" in request.POST),
                outside=form.names("outside"),
            )
        except ValidationError as error:
            form.add_error(None, error)
    if not issued:
        invitations = list(survey.invitations.order_by("-inside_party", "pk"))
        return render(
            request,
            "opinions/survey_detail.html",
            {
                "survey": survey,
                "invitations": invitations,
                "used": sum(1 for i in invitations if i.used),
                "show_respondents": access.can_see_sources_in(request.user, survey.branch),
                "answers": survey.answers.count(),
                "form": form,
            },
            status=400,
        )
    links = []
    for link in issued:
        url = request.build_absolute_uri(
            reverse("opinions_public:survey_answer", args=[link.token])
        )
        links.append(
            {
                "respondent": link.respondent,
                "inside_party": link.inside_party,
                "url": url,
                "qr_svg": segno.make(url, error="m").svg_inline(
                    scale=4, border=2, title=link.respondent, svgclass="qr-code"
                ),
            }
        )
    response = render(request, "opinions/survey_links.html", {"survey": survey, "links": links})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = LINK_PAGE_REFERRER_POLICY
    return response


@login_required
@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.get_survey_for_user(request.user, pk)
    if survey.is_open:
        services.survey_close(survey=survey)
        messages.success(request, _("调查已结束，答卷已打乱顺序保存。"))
    return redirect("opinions:survey_detail", pk=survey.pk)


def _answer_page_context(survey: Survey, data: Any = None, errors: Any = None) -> dict[str, Any]:
    members = services.branch_members(survey.branch)
    aspects = services.aspects_for(survey.campaign)
    return {
        "survey": survey,
        "aspects": aspects,
        "sections": answer_sections(members=members, aspects=aspects, data=data, errors=errors),
        "general_error": (errors or {}).get("__all__"),
        "has_errors": bool(errors),
        "comment_max": services.COMMENT_MAX_LENGTH,
    }


@login_required
@require_http_methods(["GET", "POST"])
def survey_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Type in a paper form: the same form as the link's, with no invitation."""
    survey = access.get_survey_for_user(request.user, pk)
    if not survey.is_open:
        messages.error(request, _("这次调查已经结束，不能再录入问卷。"))
        return redirect("opinions:survey_detail", pk=survey.pk)
    if request.method == "POST":
        members = services.branch_members(survey.branch)
        aspects = services.aspects_for(survey.campaign)
        answers, errors = services.check_answers(
            data=request.POST, members=members, aspects=aspects
        )
        if not errors:
            count = services.survey_enter_paper(survey=survey, answers=answers)
            messages.success(
                request, _("已录入一份纸质问卷（评价了 %(n)d 名党员）。") % {"n": count}
            )
            return redirect("opinions:survey_paper", pk=survey.pk)
        context = _answer_page_context(survey, request.POST, errors)
        context["paper"] = True
        return render(request, "opinions/survey_form.html", context, status=400)
    context = _answer_page_context(survey)
    context["paper"] = True
    return render(request, "opinions/survey_form.html", context)


# --- The respondent's page (public) ---------------------------------------------------

UNUSABLE_STATUS = {"unknown": 404, "used": 410, "closed": 410}


def _unusable(request: HttpRequest, reason: str) -> HttpResponse:
    """The link cannot be used. Only a refused submission is told that what it sent
    was not saved; someone merely opening a used link sent nothing."""
    response = render(
        request,
        "opinions/survey_unusable.html",
        {"reason": reason, "submitted": request.method == "POST"},
        status=UNUSABLE_STATUS[reason],
    )
    response["Referrer-Policy"] = LINK_PAGE_REFERRER_POLICY
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationUnusable as unusable:
        return _unusable(request, unusable.reason)
    survey = invitation.survey
    status = 200
    if request.method == "POST":
        members = services.branch_members(survey.branch)
        aspects = services.aspects_for(survey.campaign)
        answers, errors = services.check_answers(
            data=request.POST, members=members, aspects=aspects
        )
        if not errors:
            try:
                services.survey_answer(token=token, answers=answers)
            except services.InvitationUnusable as unusable:
                return _unusable(request, unusable.reason)
            return redirect("opinions_public:survey_thanks")
        context = _answer_page_context(survey, request.POST, errors)
        status = 400
    else:
        context = _answer_page_context(survey)
    context["paper"] = False
    response = render(request, "opinions/survey_form.html", context, status=status)
    response["Referrer-Policy"] = LINK_PAGE_REFERRER_POLICY
    return response


@never_cache
@require_GET
def survey_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "opinions/survey_thanks.html")


# --- Talks and symposia (个人交谈、座谈会) ----------------------------------------------------

RECORDS_PAGE_SIZE = 30


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    branches = access.gathering_branches(request.user)
    # The branch filter, for officers who gather opinions in several branches; a branch
    # not among theirs (a stale or hand-typed link) shows them all.
    raw = request.GET.get("branch", "")
    branch = branches.filter(pk=int(raw)).first() if raw.isdigit() else None
    records = (
        OpinionRecord.objects.filter(branch=branch)
        if branch is not None
        else OpinionRecord.objects.filter(branch__in=branches)
    )
    records = (
        records.select_related("branch", "recorded_by")
        .annotate(opinion_count=Count("opinions"))
        .order_by("-held_on", "-pk")
    )
    page = Paginator(records, RECORDS_PAGE_SIZE).get_page(request.GET.get("page"))
    choices = list(branches.order_by("path")) if branches.count() > 1 else []
    return render(
        request,
        "opinions/records_list.html",
        {"page": page, "can_record": branches.exists(), "branches": choices, "branch": branch},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    branches = access.get_gathering_branches_for_user(request.user)
    if request.method == "POST":
        form = RecordForm(request.POST, branches=branches)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in services.RECORD_FIELDS}
            try:
                record = services.record_create(
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
    services.aspects_for(record.campaign)
    return RecordOpinionForm(
        data,
        members=services.branch_members(record.branch),
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
    record = access.get_record_for_user(request.user, pk)
    return _detail(request, record, _opinion_form(record))


@login_required
@require_POST
def record_add_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    record = access.get_record_for_user(request.user, pk)
    form = _opinion_form(record, request.POST)
    if form.is_valid():
        try:
            services.record_add_opinion(
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


# --- Aspects (意见方面) ---------------------------------------------------------------


def _aspect_changes(data: Any) -> list[services.AspectChange]:
    """Rows `aspect-<i>-pk/name/order/remove` of the page, in the order posted."""
    changes = []
    try:
        total = min(int(data.get("rows", "0")), 50)
    except ValueError:
        total = 0
    for index in range(total):
        prefix = f"aspect-{index}-"
        raw_pk = data.get(prefix + "pk", "")
        name = data.get(prefix + "name", "")
        if not raw_pk and not name.strip():
            continue  # an empty row for a new aspect
        try:
            order = int(data.get(prefix + "order", "") or index + 1)
        except ValueError:
            order = index + 1
        changes.append(
            services.AspectChange(
                pk=int(raw_pk) if raw_pk.isdigit() else None,
                name=name,
                order=max(0, min(order, 999)),
                remove=bool(data.get(prefix + "remove")),
            )
        )
    return changes


@login_required
@require_http_methods(["GET", "POST"])
def aspects_edit(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = campaigns_access.get_campaign_for_user(request.user, campaign_pk, write=True)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.aspects_update(campaign=campaign, changes=_aspect_changes(request.POST))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("意见方面已保存。"))
            return redirect("opinions:aspects_edit", campaign_pk=campaign.pk)
    aspects = services.aspects_for(campaign)
    rows = [
        {"index": i, "aspect": aspect, "in_use": services.aspect_in_use(aspect)}
        for i, aspect in enumerate(aspects)
    ]
    new_rows = [{"index": len(rows) + i, "order": len(rows) + i + 1} for i in range(2)]
    return render(
        request,
        "opinions/survey_aspects.html",
        {
            "campaign": campaign,
            "rows": rows,
            "new_rows": new_rows,
            "total": len(rows) + len(new_rows),
            "errors": errors,
            "is_active": campaign.status == Campaign.Status.ACTIVE,
        },
        status=400 if errors else 200,
    )
