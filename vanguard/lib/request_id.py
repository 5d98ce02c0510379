"""A request id on every log line, so that an operator can follow one request (or one
task run) through the log and match it with the web server's own log.

`RequestIdMiddleware` takes a well-formed `X-Request-ID` from the reverse proxy (nginx's
`$request_id`: letters, digits and dashes, 8 to 64 of them) or makes a random one,
keeps it in a context variable that the log filter (`vanguard.lib.log_scrub`) reads,
and returns it in the answer's `X-Request-ID` header. Anything else in the header (a
client's own text, a line break, a name) is not taken: the log line stays ours.

The id is left set until Django has finished with the request (`request_finished`),
not reset as the answer leaves the middleware: Django logs a 4xx or 5xx answer
(`django.request`) after the whole middleware chain has returned, and that line must
carry the id too.

A task run in the worker gets an id of its own, `task-…`; a task run inline (no
worker configured) keeps the id of the request that started it.

The id is random and names nothing: it is no secret, and carries nothing of a
`/v/` path or a code.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.core.signals import request_finished

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
WELL_FORMED = re.compile(r"[A-Za-z0-9-]{8,64}")

_current: ContextVar[str | None] = ContextVar("vanguard_request_id", default=None)
# Whether the id now set was set for a task run (and is to be cleared when it ends).
_task_owned: ContextVar[bool] = ContextVar("vanguard_request_id_task", default=False)


def current() -> str | None:
    """The id of the request (or task run) this code runs for, if any."""
    return _current.get()


def new_id() -> str:
    return secrets.token_hex(8)


def accepted(value: str | None) -> str | None:
    """`value` if it is a well-formed id, else None."""
    if value and WELL_FORMED.fullmatch(value):
        return value
    return None


def set_current(value: str | None) -> None:
    _current.set(value)
    _task_owned.set(False)


class RequestIdMiddleware:
    """Sets the request id for the log, and sends it back in `X-Request-ID`. First in
    MIDDLEWARE, so that every answer carries it (a redirect to HTTPS, a refusal by
    the middleware below) and every line logged while answering has it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        value = accepted(request.META.get(META_KEY)) or new_id()
        set_current(value)
        response = self.get_response(request)
        response[HEADER] = value
        return response


def _request_finished(**_kwargs: Any) -> None:
    set_current(None)


def _task_started(**_kwargs: Any) -> None:
    if _current.get() is None:
        _current.set("task-" + new_id())
        _task_owned.set(True)


def _task_finished(**_kwargs: Any) -> None:
    if _task_owned.get():
        set_current(None)


request_finished.connect(_request_finished, dispatch_uid="vanguard.request_id.finished")


def _connect_task_signals() -> None:
    # django-tasks' signals (Django 6: django.tasks.signals); importing them needs no
    # settings, so the gunicorn master (which has none) may import this module too.
    try:
        from django_tasks.signals import task_finished, task_started
    except ImportError:  # pragma: no cover - django-tasks is a dependency
        return
    task_started.connect(_task_started, dispatch_uid="vanguard.request_id.task_started")
    task_finished.connect(_task_finished, dispatch_uid="vanguard.request_id.task_finished")


_connect_task_signals()
