"""A rate limit for the public pages that remembers nobody.

The suggestion box must not store who sent an opinion (no address, no browser
signature, no exact time), yet one address must not flood it. So a submission
is counted in the cache — never the database — under a key that is an HMAC of
the client address with a *random secret of the day*. The secret lives only in
the cache and expires after the day: once it is gone, nobody (not even someone
holding SECRET_KEY) can tell which address a key belonged to; and every count
itself expires after a short window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

_DAY_SECONDS = 24 * 60 * 60


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _secret_of_the_day() -> bytes:
    name = f"opinions:rl-secret:{timezone.localdate().isoformat()}"
    secret = cache.get(name)
    if secret is None:
        # add() keeps the first secret if two requests race for it.
        cache.add(name, secrets.token_hex(32), timeout=_DAY_SECONDS + 3600)
        secret = cache.get(name)
    return str(secret).encode()


def _key(scope: str, address: str) -> str:
    digest = hmac.new(_secret_of_the_day(), address.encode(), hashlib.sha256).hexdigest()
    return f"opinions:rl:{scope}:{digest}"


def limits(scope: str) -> tuple[int, int]:
    """(how many submissions, per how many seconds) for a scope, from the settings."""
    configured = getattr(settings, "VANGUARD_OPINION_RATE_LIMITS", {})
    return configured.get(scope, (5, 600))


def is_limited(request: HttpRequest, scope: str) -> bool:
    """True when this client has used up its submissions for the window."""
    allowed, _window = limits(scope)
    return int(cache.get(_key(scope, client_address(request))) or 0) >= allowed


def count(request: HttpRequest, scope: str) -> None:
    """Count one submission from this client; the count expires after the window."""
    _allowed, window = limits(scope)
    key = _key(scope, client_address(request))
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
