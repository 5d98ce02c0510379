"""Who is calling the JSON API.

Two ways in, tried in this order on every endpoint (they are set once, on the
`NinjaAPI` in `vanguard/api/urls.py`, so every router is covered):

1. `BearerTokenAuth` — `Authorization: Bearer vg_…`, a personal API token
   (`accounts.ApiToken`) looked up by the SHA-256 hash of the key. A revoked
   token, an unknown key or an inactive owner is refused with 401. A presented
   but bad token is refused outright; it never falls back to the session.
2. `SessionAuth` — the browser's Django session, with Django's CSRF check for
   unsafe methods (POST, PUT, PATCH, DELETE), exactly as for a form.

The contract endpoint code relies on: after either of them, `request.user` is
the authenticated person (a `User`) and `request.auth` is the same object.
Endpoint code should use `request.user` throughout, as views do, and pass it
to `vanguard.accounts.permissions`. A token request also becomes the actor of
the audit trail for its writes, as a logged-in request does.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from vanguard.accounts.models import ApiToken, User, hash_token
from vanguard.audit import context as audit_context

TOKEN_PREFIX = "vg_"  # noqa: S105 (a marker, not a secret)
# `last_used_at` is a hint for the owner ("used two days ago"), not a log: writing it
# at most once a minute spares a database write on nearly every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _become(request: HttpRequest, user: User | AnonymousUser) -> None:
    request.user = user
    # The audit middleware fixed its actor before the API authenticated anyone; a
    # token request is made by this person too. The middleware's reset at the end
    # of the request restores the previous value whatever is set here.
    audit_context.set_actor(user)


class BearerTokenAuth(HttpBearer):
    """A personal API token, sent as `Authorization: Bearer vg_…`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX):
            raise AuthenticationError
        api_token = (
            ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        )
        if api_token is None or api_token.revoked_at is not None or not api_token.user.is_active:
            raise AuthenticationError
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
            # An UPDATE, not save(): a token being used is not an audited change.
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        user = api_token.user
        _become(request, user)
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session; unsafe methods need Django's CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        # Anonymous callers get 401, not a CSRF complaint about a session they don't have.
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF 校验失败，请刷新页面后重试。"))
        return self.authenticate(request, request.COOKIES.get(self.param_name))

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        _become(request, user)
        return user


def api_auth() -> list[Any]:
    """The authentication of every endpoint, in the order it is tried."""
    return [BearerTokenAuth(), SessionAuth()]
