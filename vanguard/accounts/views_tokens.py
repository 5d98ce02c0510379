"""Personal API tokens (API 令牌): every logged-in person lists, makes and revokes
their own, and no one else's. A new key is shown once, in the answer to the POST
that made it, and never stored (only its hash is)."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from vanguard.accounts import access, services
from vanguard.accounts.models import ApiToken, User


def _me(request: HttpRequest) -> User:
    # Every view here is behind login_required.
    return cast(User, request.user)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=services.TOKEN_NAME_MAX_LENGTH,
        help_text=gettext_lazy("写明用途，例如“手机”或“统计脚本”。"),
    )


def _render(
    request: HttpRequest,
    form: TokenForm,
    *,
    new_token: ApiToken | None = None,
    raw_key: str = "",
) -> HttpResponse:
    # Active tokens first (NULLs sort differently on SQLite and PostgreSQL: say it).
    tokens = ApiToken.objects.filter(user=_me(request)).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at"
    )
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": tokens, "form": form, "new_token": new_token, "raw_key": raw_key},
    )


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    return _render(request, TokenForm())


@login_required
@require_POST
@never_cache  # the answer carries the raw key: no cache may keep it
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form)
    try:
        token, raw = services.token_create(user=_me(request), name=form.cleaned_data["name"])
    except ValidationError as error:
        form.add_error(None, error)  # a field's error lands on its field
        return _render(request, form)
    return _render(request, TokenForm(), new_token=token, raw_key=raw)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Someone else's token is a 404, like one that does not exist.
    token = access.get_token_for_user(_me(request), pk)
    services.token_revoke(user=_me(request), token=token)
    messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("accounts:tokens")
