"""The request type of a page or endpoint that only a signed-in person reaches
(`login_required`, or the API's token and session auth): its `user` is a login,
never the anonymous visitor, so services that record who acted can be typed with
`User`."""

from __future__ import annotations

from vanguard.accounts.models import User
from vanguard.lib.http import HtmxHttpRequest


class AuthenticatedHttpRequest(HtmxHttpRequest):
    user: User  # type: ignore[assignment]
