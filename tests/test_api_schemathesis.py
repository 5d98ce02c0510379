"""Schemathesis against the JSON API, in process (WSGI), on the demo college.

Every operation of /api/v1/openapi.json is called with cases schemathesis generates
from the schema, valid ones and invalid ones, by four callers: the committee admin,
a branch secretary and a member (each with an API token of their own) and an
anonymous caller. Each answer must be no server error, carry a status the schema
documents for the operation, and match the schema documented for that status.

Bounded and repeatable: MAX_EXAMPLES cases per operation and generation mode, from
a fixed seed, derandomised, without Hypothesis's example database, so every run
sends the same requests (about 36 operations × 2 modes × MAX_EXAMPLES × 4 callers).
The demo is built once for the module (conftest.kept_across_tests) and each
operation's writes are rolled back after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from conftest import kept_across_tests
from vanguard.accounts import services
from vanguard.accounts.models import User
from vanguard.demo.build import demo_build

MAX_EXAMPLES = 12
SEED = 20261205
ROLES = ("committee", "secretary", "member")  # demo accounts; plus the anonymous caller
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    application,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
        }
    ),
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def tokens_of_the_module(django_db_setup, django_db_blocker) -> Iterator[dict[str, str | None]]:
    """The demo college, and an API token for each role (None: anonymous)."""
    with kept_across_tests(django_db_blocker):
        demo_build(size="demo")
        tokens: dict[str, str | None] = {}
        for username in ROLES:
            user = User.objects.get(username=username)
            _token, raw = services.token_create(user=user, name="schemathesis")
            tokens[username] = raw
        tokens["anonymous"] = None
        yield tokens


@pytest.fixture
def _one_connection_per_test():
    """The WSGI app is called directly, not through Django's test client, so Django's
    request signals would close the database connection at each request's end, and
    with it the test's transaction (PostgreSQL; SQLite's in-memory database is never
    closed). Disconnected here as the test client does."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(
    case: Any, tokens_of_the_module, _one_connection_per_test
) -> None:
    for role, token in tokens_of_the_module.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except Exception as error:
            error.add_note(f"caller: {role}")
            raise
