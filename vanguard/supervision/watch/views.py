"""The watch list (重点支部、重点人) and its talk records (谈话): the committee's and the
branch's supervisors' alone. Every page fetches through `supervision.access`
(`get_watch_campaign_for_user`, `get_watch_entry_for_user`), a 404 for anyone else —
a branch's officers and the member never learn that the list exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib.forms import query_int, show_service_errors
from vanguard.organization.models import Member
from vanguard.supervision import access
from vanguard.supervision.models import WatchEntry
from vanguard.supervision.watch import services
from vanguard.supervision.watch.forms import CloseForm, TalkForm, WatchForm


@login_required
@require_GET
def watch(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_watch_campaign_for_user(user, campaign_pk)
    entries = list(
        access.visible_watch_entries(user)
        .filter(campaign=campaign)
        .annotate(talk_count=Count("talks"))
        .order_by("closed_at", "branch__path", "pk")
    )
    return render(
        request,
        "supervision/watch/watch.html",
        {
            "campaign": campaign,
            "open_entries": [e for e in entries if e.closed_at is None],
            "closed_entries": [e for e in entries if e.closed_at is not None],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def watch_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    user = request.user
    campaign = access.get_watch_campaign_for_user(user, campaign_pk)
    branches = (
        access.watchable_branches(user).filter(path__startswith=campaign.unit.path).order_by("path")
    )
    source = request.POST if request.method == "POST" else request.GET
    branch_id = query_int(source.get("branch"))
    branch = branches.filter(pk=branch_id).first() if branch_id else None
    members = (
        Member.objects.filter(branch=branch, is_active=True).exclude(user=user).order_by("number")
        if branch is not None
        else Member.objects.none()
    )
    initial = {
        "branch": branch.pk if branch else None,
        "kind": request.GET.get("kind") or WatchEntry.Kind.PERSON,
    }
    form = WatchForm(request.POST or None, initial=initial, branches=branches, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data["member"] if data["kind"] == WatchEntry.Kind.PERSON else None
        if not access.can_add_watch_entry(user, data["branch"], member):
            form.add_error("member", _("不能把本人或本人所在支部列入重点关注。"))
        else:
            try:
                entry = services.watch_add(
                    campaign=campaign,
                    kind=data["kind"],
                    branch=data["branch"],
                    member=member,
                    reason=data["reason"],
                    actor=user,
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                messages.success(request, _("已列入重点关注。"))
                return redirect("supervision:watch_detail", entry.pk)
    return render(
        request,
        "supervision/watch/watch_new.html",
        {"campaign": campaign, "form": form, "branch": branch},
    )


def _detail(
    request: HttpRequest,
    entry: WatchEntry,
    *,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "supervision/watch/watch_detail.html",
        {
            "entry": entry,
            "campaign": entry.campaign,
            "talks": list(entry.talks.order_by("held_on", "pk")),
            "close_form": (close_form or CloseForm()) if entry.closed_at is None else None,
        },
        status=status,
    )


@login_required
@require_GET
def watch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_watch_entry_for_user(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def talk_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = access.get_watch_entry_for_user(request.user, pk, need=access.can_keep_watch_entry)
    form = TalkForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.talk_record(entry=entry, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("谈话记录已保存。"))
            return redirect("supervision:watch_detail", entry.pk)
    return render(
        request,
        "supervision/watch/talk_new.html",
        {"entry": entry, "campaign": entry.campaign, "form": form},
    )


@login_required
@require_POST
def watch_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = access.get_watch_entry_for_user(request.user, pk, need=access.can_keep_watch_entry)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.watch_close(entry=entry, note=form.cleaned_data["note"], actor=request.user)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已解除重点关注。"))
            return redirect("supervision:watch", entry.campaign_id)
    return _detail(request, entry, close_form=form)
