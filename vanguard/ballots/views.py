"""Pages of the secret ballot. Thin: every rule is in services.py, every access
decision in access.py (each session is fetched there with the capability the page
needs).

The public card-voting page (`vote_card`, namespace "ballots_public"):
- needs no login and never reads `request.user`; it writes with no audit actor
  (`acting_as(None)`);
- sets NO cookie: it renders a standalone template (no `{% csrf_token %}`, no
  messages), so neither the CSRF cookie nor a session cookie is ever set;
- CSRF protection without a cookie: the view is `csrf_exempt` and instead accepts a
  POST only when its Origin header (or, if the browser sent none, its Referer) names
  this site. Browsers always send Origin on a cross-site form POST, so a forged POST
  from another site is refused. A forged vote would anyway need a valid unused code;
- logs nothing of the code or the grades, answers every refusal (unknown, used, void
  or another session's code, a session not open, even an unknown session) with the
  same neutral message and status 200 — a 4xx would make Django's request logger
  write the path, which may hold the code;
- sends `Cache-Control: no-store` and `Referrer-Policy: same-origin`: the address,
  which may hold the code, never leaves the site in a Referer. (Not `no-referrer`:
  with it a browser sends `Origin: null` on the form's POST, and both the Origin check
  here and Django's CSRF check on the logged-in vote refuse every vote.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import throttle
from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.audit.context import acting_as
from vanguard.ballots import access, card_cache, selectors, services
from vanguard.ballots.forms import (
    CardsForm,
    CodeForm,
    CreateSessionForm,
    GradesForm,
    PaperTotalsForm,
)
from vanguard.ballots.models import AppraisalSession, Grade
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.lib.http import HtmxHttpRequest
from vanguard.organization import access as organization_access

GRADE_VALUES = frozenset(Grade.values)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _refused(request: HttpRequest, error: Exception) -> None:
    for text in getattr(error, "messages", [str(error)]):
        messages.error(request, text)


# --- the secretary's pages ------------------------------------------------------


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = access.visible_appraisal_sessions(request.user).order_by("-created_at", "-pk")
    units = access.appraisal_units(request.user).order_by("path")
    form = None
    if units.exists():
        # One unit (a branch secretary's own branch): chosen already, one tap fewer.
        only = units.first() if units.count() == 1 else None
        form = CreateSessionForm(units=units, initial={"unit": only} if only else None)
    return render(request, "ballots/session_list.html", {"sessions": sessions, "form": form})


@login_required
@require_POST
def session_create(request: HttpRequest) -> HttpResponse:
    units = access.get_appraisal_units_for_user(request.user)
    form = CreateSessionForm(request.POST, units=units)
    if not form.is_valid():
        if "meeting" in form.errors:
            messages.error(request, str(form.errors["meeting"][0]))
        elif "quorum_percent" in form.errors:
            messages.error(request, _("有效投票比例须是 0 到 99 之间的整数。"))
        else:
            messages.error(request, _("请选择一个您负责的党支部或党小组。"))
        return redirect("ballots:list")
    unit = form.cleaned_data["unit"]
    campaign = active_campaign_for_unit(unit.path)
    if campaign is None:
        messages.error(request, _("该组织目前没有进行中的活动，不能创建民主评议投票。"))
        return redirect("ballots:list")
    try:
        session = services.session_create(
            campaign=campaign,
            unit=unit,
            meeting=form.cleaned_data.get("meeting"),
            quorum=Decimal(
                50
                if form.cleaned_data["quorum_percent"] is None
                else form.cleaned_data["quorum_percent"]
            )
            / 100,
        )
    except services.Refused as error:
        _refused(request, error)
        return redirect("ballots:list")
    return redirect("ballots:detail", pk=session.pk)


def _context(request: HttpRequest, session: AppraisalSession) -> dict[str, Any]:
    unit = session.unit
    return {
        "session": session,
        "can_run": access.can_run_appraisal(request.user, unit),
        "can_allow_login": access.can_allow_login_voting(request.user, unit),
        # On to grading: the branch whose proposals the vote informs (a party group's
        # vote grades members of its branch).
        "grading_branch_pk": unit.parent_id if unit.kind == unit.Kind.PARTY_GROUP else unit.pk,
    }


def _scrub_if_pending(session: AppraisalSession) -> None:
    """A closed session whose storage scrub could not finish: try again now (it never
    waits), so that the page says where it stands."""
    pending = (
        session.status == AppraisalSession.Status.CLOSED and session.storage_scrubbed_at is None
    )
    if pending and services.scrub_storage().done:
        session.refresh_from_db(fields=["storage_scrubbed_at"])


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_appraisal_session_for_user(request.user, pk)
    _scrub_if_pending(session)
    context = _context(request, session)
    if context["can_run"]:
        context.update(
            turnout=selectors.turnout_count(session),
            voters=session.roll.count(),
            # Before the vote opens there is no roll yet: who would be on it today.
            eligible=services.eligible_members(session.unit).count()
            if session.status == AppraisalSession.Status.DRAFT
            else None,
            present=session.roll.filter(present=True).count(),
            cards_left=selectors.cards_left(session),
            cards_used=session.cards.filter(used=True).exists(),
            cards_form=CardsForm(),
        )
    return render(request, "ballots/session_detail.html", context)


@login_required
@require_POST
def session_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_appraisal_session_for_user(request.user, pk, need=access.can_run_session)
    try:
        services.session_open(session=session, user=request.user)
    except services.Refused as error:
        _refused(request, error)
    else:
        messages.success(request, _("投票已开始，名册已冻结。"))
    return redirect("ballots:detail", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "结束投票" is a second step: this page says what closing does (no vote after it,
    every unused card void) with the turnout, and only its POST with `confirm` closes."""
    session = access.get_appraisal_session_for_user(request.user, pk, need=access.can_run_session)
    if request.method == "GET" or request.POST.get("confirm") != "1":
        if session.status != AppraisalSession.Status.OPEN:
            return redirect("ballots:detail", pk=session.pk)
        context = _context(request, session)
        context.update(
            turnout=selectors.turnout_count(session),
            voters=session.roll.count(),
            present=session.roll.filter(present=True).count(),
        )
        return render(request, "ballots/close_confirm.html", context)
    try:
        services.session_close(session=session, user=request.user)
    except services.Refused as error:
        _refused(request, error)
        return redirect("ballots:detail", pk=session.pk)
    return redirect("ballots:tally", pk=session.pk)


