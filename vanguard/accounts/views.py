from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from vanguard.accounts import throttle
from vanguard.lib.redirects import safe_next


class LoginForm(AuthenticationForm):
    """Django's login form sets the user name's max_length after the field is made, so
    no length check runs and a 100,000-character name reached the authentication
    backends, whose failure record (axes) could not hold it: a 500 on PostgreSQL. Such
    a name is refused here, before any backend sees it."""

    def clean(self) -> dict[str, object]:
        username = self.cleaned_data.get("username") or ""
        limit = getattr(self.fields["username"], "max_length", None) or 150
        if len(username) > limit:
            raise ValidationError(
                _("用户名不能超过 %(n)d 个字符，请检查后重新输入。") % {"n": limit},
                code="username_too_long",
            )
        return super().clean()


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

    def get_redirect_url(self) -> str:
        """Where to go after logging in: `next` if it is a path on this site (lib.redirects)."""
        name = self.redirect_field_name
        wanted = self.request.POST.get(name, self.request.GET.get(name))
        return safe_next(self.request, wanted, "")
