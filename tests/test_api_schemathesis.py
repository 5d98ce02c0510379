"""Schemathesis against the JSON API, in process (WSGI), on the demo college.

Every operation of /api/v1/openapi.json is called with cases schemathesis generates
from the schema, valid ones and invalid ones, by four callers: the committee admin
and a member (each with an API token of their own), a branch secretary signed in
with a browser session, and an anonymous caller. Each answer must be no server
error, carry a status the schema documents for the operation, and match the schema
documented for that status.

Bounded and repeatable: MAX_EXAMPLES cases per operation and generation mode, from
a fixed seed, derandomised, without Hypothesis's example database, so every run
sends the same requests (about 36 operations × 2 modes × MAX_EXAMPLES × 4 callers).
How many is the depth of the run (VANGUARD_FUZZ_DEPTH, as Hypothesis's own settings
profiles do it): `full` — 12, and schemathesis's coverage phase (each parameter's
boundary and wrong-type values) — in `make test` and so in CI; `quick` — 3, without
the coverage phase — for a developer's bare `pytest`, where this module was a fifth
of the suite's time.
The demo is put in once for the module (vanguard.demo.tests.kept_demo: the rows of this
worker's one build, shared with the demo's own tests) and each
operation's writes are rolled back after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from vanguard.accounts import services
from vanguard.accounts.models import User
from vanguard.demo.tests.kept_demo import kept_demo

DEPTH = os.environ.get("VANGUARD_FUZZ_DEPTH", "quick")
# full: 12 generated cases per operation and mode, and the coverage phase (every
# parameter's boundary and wrong-type values, some thousands of requests in all);
# quick: 3 generated cases, without the coverage phase.
MAX_EXAMPLES, COVERAGE = {"full": (12, True), "quick": (3, False)}[DEPTH]
SEED = 20261205
# Demo accounts, plus the anonymous caller.
TOKEN_ROLES = ("committee", "member")
SESSION_ROLE = "secretary"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    application,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "phases": {"coverage": {"enabled": COVERAGE}},
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                # No made-up tokens or session cookies: each caller's own are sent.
                "with-security-parameters": False,
            },
        }
    ),
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@dataclass(frozen=True)
class Caller:
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def callers_of_the_module(django_db_setup, django_db_blocker) -> Iterator[dict[str, Caller]]:
    """The demo college, and its callers: the committee admin and the member with a
    token each, the branch secretary with a browser session (and its CSRF token, so
    that writes pass the CSRF check too), and an anonymous caller."""
    with kept_demo(django_db_blocker):
        callers: dict[str, Caller] = {}
        for username in TOKEN_ROLES:
            user = User.objects.get(username=username)
            _token, raw = services.token_create(user=user, name="schemathesis")
            callers[username] = Caller(headers={"Authorization": f"Bearer {raw}"})
        browser = Client()
        browser.force_login(User.objects.get(username=SESSION_ROLE))
        csrf = get_random_string(32)
        callers[SESSION_ROLE] = Caller(
            headers={"X-CSRFToken": csrf},
            cookies={
                settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value,
                settings.CSRF_COOKIE_NAME: csrf,
            },
        )
        callers["anonymous"] = Caller()
        yield callers


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
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(
    case: Any, callers_of_the_module, _one_connection_per_test
) -> None:
    for role, caller in callers_of_the_module.items():
        try:
            case.call_and_validate(headers=caller.headers, cookies=caller.cookies, checks=CHECKS)
        except Exception as error:
            error.add_note(f"caller: {role}")
            raise
