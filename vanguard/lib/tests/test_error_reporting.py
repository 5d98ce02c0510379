"""The optional error reports (Sentry's SDK, the real one), as whoever reads them on
the Sentry server would: the exception's type and stack are there; no voting code, no
`/v/` path, no opinion's text or source, no cookie, no query string.

The SDK sends through a transport of the test's own that keeps every envelope (every
event, and anything else the SDK would send) instead of posting it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import reverse

from vanguard.ballots import services as ballots
from vanguard.ballots.tests import factories as ballot_factories
from vanguard.lib.error_reporting import sentry_init
from vanguard.lib.log_scrub import scrub_breadcrumb, scrub_event
from vanguard.opinions.intake import services as intake_services
from vanguard.opinions.tests import access_table_intake as intake

sentry_sdk = pytest.importorskip("sentry_sdk")
from sentry_sdk.envelope import Envelope  # noqa: E402
from sentry_sdk.transport import Transport  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
DSN = "http://public@127.0.0.1:9/1"
COOKIE = "COOKIE7QX9secret"
OPINION = "书记处理群众来信不及时，REPORTSECRET-7QX9。"
CONTACT = "13922228888"


class Reports(list):
    def text(self) -> str:
        return b"".join(envelope.serialize() for envelope in self).decode()

    def events(self) -> list[dict]:
        return [e for e in (envelope.get_event() for envelope in self) if e]


@pytest.fixture
def reports(request: pytest.FixtureRequest) -> Iterator[Reports]:
    """Sentry's SDK started for real: its hooks stay in Django after the test, so the
    tests that use it run last (the `leaves_hooks` mark, conftest.py)."""
    assert request.node.get_closest_marker("leaves_hooks"), "mark the test leaves_hooks"
    kept = Reports()

    class Keep(Transport):
        def capture_envelope(self, envelope: Envelope) -> None:
            kept.append(envelope)

    sentry_init(dsn=DSN, transport=Keep)
    try:
        yield kept
    finally:
        sentry_sdk.flush()
        sentry_sdk.get_client().close()
        # No client: the SDK's hooks stay in Django and logging, and do nothing.
        sentry_sdk.get_global_scope().set_client(None)


@pytest.fixture
def visitor() -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = COOKIE
    client.cookies["csrftoken"] = COOKIE
    return client


def _explode(**_kwargs: object) -> None:
    raise RuntimeError("the disk is full")


def _exception_types(reports: Reports) -> set[str]:
    return {
        value["type"]
        for event in reports.events()
        for value in (event.get("exception") or {}).get("values", [])
    }


@pytest.mark.leaves_hooks
def test_an_error_on_the_card_page_is_reported_without_the_code_or_the_path(
    org, cast, reports, monkeypatch
):
    session = ballot_factories.session_for(org.branch_a1)
    ballots.session_open(session=session, user=cast.secretary)
    ballot_factories.tick_all_present(session)
    code = ballots.cards_issue(session=session, spares=0)[0].code
    monkeypatch.setattr(ballots, "card_check", _explode)
    # Through the WSGI application, as gunicorn calls it (the SDK reads the URL there).
    environ = (
        RequestFactory()
        .post(
            f"/v/{session.pk}/{code}/?from=QUERY7QX9",
            {"code": code, "step": "check"},
            headers={"Origin": "http://testserver", "X-Request-ID": "nginx-7f7f7f7f"},
            HTTP_COOKIE=f"sessionid={COOKIE}; csrftoken={COOKIE}",
        )
        .environ
    )
    statuses: list[str] = []
    # As Django's test client does: the handler must not close the test's connection at
    # the start and end of the request (PostgreSQL's test transaction would go with it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        answer = get_wsgi_application()(environ, lambda status, _h: statuses.append(status))
        body = b"".join(answer)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert statuses == ["500 Internal Server Error"] and body
    sentry_sdk.flush()
    assert "RuntimeError" in _exception_types(reports)
    (request_event,) = [e for e in reports.events() if e.get("request")]
    assert request_event["request"]["url"] == "http://testserver/v/…"
    assert request_event["request"]["method"] == "POST"
    assert request_event["tags"]["request_id"] == "nginx-7f7f7f7f"
    text = reports.text()
    for secret in (code, code.replace("-", ""), f"/v/{session.pk}", "QUERY7QX9", COOKIE):
        assert secret not in text


@pytest.mark.leaves_hooks
def test_an_error_while_an_opinion_is_submitted_is_reported_without_its_text_or_source(
    org, cast, visitor, reports, monkeypatch
):
    slug = intake.box_slug(SimpleNamespace(org=org, cast=cast))
    monkeypatch.setattr(intake_services, "box_submit", _explode)
    answer = visitor.post(
        reverse("opinions_public:box", args=[slug]),
        {"about": "branch", "text": OPINION, "contact": CONTACT, "website": ""},
    )
    assert answer.status_code == 500
    sentry_sdk.flush()
    assert "RuntimeError" in _exception_types(reports)
    text = reports.text()
    for secret in ("REPORTSECRET-7QX9", "书记处理群众来信", CONTACT, slug, COOKIE):
        assert secret not in text


def test_the_event_hook_keeps_the_exception_and_drops_the_request_data():
    event = {
        "exception": {
            "values": [
                {
                    "type": "IntegrityError",
                    "value": "duplicate key\nDETAIL:  Key (token)=(TOKEN7QX9) already exists.",
                    "stacktrace": {"frames": [{"function": "vote", "vars": {"code": "C7QX9"}}]},
                }
            ]
        },
        "request": {
            "url": "https://vanguard.example.edu.cn/o/survey/TOKEN7QX9/?x=QUERY7QX9",
            "method": "GET",
            "query_string": "x=QUERY7QX9",
            "cookies": {"sessionid": COOKIE},
            "data": {"text": OPINION},
            "env": {"REMOTE_ADDR": "203.0.113.7"},
            "headers": {
                "Cookie": f"sessionid={COOKIE}",
                "Referer": "https://vanguard.example.edu.cn/v/1/C7QX9/",
                "User-Agent": "UniquePhone 42",
                "Authorization": "Bearer vg_TOKEN7QX9",
                "Accept-Language": "zh-CN",
            },
        },
        "user": {"ip_address": "203.0.113.7", "id": "42"},
        "extra": {"request": "<WSGIRequest: GET '/v/1/C7QX9/'>", "sys.argv": ["x"]},
        "logentry": {"message": "Not Found: %s", "params": ["/v/1/C7QX9/"]},
        "breadcrumbs": {
            "values": [
                {"type": "default", "category": "query", "message": "INSERT … 'C7QX9'"},
                {"type": "log", "category": "django.request", "message": "Not Found: /v/1/C7QX9/"},
            ]
        },
    }
    scrubbed = scrub_event(event, None)
    assert scrubbed["exception"]["values"][0]["type"] == "IntegrityError"
    assert scrubbed["request"] == {
        "method": "GET",
        "url": "https://vanguard.example.edu.cn/o/survey/…",
        "headers": {"Accept-Language": "zh-CN"},
    }
    assert "user" not in scrubbed
    assert [c["message"] for c in scrubbed["breadcrumbs"]["values"]] == ["Not Found: /v/…"]
    text = repr(scrubbed)
    for secret in ("TOKEN7QX9", "QUERY7QX9", COOKIE, "C7QX9", "203.0.113.7", "UniquePhone"):
        assert secret not in text
    assert scrub_breadcrumb({"type": "redis", "category": "redis", "message": "GET :1:s"}) is None


def test_a_dsn_without_the_sdk_installed_stops_start_up_saying_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # as if not installed
    with pytest.raises(ImproperlyConfigured, match=r"vanguard\[sentry\]"):
        sentry_init(dsn=DSN)
