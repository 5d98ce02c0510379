"""Counting failures per client address (wrong passwords, wrong voting codes), in the
cache only, and saying how long to wait once there were too many.

django-axes locks a user name at one address after a few wrong passwords; that leaves
an address free to try a hundred passwords over twenty-five names. So wrong passwords
are also counted per address, with a limit high enough for a meeting hall whose members
all come through one NAT address (`VANGUARD_LOGIN_ADDRESS_LIMIT`). The public card-vote
page counts wrong codes per address and per appraisal session the same way (ballots).

Nothing here is written to the database or a log. A counter's cache key is an HMAC of
the address under a random secret of the day that lives only in the cache, so once the
day is over nobody can tell which address a count belonged to; a count says only how
many failures there were — never which code or password was tried.

With several app processes the cache is Redis (VANGUARD_CACHE_URL, config/settings.py),
so every process counts into the same counters: `increment` is atomic there.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

_DAY_SECONDS = 24 * 60 * 60


class Limit(NamedTuple):
    failures: int  # this many failures ...
    seconds: int  # ... within this many seconds, counted from the first


def client_address(request: HttpRequest) -> str:
    """The client's address as django-axes takes it: REMOTE_ADDR, or, behind
    `VANGUARD_PROXY_COUNT` trusted proxies, the address the outermost of them saw."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def _secret_of_the_day() -> bytes:
    name = f"throttle:secret:{timezone.localdate().isoformat()}"
    secret = cache.get(name)
    if secret is None:
        cache.add(name, secrets.token_hex(32), timeout=_DAY_SECONDS + 3600)  # first one wins
        secret = cache.get(name)
    return str(secret).encode()


def counter_key(scope: str, ident: str) -> str:
    """The cache key of `ident`'s counter in `scope`: an HMAC under the secret of the day,
    so that the key says nothing of the address once the day is over."""
    digest = hmac.new(_secret_of_the_day(), ident.encode(), hashlib.sha256).hexdigest()
    return f"throttle:{scope}:{digest}"


def wait_seconds(scope: str, ident: str, limit: Limit) -> int:
    """0 while `ident` has had fewer than `limit.failures` failures in the window; else
    how many seconds until the window ends and it may try again."""
    key = counter_key(scope, ident)
    if int(cache.get(key) or 0) < limit.failures:
        return 0
    since = float(cache.get(f"{key}:since") or time.time())
    return max(1, math.ceil(limit.seconds - (time.time() - since)))


def increment(key: str, seconds: int) -> int:
    """Add one to the counter `key`, which ends `seconds` after its first count, and
    return the new count. Atomic across every process sharing the cache (Redis with
    VANGUARD_CACHE_URL): `add` creates the counter only where none is, `incr` adds on the
    server; a read-then-write would lose the counts of two processes counting at once."""
    for _attempt in range(3):
        if cache.add(key, 1, timeout=seconds):
            return 1
        try:
            count = int(cache.incr(key))
        except ValueError:  # it ended between add() and incr(): start it again
            continue
        if count == 1:
            # Django's Redis incr checks that the key exists, then INCRs: a key ending in
            # between is made afresh by INCR, without an end. Give it one.
            cache.touch(key, seconds)
        return count
    return 1  # ended and restarted under our feet three times: count this one alone


def count_failure(scope: str, ident: str, limit: Limit) -> None:
    """Count one failure of `ident`; the window starts at its first failure."""
    key = counter_key(scope, ident)
    if increment(key, limit.seconds) == 1:
        cache.set(f"{key}:since", time.time(), timeout=limit.seconds)


def minutes(seconds: int) -> int:
    """Whole minutes to tell a person, rounded up."""
    return max(1, math.ceil(seconds / 60))


# --- Logins ---------------------------------------------------------------------------

LOGIN_SCOPE = "login-address"


def login_limit() -> Limit:
    failures, seconds = getattr(settings, "VANGUARD_LOGIN_ADDRESS_LIMIT", (50, 15 * 60))
    return Limit(int(failures), int(seconds))


def login_wait(request: HttpRequest) -> int:
    """Seconds the request's address must wait before trying to log in again (0: none)."""
    return wait_seconds(LOGIN_SCOPE, client_address(request), login_limit())


def on_login_failed(sender: Any, credentials: Any = None, request: Any = None, **_: Any) -> None:
    """`user_login_failed`: a wrong password from a web login counts for its address."""
    if isinstance(request, HttpRequest):
        count_failure(LOGIN_SCOPE, client_address(request), login_limit())


class AddressThrottleBackend:
    """First of the authentication backends: once an address has had too many wrong
    passwords, every login from it is refused before any password is checked (the
    login page says so and how long to wait; the admin's login simply fails). It has
    no `get_user`, as axes's has none, so it never holds a session of its own and the
    test client's `force_login` passes it by."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        if isinstance(request, HttpRequest) and login_wait(request):
            raise PermissionDenied
        return None
