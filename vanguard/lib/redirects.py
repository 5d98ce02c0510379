"""Where to send the browser after a write: the page a form says it came from
(`next`, `return`), if that is a path on this site, else a fallback. Every view that
follows such a parameter goes through `safe_next`, so an absolute URL to another host,
`//evil`, `javascript:`, a value with a newline or NUL (which would break the
`Location` header) or a very long value all end on the fallback instead of a 500 or an
open redirect."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Longer than any page of ours; Django refuses longer URLs too (MAX_URL_LENGTH).
MAX_LENGTH = 2000


def is_safe_next(request: HttpRequest, wanted: object) -> bool:
    """Whether `wanted` is a URL on this site that may go into a `Location` header."""
    if not isinstance(wanted, str) or not wanted or len(wanted) > MAX_LENGTH:
        return False
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in wanted):
        return False
    # A path only: a bare word ("2") would be taken for a URL name by `redirect()`.
    if not wanted.startswith("/"):
        return False
    return url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, wanted: object, fallback: str) -> str:
    """`wanted` when it is safe to redirect to (see `is_safe_next`), else `fallback`."""
    return wanted if is_safe_next(request, wanted) and isinstance(wanted, str) else fallback
