"""Pages kept whole: one person's page, rendered once and served again as it was, until
anything it shows may have changed.

The pages a person opens many times a day — their home, their progress, their feedback
sheet, a dashboard — are made of records that change far less often than they are
read. A view marked `@kept_page` is rendered once; its answer is kept in the cache
under everything it depends on, and served from there:

- the records' version and the database's own mark (`records.stamp()`, read before the
  view runs, so that two databases sharing a cache never share a key): every table
  such a page reads carries the version's triggers (registered by the app that owns it
  with `requirements.counts_records_of`), so after any write to them — a service, the
  admin, a bulk update, SQL typed by hand — the key has changed. A test renders every
  kept page as every role and fails if it read a table that is not counted
  (`tests/test_kept_pages.py`);
- the person (their login's id and what the header shows of it), the language, the
  address with its query, htmx's partial request, today's date;
- what an app registers with `key_part` for the parts of a page that read a table not
  counted: the unread notices' count (notices). The tables a kept page may read without
  either, and why, are listed in `tests/test_kept_pages.py` (the vote's roll, written
  with its counted opening; a survey's anonymous answers, shown only once it is closed).

A kept page is at most `KEPT_PAGE_SECONDS` old in what only the clock changes, and ends
at midnight or sooner where what it shows says so (`valid_until`: a progress run's
`until`, the start of a meeting already entered). Nothing is kept inside a
transaction (what it reads may not be committed), for a page with a message to show,
or for an answer that is not a plain 200. Forms on a kept page get the requesting
person's CSRF token when it is served. The cached copy is compressed.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import zlib
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from vanguard.campaigns import records

# The longest a page is kept (a counted write, midnight or `valid_until` end it sooner).
KEPT_PAGE_SECONDS = 300
_PREFIX = "vanguard:page:"
# What an answer keeps of its view's headers (the middleware adds the rest each time).
_NOT_KEPT_HEADERS = {"set-cookie", "content-length", "vary"}
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')

KEY_PARTS: list[Callable[[HttpRequest], object]] = []
_valid_until: ContextVar[datetime.datetime | None] = ContextVar("kept_page_until", default=None)


def key_part(part: Callable[[HttpRequest], object]) -> Callable[[HttpRequest], object]:
    """Register what a kept page depends on beyond the counted records (an app's
    `ready()`): `part(request)` is read on every request to a kept page, before the
    cache is asked, so it must be cheap — one small query at most."""
    if part not in KEY_PARTS:
        KEY_PARTS.append(part)
    return part


def valid_until(until: datetime.datetime | None) -> None:
    """What the page being made shows holds no later than `until` (the start of a
    meeting already entered, which then counts as held: `Progress.until`)."""
    earlier = _valid_until.get()
    if until is not None and (earlier is None or until < earlier):
        _valid_until.set(until)


def kept_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's answer from the cache while nothing it shows has changed."""

    @wraps(view)
    def keep(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _may_keep(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        found = cache.get(key)
        if found is not None:
            return _served(request, *found)
        reset = _valid_until.set(None)
        try:
            response = view(request, *args, **kwargs)
            seconds = _seconds_to_keep(request, response, _valid_until.get())
        finally:
            _valid_until.reset(reset)
        if seconds > 0:
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in _NOT_KEPT_HEADERS
            ]
            cache.set(key, (headers, zlib.compress(response.content, 1)), seconds)
        return response

    keep.kept_page = True  # type: ignore[attr-defined]
    return keep


def _pending_messages(request: HttpRequest) -> int:
    storage = getattr(request, "_messages", None)
    return len(storage) if storage is not None else 0  # type: ignore[arg-type]


def _may_keep(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and user is not None
        and user.is_authenticated
        and not transaction.get_connection().in_atomic_block
        and not _pending_messages(request)
    )


def _key(request: HttpRequest) -> str:
    user = request.user
    described = repr(
        (
            records.stamp(),
            user.pk,
            str(user),
            user.is_superuser,  # type: ignore[union-attr]
            get_language(),
            request.get_full_path(),
            request.headers.get("HX-Request", ""),
            timezone.localdate().isoformat(),
            *(part(request) for part in KEY_PARTS),
        )
    ).encode()
    return _PREFIX + hashlib.sha256(described).hexdigest()


def _seconds_to_keep(
    request: HttpRequest, response: HttpResponse, until: datetime.datetime | None
) -> int:
    if (
        response.status_code != 200
        or response.streaming
        or response.cookies  # a view's own cookie would be lost on the next answer
        or _pending_messages(request)
    ):
        return 0
    now = timezone.localtime()
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    until = min(midnight, until or midnight)
    return min(KEPT_PAGE_SECONDS, int((until - now).total_seconds()))


def _served(request: HttpRequest, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
    token = get_token(request).encode()
    content = _TOKEN.sub(lambda found: found[1] + token + found[2], zlib.decompress(body))
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    return response
