"""How a person who acted on a record is named on a page, an export or an API answer.
The account may be gone (deleted: the link is now empty); the record stays and names
them neutrally instead of failing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:  # a type only: lib is below accounts
    from vanguard.accounts.models import User


def gone_label() -> str:
    return _("（账号已删除）")


def person_name(user: User | None) -> str:
    """The full name, else the login name; the neutral label when the account is gone.
    A deactivated account keeps its name: the person did act, and history says so."""
    if user is None:
        return gone_label()
    return user.get_full_name() or user.get_username() or gone_label()
