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

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# The address, its keyed counter and its counting are the login throttle's: one secret
# of the day, one atomic count shared by every process (Redis with VANGUARD_CACHE_URL).
from vanguard.accounts.throttle import client_address, counter_key, increment


def _key(scope: str, address: str) -> str:
    return counter_key(f"opinions-{scope}", address)


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
    increment(_key(scope, client_address(request)), window)
