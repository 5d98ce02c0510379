"""Study pages: the section's home, branch plans, sessions with attendance and QR
sign-in, and members' study work. Every object comes through `study.access`, which
answers 404 or 403; writes are `study.services`."""

from __future__ import annotations

import io
import time
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.lib import filetypes, uploads
from vanguard.lib.forms import show_service_errors
from vanguard.organization import access as organization_access
from vanguard.study import access, selectors, services, tokens
from vanguard.study.forms import AttendanceForm, PlanForm, ProxyWorkForm, SessionForm, WorkForm
from vanguard.study.models import Attendance, StudySession, StudyWork

# How long a scanned code stays good while the member logs in (the code proved
# presence when it was scanned; the login that follows may take a while).
SIGNIN_PROOF_SECONDS = 10 * 60
_PROOFS = "study_signin_proofs"


def _no_store(response: HttpResponseBase) -> Any:
    response["Cache-Control"] = "private, no-store"
    return response


# --- Home -------------------------------------------------------------------------


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {}
    member = organization_access.member_of(user)
    if member is not None:
        campaign = active_campaign_for_unit(member.branch.path)
        context["member"] = member
        context["member_campaign"] = campaign
        if campaign is not None:
            phase, requirements = selectors.member_requirements(member, campaign)
            works = list(selectors.member_works(member, campaign))
            sessions = list(selectors.sessions_for_member(member, campaign)[:20])
            attended = {
                row.session_id: row
                for row in Attendance.objects.filter(member=member, session__in=sessions)
            }
            context.update(
                phase=phase,
                requirements=requirements,
                works=works,
                counts={
                    kind: sum(1 for work in works if work.kind == kind)
                    for kind in StudyWork.Kind.values
                },
                kinds=StudyWork.Kind.choices,
                my_sessions=[(session, attended.get(session.pk)) for session in sessions],
                plan=selectors.branch_plan(member.branch, campaign),
            )
    branches = selectors.kept_branches(user)
    context["branch_rows"] = selectors.branch_overview(branches)
    context["lectures"] = list(selectors.lectures_kept(user)[:20])
    context["can_create_session"] = campaigns_access.record_units(user).exists()
    context["can_enter_for_members"] = access.proxy_members(user).exists()
    context["reviews"] = selectors.works_to_review(user).filter(reviewed_at__isnull=True)[:10]
    return render(request, "study/home.html", context)


# --- Plans ------------------------------------------------------------------------


