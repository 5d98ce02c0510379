"""One way to send reminders, for every periodic reminder command (`review_reminders`,
`rectification_reminders`): who is reminded (the officers over a unit, members who
log in, each with the e-mail address to use), and a run's reminders collected as
`Message`s and sent once by `notify_many` — an in-app notification per person and key
(a key already sent is not sent again, so a command may run as often as it likes) and
an e-mail to those with an address.

A person's address: the one on their member record first (the roster's, kept by the
branch), else their login's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.urls import NoReverseMatch, reverse

from vanguard.accounts.access import Placed, holders
from vanguard.notices.services import Message, mail_body, notify_many
from vanguard.organization.models import Member


class Recipient(NamedTuple):
    user_id: int
    email: str


def page_url(name: str, *args: Any) -> str:
    """A link to a page another part of the system may not provide ("" then)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def officers(unit: Placed, roles: Iterable[str]) -> list[Recipient]:
    """Those holding one of the roles over the unit (on it or a unit above it), in a
    stable order."""
    rows = holders(unit, roles).order_by("pk").values_list("pk", "email", "member__email")
    return [Recipient(user_id, own or account or "") for user_id, account, own in rows]


def member_recipient(member: Member) -> Recipient | None:
    """The member as a recipient (None for a member who does not log in, or no longer)."""
    user = member.user if member.user_id is not None else None
    if user is None or not user.is_active:
        return None
    return Recipient(user.pk, member.email or user.email or "")


class Reminders:
    """A run's reminders: add them, then `send()` once. Officers are looked up once per
    unit and roles within the run."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._officers: dict[tuple[str, frozenset[str]], list[Recipient]] = {}

    def officers(self, unit: Placed, roles: Iterable[str]) -> list[Recipient]:
        key = (unit.path, frozenset(roles))  # who holds a role over a unit is its path's answer
        if key not in self._officers:
            self._officers[key] = officers(unit, key[1])
        return self._officers[key]

    def add(self, to: Recipient, *, text: str, url: str, key: str, subject: str) -> None:
        """One reminder, in-app and (with an address) by e-mail."""
        self.messages.append(
            Message(to.user_id, text, url, key, to.email, subject, mail_body(text, url))
        )

    def send(self) -> list[Message]:
        """Send what was not sent before; returns those reminders."""
        return notify_many(self.messages)
