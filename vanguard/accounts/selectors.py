"""Reads for the accounts pages: what each person's home page shows."""

from __future__ import annotations

from typing import Any

from vanguard.accounts import permissions


def home_context(user: Any) -> dict[str, Any]:
    return {
        "member": permissions.member_of(user),
        "scopes": permissions.scopes(user),
    }
