from typing import Any, cast

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vanguard.accounts import cas, throttle
from vanguard.accounts.forms import LoginForm
from vanguard.accounts.views_cas import CASLogoutView, logged_in_by_cas
from vanguard.lib.redirects import safe_next


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refused outright, saying when to try again, once the address has had too
        many wrong passwords (accounts/throttle.py); no password is checked."""
        wait = throttle.login_wait(request)
        if wait:
            message = _(
                "从您所在的网络地址登录失败的次数过多，请 %(minutes)d 分钟后再试。"
                "如忘记密码，请联系本支部书记或党委管理员重置。"
            ) % {"minutes": throttle.minutes(wait)}
            form = self.get_form_class()(request)
            return self.render_to_response(
                self.get_context_data(form=form, throttled=message), status=429
            )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["cas_enabled"] = cas.enabled()
        return context

    def get_redirect_url(self) -> str:
        """Where to go after logging in: `next` if it is a path on this site (lib.redirects)."""
        name = self.redirect_field_name
        wanted = self.request.POST.get(name, self.request.GET.get(name))
        return safe_next(self.request, wanted, "")


class LogoutView(auth_views.LogoutView):
    """Django's logout; a member who came in through CAS leaves through CAS's logout too
    (views_cas.py), so that the page's one logout button ends the university session."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if logged_in_by_cas(request):
            return cast(HttpResponse, CASLogoutView.as_view()(request))
        return super().post(request, *args, **kwargs)
