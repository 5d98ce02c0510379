"""Notice pages: the inbox (notices and notifications), a notice, publishing, and the
personal calendar feed. Every object comes through `notices.access`, which answers
404 or 403; writes are `notices.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib.redirects import safe_next
from vanguard.notices import access, calendar, selectors, services
from vanguard.notices.forms import NoticeForm, NoticePreferenceForm
from vanguard.notices.models import CalendarFeed

NOTICES_PER_PAGE = 20


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.inbox_notices(user), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notices/inbox.html",
        {
            "page": page,
            "notifications": selectors.inbox_notifications(user),
            "may_publish": access.notice_units(user).exists(),
            "email_preference": selectors.email_preference_label(user),
        },
    )


@login_required
@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = access.get_notice_for_user(request.user, pk)
    services.notifications_mark_read_for_notice(user=request.user, notice=notice)
    return render(request, "notices/detail.html", {"notice": notice})


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = access.get_notice_units_for_user(request.user)
    form = NoticeForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_publish(
                unit=form.cleaned_data["unit"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                actor=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("通知已发布。"))
            return redirect("notices:detail", pk=notice.pk)
    return render(request, "notices/publish.html", {"form": form})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = access.get_notification_for_user(request.user, pk)
    services.notification_mark_read(user=request.user, pk=notification.pk)
    inbox = reverse("notices:inbox")
    if request.POST.get("open"):
        return redirect(safe_next(request, notification.url, inbox))
    return redirect(inbox)


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.notification_mark_read(user=request.user)
    if count:
        messages.success(request, _("已全部标为已读。"))
    return redirect("notices:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own choice of how notifications are e-mailed."""
    form = NoticePreferenceForm(
        request.POST or None, initial={"email": selectors.email_preference(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        services.notice_preference_set(user=request.user, email=form.cleaned_data["email"])
        messages.success(request, _("提醒方式已保存。"))
        return redirect("notices:inbox")
    return render(
        request,
        "notices/preferences.html",
        {"form": form, "has_address": bool(services.email_addresses([request.user.pk]))},
    )


def _user_pk(request: HttpRequest) -> int:
    # login_required has run: the user is a real, saved one.
    return int(request.user.pk or 0)


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user_id=_user_pk(request)).first()
    feed_url = (
        request.build_absolute_uri(reverse("notices:calendar_feed", args=[feed.token]))
        if feed
        else None
    )
    return render(request, "notices/calendar.html", {"feed_url": feed_url})


@login_required
@require_POST
def calendar_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    had_one = CalendarFeed.objects.filter(user_id=_user_pk(request)).exists()
    services.calendar_feed_regenerate(user=request.user)
    messages.success(
        request,
        _("已生成新的订阅地址，原地址已失效。") if had_one else _("已生成订阅地址。"),
    )
    return redirect("notices:calendar")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login (calendar apps cannot log in): the secret token in the path is the key."""
    feed = access.get_calendar_feed_for_token(token)
    response = HttpResponse(
        calendar.build_calendar(feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(False, "vanguard.ics") or "inline"
    response["Cache-Control"] = "private, no-store"
    return response
