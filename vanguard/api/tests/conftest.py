from __future__ import annotations

import pytest

from vanguard.accounts import services
from vanguard.accounts.models import User


@pytest.fixture
def token_for():
    """token_for(user) -> the raw key of a new token of theirs."""

    def make(user: User, name: str = "script") -> str:
        _token, raw = services.token_create(user=user, name=name)
        return raw

    return make
