"""Who is acting right now, for the audit trail. Set per request by the middleware,
or explicitly by services and commands with `acting_as(user)`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vanguard.accounts.access import Person

_actor: ContextVar[Any] = ContextVar("vanguard_audit_actor", default=None)


def current_actor() -> Any:
    return _actor.get()


@contextmanager
def acting_as(user: Person | None) -> Iterator[None]:
    token = _actor.set(user if getattr(user, "is_authenticated", False) else None)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(user: Person | None) -> None:
    """Name the actor for the rest of the current `acting_as` block.

    For authentication that happens after the middleware has run (API tokens);
    the middleware's `acting_as` resets it when the request ends.
    """
    _actor.set(user if getattr(user, "is_authenticated", False) else None)