@login_required
@require_POST
def login_voting(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_appraisal_session_for_user(
        request.user, pk, need=access.can_allow_login_voting_in
    )
    try:
        services.session_set_login_voting(session=session, allow=request.POST.get("allow") == "1")
    except services.Refused as error:
        _refused(request, error)
    return redirect("ballots:detail", pk=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def roll(request: HttpRequest, pk: int) -> HttpResponse:
    """The door roll as one list of check boxes: "全部到会" ticks every box (in the
    page with JS, by a round trip without), the secretary unticks the absent and saves
    once. Nobody absent is ever ticked, so each keeps logged-in voting."""
    session = access.get_appraisal_session_for_user(request.user, pk, need=access.can_run_session)
    entries = list(selectors.roll(session))
    chosen = {entry.member_id for entry in entries if entry.present}
    if request.method == "POST":
        if request.POST.get("all") == "1":
            chosen = {entry.member_id for entry in entries if not entry.login_voted}
        else:
            wanted = [v for v in request.POST.getlist("present") if v.isdigit()]
            shown = [v for v in request.POST.getlist("shown") if v.isdigit()]
            try:
                ticked, unticked = services.roll_set_present(
                    session=session, present=wanted, shown=shown
                )
            except services.Refused as error:
                _refused(request, error)
                chosen = {int(v) for v in wanted}
            else:
                messages.success(
                    request,
                    _(
                        "到会登记已保存：到会 %(present)s 人"
                        "（新登记 %(ticked)s 人，取消 %(n)s 人）。"
                    )
                    % {
                        "present": session.roll.filter(present=True).count(),
                        "ticked": ticked,
                        "n": unticked,
                    },
                )
                return redirect("ballots:detail", pk=session.pk)
    rows = [{"entry": entry, "checked": entry.member_id in chosen} for entry in entries]
    return render(
        request,
        "ballots/roll.html",
        {"session": session, "rows": rows, "checked": sum(1 for r in rows if r["checked"])},
    )


@login_required
@require_POST
def roll_mark(request: HtmxHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """One tap at the door: tick (or untick) a member present. htmx swaps the row."""
    session = access.get_appraisal_session_for_user(request.user, pk, need=access.can_run_session)
    member = access.get_roll_member(request.user, session, member_pk)
    error = ""
    try:
        entry = services.roll_mark_present(
            session=session, member=member, present=request.POST.get("present") != "0"
        )
    except services.Refused as refused:
        error = " ".join(refused.messages)
        entry = selectors.roll(session).get(member=member)  # the roll is frozen: it is there
    if request.htmx:
        return render(
            request, "ballots/_roll_row.html", {"session": session, "entry": entry, "error": error}
        )
    if error:
        messages.error(request, error)
    return redirect("ballots:roll", pk=session.pk)


@login_required
@require_POST
def cards_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the cards and show them ONCE, for printing: the codes are not stored."""
    session = access.get_appraisal_session_for_user(request.user, pk, need=access.can_run_session)
    form = CardsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("备用卡数量须是 0 到 200 之间的整数。"))
        return redirect("ballots:detail", pk=session.pk)
    try:
        issued = services.cards_issue(session=session, spares=form.cleaned_data["spares"])
    except services.Refused as error:
        _refused(request, error)
        return redirect("ballots:detail", pk=session.pk)
    cards = []
    for card in issued:
        url = request.build_absolute_uri(
            reverse("ballots_public:vote_code", args=[session.pk, card.code])
        )
        cards.append(
            {
                "code": card.code,
                "receipt": card.receipt,
                "qr": segno.make(url, error="m").svg_data_uri(scale=3, border=2),
            }
        )
    public_url = request.build_absolute_uri(reverse("ballots_public:vote", args=[session.pk]))
    response = render(
        request,
        "ballots/cards_print.html",
        {"session": session, "cards": cards, "public_url": public_url},
    )
    return _no_store(response)


@login_required
@require_GET
def tally(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_appraisal_session_for_user(request.user, pk, need=access.can_run_session)
    _scrub_if_pending(session)
    context = _context(request, session)
    if session.status == AppraisalSession.Status.CLOSED:
        result = services.tally(session=session, user=request.user)
        context["tally"] = result
        context["grades"] = Grade.choices
        context["rows"] = [
            {
                "candidate": c,
                "cells": [(label, c.counts[g], c.shares[g] * 100) for g, label in Grade.choices],
                "blank_share": c.blank_share * 100,
            }
            for c in result.candidates
            if result.published
        ]
        context["receipts"] = services.receipts_published(session=session)
        context.update(_paper_context(request, session, result))
    return render(request, "ballots/tally.html", context)


def _paper_context(
    request: HttpRequest, session: AppraisalSession, result: services.Tally
) -> dict[str, Any]:
    """The tally page's paper-ballot section: status, who entered and who confirmed, the
    totals awaiting confirmation (so the confirmer can check them against the sheets),
    and the confirm button for an eligible committee admin."""
    paper = result.paper
    context: dict[str, Any] = {
        "paper": paper,
        "paper_status": result.paper_status,
        "can_enter_paper": access.can_enter_paper_totals(request.user, session),
        "can_confirm_paper": False,
        "paper_rows": [],
    }
    if result.paper_status == services.PAPER_PENDING and paper is not None:
        context["can_confirm_paper"] = access.can_confirm_paper_totals(request.user, session)
        context["entered_by_me"] = paper.entered_by_id == request.user.pk
        context["paper_rows"] = [
            {
                "name": c.name,
                "counts": [paper.counts[str(c.member_id)][g] for g in Grade.values],
                "blank": paper.ballots - sum(paper.counts[str(c.member_id)].values()),
            }
            for c in result.candidates
        ]
    return context


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The secretary types in the paper ballots' totals after the close: the number of
    paper ballots and, per candidate, the count of each grade. They count in the tally
    only once a second committee member has confirmed them."""
    session = access.get_appraisal_session_for_user(
        request.user, pk, need=access.can_enter_paper_totals
    )
    existing = selectors.paper_tally(session)
    context: dict[str, Any] = {"session": session, "paper": existing, "form": None}
    if session.status != AppraisalSession.Status.CLOSED or (existing and existing.confirmed):
        return render(request, "ballots/paper.html", context)
    candidates = list(selectors.candidates(session))
    form = PaperTotalsForm(request.POST or None, candidates=candidates, paper=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.paper_totals_enter(
                session=session,
                ballots=form.cleaned_data["ballots"],
                counts=form.counts(),
                user=request.user,
            )
        except services.Refused as error:
            form.add_refusal(error)
        else:
            messages.success(
                request, _("纸质选票票数已录入，须经另一位党委管理员确认后才计入结果。")
            )
            return redirect("ballots:tally", pk=session.pk)
    context["form"] = form
    return render(request, "ballots/paper.html", context)


@login_required
@require_POST
def paper_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A committee admin other than the person who entered them confirms the paper
    totals shown on the tally page (the form carries the entry's time, so a later
    re-entry is not confirmed unseen)."""
    session = access.get_appraisal_session_for_user(
        request.user, pk, need=access.can_confirm_paper_totals
    )
    seen = parse_datetime(request.POST.get("entered_at", ""))
    if seen is None:
        messages.error(request, _("请在计票结果页面核对纸质选票票数后再确认。"))
        return redirect("ballots:tally", pk=session.pk)
    try:
        services.paper_totals_confirm(session=session, user=request.user, entered_at=seen)
    except services.Refused as error:
        _refused(request, error)
    else:
        messages.success(request, _("纸质选票票数已确认，已计入结果。"))
    return redirect("ballots:tally", pk=session.pk)


@login_required
@require_GET
def receipts(request: HttpRequest, pk: int) -> HttpResponse:
    """The published receipts, for every voter on the roll to check theirs was counted."""
    session = access.get_appraisal_session_for_user(request.user, pk)
    found = None
    if session.status == AppraisalSession.Status.CLOSED:
        found = services.receipts_published(session=session)
    return render(request, "ballots/receipts.html", {"session": session, "receipts": found})


@login_required
@require_GET
def projector(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Turnout as a count only, refreshed by htmx polling."""
    session = access.get_appraisal_session_for_user(request.user, pk, need=access.can_run_session)
    context = {
        "session": session,
        "turnout": selectors.turnout_count(session),
        "voters": session.roll.count(),
    }
    template = "ballots/_projector_count.html"
    if not request.htmx:
        template = "ballots/projector.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def vote_logged_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A member on the roll who cannot attend votes by logging in, if allowed."""
    session = access.get_appraisal_session_for_user(request.user, pk)
    member = organization_access.member_of(request.user)
    entry = selectors.roll(session).filter(member=member).first() if member else None
    candidates = list(selectors.candidates(session))
    context: dict[str, Any] = {"session": session, "entry": entry, "done": False, "error": ""}
    if request.POST.get("step") == "fill":
        form = GradesForm(candidates=candidates, initial=GradesForm.all_qualified(candidates))
    else:
        form = GradesForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            services.vote_logged_in(session=session, user=request.user, grades=form.grades())
        except services.Refused as error:
            context["error"] = " ".join(error.messages)
        else:
            context["done"] = True
    context["form"] = form
    return _no_store(render(request, "ballots/vote_login.html", context))


# --- the public card-voting page (no login, no cookie) ------------------------------


def _same_origin(request: HttpRequest) -> bool:
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.scheme}://{request.get_host()}"


def _wrong_code_limits() -> dict[str, throttle.Limit]:
    configured = getattr(settings, "VANGUARD_BALLOT_WRONG_CODE_LIMITS", {})
    return {
        scope: throttle.Limit(*configured.get(scope, (50, 15 * 60)))
        for scope in ("address", "session")
    }


def _wrong_code_idents(request: HttpRequest, session: AppraisalSession) -> dict[str, str]:
    return {"address": throttle.client_address(request), "session": str(session.pk)}


def _wrong_code_wait(request: HttpRequest, session: AppraisalSession) -> int:
    """Seconds until this address (or anyone, for this session) may try a code again:
    too many wrong codes from one address, or against one session from anywhere. Only
    how many were wrong is counted (accounts/throttle.py: in the cache, under keyed
    hashes) — never which code, nor when, nor anything that could point at a voter."""
    limits, idents = _wrong_code_limits(), _wrong_code_idents(request, session)
    return max(
        throttle.wait_seconds(f"ballot-code-{scope}", idents[scope], limits[scope])
        for scope in limits
    )


def _count_wrong_code(request: HttpRequest, session: AppraisalSession) -> None:
    limits, idents = _wrong_code_limits(), _wrong_code_idents(request, session)
    for scope, limit in limits.items():
        throttle.count_failure(f"ballot-code-{scope}", idents[scope], limit)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def vote_card(request: HttpRequest, pk: int, code: str = "") -> HttpResponse:
    with acting_as(None):
        response = _vote_card(request, pk, code)
    return _no_store(response)


# The audit middleware leaves `request.user` unread for this view: no session is loaded
# and no user looked up, even for a phone that is signed in (vanguard/audit/middleware.py).
vote_card.reads_no_user = True  # type: ignore[attr-defined]


def _card_answer(context: dict[str, Any]) -> HttpResponse:
    return HttpResponse(card_cache.answer_html(context))


def _posted_grades(data: Any, page: card_cache.CardPage) -> dict[str, str] | None:
    """The ballot as posted, when every candidate has one of the four grades; else None
    (the form is then built to show what is missing)."""
    grades = {str(pk): data.get(f"c{pk}", "") for pk in page.candidate_ids}
    if all(grade in GRADE_VALUES for grade in grades.values()):
        return grades
    return None


def _vote_card(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Two steps on one address. First the code (typed, or from the card's QR code in
    the address): checked at once, before anyone is graded, so a used or invalid card is
    told straight away (`services.card_check` reads only). Then the grades, with the
    checked code carried in a hidden field: "全部合格" marks every candidate 合格 (in
    the page with JS, by a round trip without), the voter changes the exceptions and
    submits. Every refusal of a code counts against the wrong-code limits.

    What does not change while the vote is open (the unit's name, the candidates, the
    form's radios) comes from `card_cache`; each answer then costs only its own work:
    the code check (one query) or the vote (its transaction)."""
    neutral = _("投票码无效、已使用，或投票未在进行中。")
    page = card_cache.card_page(pk)
    context: dict[str, Any] = {
        "session_pk": pk,
        "done": False,
        "error": "",
        "prefilled": code,
    }
    if page is None:
        # Not open (or unknown): the session's name if it exists, and the one message.
        session = access.card_page_session(pk)
        context.update(
            unit_name=session.unit.name if session is not None else "",
            error=neutral,
            closed=True,
        )
        return _card_answer(context)
    context["unit_name"] = page.unit_name
    session = AppraisalSession(pk=page.session_id)  # the services read only its pk
    data = request.POST if request.method == "POST" else None
    step = request.POST.get("step", "") if data is not None else ""
    if data is not None and not step:
        step = "vote" if any(k.startswith("c") and k[1:].isdigit() for k in data) else "check"
    code_form = CodeForm(data, initial={"code": code})
    form: GradesForm | None = None  # built only to show the voter's choices or errors
    context["step"] = "code"
    if data is None and not code:
        pass  # the address without a code: ask for it
    elif data is not None and not _same_origin(request):
        context["error"] = _("请从投票页面提交。")
    elif wait := _wrong_code_wait(request, session):
        # Before the code is looked at, so a held-back attempt says nothing about it.
        context["error"] = _(
            "输入无效投票码的次数过多，请 %(minutes)d 分钟后再试。"
            "如投票码确实无法使用，请向会场工作人员说明。"
        ) % {"minutes": throttle.minutes(wait)}
    elif data is None or step in ("check", "fill"):
        if data is None:
            code_form = CodeForm({"code": code})
        if not code_form.is_valid():
            context["error"] = _("请填写投票卡上的投票码。")
        else:
            try:
                services.card_check(session=session, code=code_form.cleaned_data["code"])
            except services.NotTickedPresent as refused:
                context["error"] = " ".join(refused.messages)  # a valid card: say what to do
            except services.Refused:
                context["error"] = neutral
                _count_wrong_code(request, session)
            else:
                # The code accepted: the answer rendered with the session's page, the
                # radios blank or (全部合格 without JavaScript) all 合格, the code put in.
                answer = page.filled_answer if step == "fill" else page.grades_answer
                return HttpResponse(card_cache.with_code(answer, code_form["code"].value()))
    else:
        context["step"] = "grades"
        grades = _posted_grades(data, page)
        if code_form.is_valid() and grades is not None:
            try:
                services.vote_by_card(
                    session=session,
                    code=code_form.cleaned_data["code"],
                    grades=grades,
                    candidates=page.candidate_ids,
                )
            except services.NotTickedPresent as refused:
                context["error"] = " ".join(refused.messages)
                form = GradesForm(data, candidates=page.entries())
            except services.Refused:
                context["error"] = neutral
                context["step"] = "code"
                _count_wrong_code(request, session)
            else:
                return HttpResponse(page.done_answer)  # the same for every voter
        else:
            form = GradesForm(data, candidates=page.entries())
            form.is_valid()  # for the errors beside each candidate
            context["error"] = _("请填写投票码，并为名单上的每一位党员评定等次。")
            if not code_form.is_valid():
                context["step"] = "code"
    # Only refusals and forms shown again with the voter's choices are rendered here.
    context.update(code_form=code_form, form=form)
    return _card_answer(context)
