"""CAS login and logout (统一身份认证): django-cas-ng's views, answering 404 while CAS is
off, with Vanguard's rules around them — the address throttle, a `next` that stays on
this site, and a page in the user's language when the login is refused (accounts/cas.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_cas_ng import views as cas_views
from django_cas_ng.utils import get_cas_client

from vanguard.accounts import cas, throttle
from vanguard.lib.redirects import safe_next


def _refusal_message(refusal: cas.CASRefused) -> str:
    if refusal.reason == cas.CASRefused.NO_MEMBER:
        return _(
            "统一身份认证账号 %(account)s 未对应任何党员，无法登录先锋。"
            "如您是本校党员，请联系党委办公室核对您的工号/学号；"
            "党委办公室人员、督导观察员和校外人员请使用本地账号登录。"
        ) % {"account": refusal.account}
    if refusal.reason == cas.CASRefused.DISABLED:
        return _("统一身份认证账号 %(account)s 对应的先锋账号已停用，请联系党委办公室。") % {
            "account": refusal.account
        }
    if refusal.reason == cas.CASRefused.UNREACHABLE:
        return _("暂时无法连接统一身份认证服务，请稍后再试，或使用本地账号登录。")
    return _("统一身份认证未能确认您的身份（登录凭据已过期或已使用），请重新登录。")


def _refused(
    request: HttpRequest, message: str, *, status: int, cas_logout: bool = False
) -> HttpResponse:
    context: dict[str, Any] = {"message": message}
    if cas_logout:
        # The person is still logged in at the university's CAS: offer to leave it, so a
        # shared computer does not keep their university session.
        context["cas_logout_url"] = get_cas_client(request=request).get_logout_url()
    return render(request, "accounts/cas_refused.html", context, status=status)


class CASLoginView(cas_views.LoginView):
    """GET without a ticket: off to the CAS login page; GET with a ticket (CAS sends the
    browser back here): the ticket is checked with the CAS server, server to server, and
    the member logged in. POST: CAS's single-logout message (django-cas-ng's own, which
    comes from the CAS server without a CSRF token)."""

    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        cas.require_enabled()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        wait = throttle.login_wait(request)
        if wait:
            message = _(
                "从您所在的网络地址登录失败的次数过多，请 %(minutes)d 分钟后再试。"
                "如忘记密码，请联系本支部书记或党委管理员重置。"
            ) % {"minutes": throttle.minutes(wait)}
            return _refused(request, message, status=429)
        try:
            return super().get(request)
        except cas.CASRefused as refusal:
            if refusal.reason == cas.CASRefused.TICKET:
                # A ticket CAS does not confirm counts like a wrong password, for the
                # address only: there is no user name to lock.
                throttle.count_failure(
                    throttle.LOGIN_SCOPE, throttle.client_address(request), throttle.login_limit()
                )
            status = 503 if refusal.reason == cas.CASRefused.UNREACHABLE else 403
            return _refused(
                request, _refusal_message(refusal), status=status, cas_logout=bool(refusal.account)
            )

    def successful_login(self, request: HttpRequest, next_page: str) -> HttpResponse:
        """Only to a page of this site (django-cas-ng would follow any `next`)."""
        return HttpResponseRedirect(
            safe_next(request, next_page, resolve_url(settings.LOGIN_REDIRECT_URL))
        )


class CASLogoutView(cas_views.LogoutView):
    """Ends Vanguard's session, then sends the browser to the CAS server's logout, which
    ends the university session and comes back to Vanguard's login page. POST only, as
    Django's own logout: a link on another site must not log anyone out."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        cas.require_enabled()
        return super().dispatch(request, *args, **kwargs)


def logged_in_by_cas(request: HttpRequest) -> bool:
    return cas.enabled() and request.session.get(BACKEND_SESSION_KEY) == cas.BACKEND