@login_required
@require_GET
def plan_detail(request: HttpRequest, branch_pk: int) -> HttpResponse:
    branch = access.get_plan_branch_for_user(request.user, branch_pk)
    campaign = active_campaign_for_unit(branch.path)
    plan = selectors.branch_plan(branch, campaign) if campaign else None
    return render(
        request,
        "study/plan_detail.html",
        {
            "branch": branch,
            "campaign": campaign,
            "plan": plan,
            "sessions": selectors.sessions_of_unit(branch, campaign) if campaign else [],
            "can_edit": campaigns_access.can_keep_records(request.user, branch),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthenticatedHttpRequest, branch_pk: int) -> HttpResponse:
    branch = access.get_plan_branch_for_user(
        request.user, branch_pk, need=campaigns_access.can_keep_records
    )
    campaign = active_campaign_for_unit(branch.path)
    if campaign is None:
        messages.error(
            request,
            _("%(branch)s目前没有进行中的活动，无需制定学习计划。") % {"branch": branch.name},
        )
        return redirect("study:plan_detail", branch_pk=branch.pk)
    plan = selectors.branch_plan(branch, campaign)
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                services.plan_save(
                    branch=branch,
                    campaign=campaign,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    submit=submit,
                    user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("学习讨论计划已提交。") if submit else _("学习讨论计划已保存（尚未提交）。"),
                )
                return redirect("study:plan_detail", branch_pk=branch.pk)
    else:
        form = PlanForm(
            initial={
                "title": plan.title
                if plan
                else _("%(branch)s学习讨论计划") % {"branch": branch.name},
                "body": plan.body if plan else "",
            }
        )
    return render(
        request,
        "study/plan_edit.html",
        {"branch": branch, "campaign": campaign, "plan": plan, "form": form},
    )


# --- Sessions ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    units = access.get_session_units_for_user(request.user)
    if request.method == "POST":
        form = SessionForm(request.POST, units=units)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            campaign = active_campaign_for_unit(unit.path)
            if campaign is None:
                form.add_error("unit", _("%(unit)s目前没有进行中的活动。") % {"unit": unit.name})
            else:
                session = services.session_create(
                    unit=unit,
                    campaign=campaign,
                    **{
                        name: form.cleaned_data[name]
                        for name in ("kind", "topic", "materials", "speaker", "place", "starts_at")
                    },
                )
                messages.success(
                    request, _("已安排学习活动“%(topic)s”。") % {"topic": session.topic}
                )
                return redirect("study:session_detail", pk=session.pk)
    else:
        form = SessionForm(units=units, initial={"unit": request.GET.get("unit")})
    return render(request, "study/session_form.html", {"form": form})


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    session = access.get_study_session_for_user(user, pk)
    can_keep = campaigns_access.can_keep_records(user, session.unit)
    context: dict[str, Any] = {"session": session, "can_keep": can_keep}
    if can_keep or campaigns_access.can_view_progress(user, session.unit):
        existing = selectors.attendance_by_member(session)
        rows = [(member, existing.get(member.pk)) for member in selectors.session_members(session)]
        context["rows"] = rows
        context["present"] = sum(1 for _m, row in rows if row and row.status == "present")
    member = organization_access.member_of(user)
    if member is not None:
        context["mine"] = session.attendance.filter(member=member).first()
    return render(request, "study/session_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_study_session_for_user(request.user, pk, need=access.can_keep_session)
    members = list(selectors.session_members(session))
    existing = selectors.attendance_by_member(session)
    if request.method == "POST":
        form = AttendanceForm(request.POST, members=members, existing=existing)
        if form.is_valid():
            try:
                services.attendance_mark(session=session, marks=form.marks())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("出勤情况已保存。"))
                return redirect("study:session_detail", pk=session.pk)
    else:
        form = AttendanceForm(members=members, existing=existing)
    return render(request, "study/attendance_form.html", {"session": session, "form": form})


def _sign_in_url(request: HttpRequest, session_pk: int) -> str:
    token = tokens.make_token(session_pk)
    return request.build_absolute_uri(reverse("study:session_sign_in", args=[session_pk, token]))


def _qr_context(request: HttpRequest, session: StudySession) -> dict[str, Any]:
    return {
        "session": session,
        "sign_in_url": _sign_in_url(request, session.pk),
        "window": tokens.current_window(),
    }


@login_required
@require_GET
def session_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the secretary puts on the projector: the rotating QR code and the count."""
    session = access.get_study_session_for_user(request.user, pk, need=access.can_keep_session)
    context = _qr_context(request, session)
    context.update(_count_context(session))
    return _no_store(render(request, "study/session_qr.html", context))


@login_required
@require_GET
def session_qr_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code and its link alone, polled by htmx so the code keeps rotating."""
    session = access.get_study_session_for_user(request.user, pk, need=access.can_keep_session)
    return _no_store(render(request, "study/_qr_panel.html", _qr_context(request, session)))


@login_required
@require_GET
def session_qr_image(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_study_session_for_user(request.user, pk, need=access.can_keep_session)
    buffer = io.BytesIO()
    segno.make(_sign_in_url(request, session.pk), error="m").save(
        buffer, kind="svg", scale=10, border=2, xmldecl=False, title=_("签到二维码")
    )
    return _no_store(HttpResponse(buffer.getvalue(), content_type="image/svg+xml"))


def _count_context(session: StudySession) -> dict[str, Any]:
    present = list(selectors.signed_in(session))
    return {
        "session": session,
        "present": present,
        "expected": selectors.session_members(session).count(),
    }


@login_required
@require_GET
def session_qr_count(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_study_session_for_user(request.user, pk, need=access.can_keep_session)
    return _no_store(render(request, "study/_qr_count.html", _count_context(session)))


@require_GET
def session_sign_in(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """Where the QR code leads. The code proves presence (checked first, before login,
    and remembered while the member logs in); the login proves who it is."""
    session = selectors.get_session(pk)
    valid = session is not None and tokens.check_token(session.pk, token)
    proofs = request.session.get(_PROOFS, {})
    if not valid and session is not None and request.user.is_authenticated:
        seen = proofs.get(str(session.pk))
        valid = bool(seen) and seen[0] == token and time.time() - seen[1] <= SIGNIN_PROOF_SECONDS
    if not valid:
        return render(request, "study/sign_in_result.html", {"outcome": "invalid"}, status=400)
    assert session is not None
    if not request.user.is_authenticated:
        proofs[str(session.pk)] = [token, time.time()]
        request.session[_PROOFS] = proofs
        messages.info(request, _("请先登录。登录后将自动为您签到。"))
        return redirect_to_login(request.get_full_path())
    outcome = services.attendance_sign_in(
        session=session, member=organization_access.member_of(request.user)
    )
    if str(session.pk) in proofs:
        del proofs[str(session.pk)]
        request.session[_PROOFS] = proofs
    status = 403 if outcome is services.SignIn.NOT_EXPECTED else 200
    return render(
        request,
        "study/sign_in_result.html",
        {"outcome": outcome.value, "session": session},
        status=status,
    )


# --- Study work -------------------------------------------------------------------


@login_required
@require_GET
def work_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    works = selectors.works_to_review(request.user)
    if request.GET.get("pending"):
        works = works.filter(reviewed_at__isnull=True)
    page = Paginator(works, 30).get_page(request.GET.get("page"))
    return render(
        request, "study/work_list.html", {"page": page, "pending": bool(request.GET.get("pending"))}
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_create(request: HttpRequest) -> HttpResponse:
    member = access.get_author_for_user(request.user)
    campaign = active_campaign_for_unit(member.branch.path)
    if campaign is None:
        messages.error(request, _("目前没有进行中的活动，暂不能提交学习成果。"))
        return redirect("study:home")
    if request.method == "POST":
        form = WorkForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                work = services.work_create(
                    member=member,
                    campaign=campaign,
                    kind=data["kind"],
                    title=data["title"],
                    material=data["material"],
                    body=data["body"],
                    upload=data.get("attachment"),
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已提交%(kind)s“%(title)s”。")
                    % {"kind": work.get_kind_display(), "title": work.title},
                )
                return redirect("study:home")
    else:
        kind = request.GET.get("kind")
        form = WorkForm(initial={"kind": kind if kind in StudyWork.Kind.values else None})
    return render(request, "study/work_form.html", {"form": form, "campaign": campaign})


@login_required
@require_http_methods(["GET", "POST"])
def work_create_for_member(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A study work entered on a member's behalf (代录): an officer who keeps the
    branch's records types in, or uploads a photo of, a member's handwritten note."""
    user = request.user
    members = access.get_proxy_members_for_user(user)
    if request.method == "POST":
        form = ProxyWorkForm(request.POST, request.FILES, members=members)
        if form.is_valid():
            data = form.cleaned_data
            member = data["member"]
            campaign = active_campaign_for_unit(member.branch.path)
            role = access.proxy_role(user, member)
            if campaign is None or role is None:
                form.add_error(
                    "member",
                    _("%(branch)s目前没有进行中的活动，暂不能录入学习成果。")
                    % {"branch": member.branch.name},
                )
            else:
                try:
                    work = services.work_create(
                        member=member,
                        campaign=campaign,
                        kind=data["kind"],
                        title=data["title"],
                        material=data["material"],
                        body=data["body"],
                        upload=data.get("attachment"),
                        entered_by=user,
                        entered_by_role=role,
                    )
                except ValidationError as error:
                    show_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("已为%(member)s代录%(kind)s“%(title)s”。")
                        % {
                            "member": member.name,
                            "kind": work.get_kind_display(),
                            "title": work.title,
                        },
                    )
                    return redirect("study:work_detail", pk=work.pk)
    else:
        kind = request.GET.get("kind")
        raw = request.GET.get("member", "")
        chosen = members.filter(pk=int(raw)).first() if raw.isdigit() else None
        form = ProxyWorkForm(
            initial={
                "kind": kind if kind in StudyWork.Kind.values else None,
                "member": chosen.pk if chosen else None,
            },
            members=members,
        )
    return render(request, "study/work_form.html", {"form": form, "on_behalf": True})


@login_required
@require_GET
def work_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    work = access.get_study_work_for_user(user, pk)
    is_own = work.member.user_id == user.pk
    return render(
        request,
        "study/work_detail.html",
        {
            "work": work,
            "is_own": is_own,
            "can_edit": access.can_edit_work(user, work),
            "can_review": not is_own and access.can_review_work(user, work.member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_edit(request: HttpRequest, pk: int) -> HttpResponse:
    work = access.get_study_work_for_user(request.user, pk, need=access.may_write_work)
    if work.is_locked:
        messages.error(request, _("这份学习成果已经审阅（已阅），不能再修改。"))
        return redirect("study:work_detail", pk=work.pk)
    current = None
    if request.method == "POST":
        form = WorkForm(request.POST, request.FILES, has_file=bool(work.attachment))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.work_update(
                    work=work,
                    version=data.get("version") or 0,
                    kind=data["kind"],
                    title=data["title"],
                    material=data["material"],
                    body=data["body"],
                    upload=data.get("attachment"),
                    remove_file=bool(data.get("remove_file")),
                )
            except services.StaleEdit as error:
                # Nothing is lost: the input stays in the form; the stored version is shown
                # beside it, and the next save is made against it.
                form.add_error(None, error)
                work.refresh_from_db()
                current = work
                data = request.POST.copy()
                data["version"] = str(work.version)
                form.data = data
            except ValidationError as error:
                work.refresh_from_db()
                if work.is_locked:
                    messages.error(request, error.messages[0])
                    return redirect("study:work_detail", pk=work.pk)
                show_service_errors(form, error)
            else:
                messages.success(request, _("修改已保存。"))
                return redirect("study:work_detail", pk=work.pk)
    else:
        form = WorkForm(
            initial={
                "kind": work.kind,
                "title": work.title,
                "material": work.material,
                "body": work.body,
                "version": work.version,
            },
            has_file=bool(work.attachment),
        )
    return render(
        request,
        "study/work_form.html",
        {"form": form, "work": work, "current": current, "campaign": work.campaign},
    )


@login_required
@require_GET
def work_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An uploaded file, only through this view (uploads have no public URL), as the
    content type of its detected kind. Only an image stored re-encoded (its stored name
    ends in its kind's extension: `services._store`) is shown inline; anything else,
    and files kept from before uploads were cleaned, is a download."""
    work = access.get_work_attachment_for_user(request.user, pk)
    kind = work.attachment_type
    extension = filetypes.EXTENSIONS.get(kind, "")
    inline = kind in (filetypes.JPEG, filetypes.PNG) and work.attachment.name.endswith(extension)
    name = (
        uploads.clean_name(work.attachment_name) or f"{uploads.clean_name(work.title)}{extension}"
    )
    response = FileResponse(
        work.attachment.open("rb"),
        as_attachment=not inline,
        filename=name,
        content_type=filetypes.CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _no_store(response)


@login_required
@require_POST
def work_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    work = access.get_study_work_for_user(request.user, pk, need=access.can_review_study_work)
    try:
        done = services.work_mark_reviewed(work=work, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if done:
            messages.success(request, _("已标记为已阅。"))
        else:
            messages.info(request, _("这份学习成果此前已有人审阅。"))
    return redirect("study:work_detail", pk=work.pk)
