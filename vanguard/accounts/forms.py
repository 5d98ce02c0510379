"""The login forms (the site's and the admin's)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class _UserNameLength:
    """Django's login form sets the user name's max_length after the field is made, so
    no length check runs and a 100,000-character name reached the authentication
    backends, whose failure record (axes) cannot hold it: a 500 on PostgreSQL. Such a
    name is refused here, before any backend sees it."""

    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        limit = getattr(self.fields["username"], "max_length", None) or 150
        if len(username) > limit:
            raise ValidationError(
                _("用户名不能超过 %(n)d 个字符，请检查后重新输入。") % {"n": limit},
                code="username_too_long",
            )
        return super().clean()  # type: ignore[misc]


class LoginForm(_UserNameLength, AuthenticationForm):
    pass


class AdminLoginForm(_UserNameLength, AdminAuthenticationForm):
    pass
