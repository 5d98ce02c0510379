"""What the log and the error reports may carry, and how one log line looks.

One line per event, e.g.::

    2026-12-05T19:30:01.123+08:00 WARNING django.request [req=3f2a9c1b] Not Found: /v/…

(the time in the site's zone, to the millisecond, with its offset; the level; the
logger; the request id from `vanguard.lib.request_id`, `-` outside a request; the
message). A traceback stays on the same line, its line breaks written `\\n`, so that
a journal or a log collector never splits one event or interleaves it with another
worker's, and nobody can start a forged line by putting a line break in a URL.

Never in a line or an error report (`ScrubFilter`, on every handler; `scrub_event`,
the error reporter's `before_send`):

- a path that carries a secret: `/v/<session>/<code>/` (the card's code is in the
  address) becomes `/v/…`; the public opinion pages `/o/box/<signed slug>/` and
  `/o/survey/<one-time token>/` become `/o/box/…`, `/o/survey/…`; a calendar feed's
  token and a study session's sign-in token likewise (`SECRET_PATHS`, and a test
  checks that every URL taking a code, token or slug is covered);
- a query string (a CAS ticket, a webhook key, a search): `?…`;
- the request Django attaches to its `django.request` records (its path, GET and
  POST): taken off the record;
- the values PostgreSQL quotes in an error's DETAIL (`Key (token)=(…)`,
  `Failing row contains (…)`, which would hold an opinion's text): `DETAIL: …`;
- an API token (`vg_…`).

An opinion's text, who gave it and a ballot are never logged by the code (the
opinions and ballots apps log ids and kinds only); the SQL log (`django.db.backends`,
statements with their values) is kept off whatever the level (`config/logging.py`).

No Django settings are read here: the gunicorn master imports this module too.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from vanguard.lib import request_id

ELLIPSIS = "…"

# Paths (after the query string is cut off) whose tail is a secret: the first group
# is kept, the rest becomes "…". Matched case-insensitively on a path whose repeated
# slashes are folded: "/V/1/CODE" and "//v/1/CODE" answer 404 but still hold a code.
SECRET_PATHS: tuple[re.Pattern[str], ...] = (
    # Card voting: /v/<session>/ and /v/<session>/<code>/.
    re.compile(r"(/v/).*", re.IGNORECASE | re.DOTALL),
    # Public opinion pages: /o/box/<slug>/, /o/survey/<token>/ (any page under /o/).
    re.compile(r"(/o/[^/]+/).*", re.IGNORECASE | re.DOTALL),
    # A member's calendar feed: /notices/calendar/feed/<token>.ics.
    re.compile(r"(/notices/calendar/feed/).*", re.IGNORECASE | re.DOTALL),
    # A study session's sign-in link: /study/sessions/<pk>/signin/<token>/.
    re.compile(r"(/study/sessions/[^/]*/signin/).*", re.IGNORECASE | re.DOTALL),
)

_SLASHES = re.compile(r"/{2,}")
# A URL with a scheme and a host: the host is kept, the path scrubbed.
_URL = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s/?#'\"<>`]*)([/?#][^\s'\"<>`]*)?")
# A bare path in text: "/" not preceded by a word, a host, a path or a scheme
# ("Not Found: /v/1/X/", "<WSGIRequest: GET '/v/1/X/'>"). File names in tracebacks
# match too, and pass unchanged.
_PATH = re.compile(r"(?<![\w.~%/:\\-])/[^\s'\"<>`]*")
# PostgreSQL's DETAIL quotes the row's values (a unique key, a failing row).
_DETAIL = re.compile(r"(DETAIL:)[^\n]*")
_API_TOKEN = re.compile(r"\bvg_[A-Za-z0-9_-]+")
# Characters that would end a line or hide text on a terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def scrub_path(path: str) -> str:
    """`path` (with or without a query string) as a log may show it."""
    path, question, _query = path.partition("?")
    path = path.partition("#")[0]
    folded = _SLASHES.sub("/", path)
    for pattern in SECRET_PATHS:
        found = pattern.match(folded)
        if found:
            return found.group(1) + ELLIPSIS
    return path + ("?" + ELLIPSIS if question else "")


def _scrub_url(found: re.Match[str]) -> str:
    return found.group(1) + scrub_path(found.group(2) or "")


def _scrub_bare_path(found: re.Match[str]) -> str:
    return scrub_path(found.group(0))


def scrub_text(text: str) -> str:
    """`text` with every secret this module knows replaced by a placeholder."""
    if not text:
        return text
    text = _URL.sub(_scrub_url, text)
    text = _PATH.sub(_scrub_bare_path, text)
    text = _DETAIL.sub(r"\1 " + ELLIPSIS, text)
    return _API_TOKEN.sub("vg_" + ELLIPSIS, text)


def _escape(found: re.Match[str]) -> str:
    char = found.group(0)
    if char == "\n":
        return "\\n"
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """`text` on one line: line breaks and other control characters escaped."""
    return _CONTROL.sub(_escape, text)


class ScrubFilter(logging.Filter):
    """On every handler: fills in the request id, formats the message and scrubs it,
    scrubs the traceback, and takes Django's request object off the record (so that
    no handler, whatever its formatter, can print its path, GET or POST)."""

    _plain = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.current() or "-"
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not drop the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = scrub_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._plain.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_text(record.stack_info)
        if hasattr(record, "request"):
            del record.request
        return True


class LineFormatter(logging.Formatter):
    """`<ISO time with offset> <LEVEL> <logger> [req=<id>] <message>`, one line."""

    def __init__(self, time_zone: str = "UTC") -> None:
        super().__init__()
        self.zone = ZoneInfo(time_zone)

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.datetime.fromtimestamp(record.created, self.zone)
        text = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text = f"{text}\n{record.exc_text}"
        if record.stack_info:
            text = f"{text}\n{self.formatStack(record.stack_info)}"
        rid = getattr(record, "request_id", None) or request_id.current() or "-"
        return (
            f"{when.isoformat(timespec='milliseconds')} {record.levelname} {record.name} "
            f"[req={one_line(str(rid))}] {one_line(scrub_text(text))}"
        )


# --- Error reports (Sentry's SDK) ---------------------------------------------------

# Request headers an error report may keep: none names a person, a session or a code.
SAFE_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "accept-language",
        "content-length",
        "content-type",
        "host",
        "hx-request",
        "x-forwarded-proto",
        "x-request-id",
    }
)
# Of a breadcrumb's kinds, only log lines (scrubbed, without their data) and outgoing
# HTTP calls (method, status and a scrubbed URL) are kept: SQL with its values, cache
# and Redis commands (a session key is in the cache key) and the rest are dropped.
_CRUMB_TYPES = frozenset({"log", "http"})
_HTTP_CRUMB_DATA = frozenset({"method", "status_code", "url", "reason"})


def _scrub_all(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, Mapping):
        return {key: _scrub_all(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_all(item) for item in value]
    return value


def _scrub_request(request: Mapping[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    if "method" in request:
        kept["method"] = request["method"]
    if request.get("url"):
        kept["url"] = scrub_text(str(request["url"]))
    headers = request.get("headers") or {}
    if isinstance(headers, Mapping):
        kept["headers"] = {
            name: scrub_text(str(value))
            for name, value in headers.items()
            if str(name).lower() in SAFE_HEADERS
        }
    # data, cookies, query_string, env (the address) are left out.
    return kept


def _drop_frame_variables(event: dict[str, Any]) -> None:
    for values in (event.get("exception") or {}).get("values") or []:
        for frame in (values.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def scrub_event(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """Sentry's `before_send`: the request reduced to its method, scrubbed URL and
    safe headers; no user, cookies, body, query string or frame variables; every
    string left scrubbed like a log line; the request id as a tag."""
    event = dict(event)
    if isinstance(event.get("request"), Mapping):
        event["request"] = _scrub_request(event["request"])
    event.pop("user", None)
    extra = event.get("extra")
    if isinstance(extra, Mapping):
        event["extra"] = {k: v for k, v in extra.items() if k not in {"request", "sys.argv"}}
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, Mapping):
        values = [scrub_breadcrumb(dict(c)) for c in breadcrumbs.get("values") or []]
        event["breadcrumbs"] = {**breadcrumbs, "values": [c for c in values if c]}
    _drop_frame_variables(event)
    event = _scrub_all(event)
    rid = request_id.current()
    if rid:
        event["tags"] = {**(event.get("tags") or {}), "request_id": rid}
    return event


def scrub_breadcrumb(crumb: dict[str, Any], hint: Any = None) -> dict[str, Any] | None:
    """Sentry's `before_breadcrumb`: log lines and outgoing HTTP calls only, scrubbed."""
    kind = crumb.get("type") or "default"
    category = str(crumb.get("category") or "")
    if kind not in _CRUMB_TYPES or category in {"query", "redis", "django.db"}:
        return None
    crumb = dict(crumb)
    if kind == "log":
        crumb.pop("data", None)
    else:
        data = crumb.get("data") or {}
        crumb["data"] = {k: v for k, v in data.items() if k in _HTTP_CRUMB_DATA}
    result: dict[str, Any] = _scrub_all(crumb)
    return result


BeforeSend = Callable[[dict[str, Any], Any], dict[str, Any] | None]
