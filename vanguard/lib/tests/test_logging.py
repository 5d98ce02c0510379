"""The log as an operator reads it: one line per event with time, level, logger and
request id; and as an attacker with the log would read it: no voting code, no `/v/`
path, no token, no query string, no opinion's text or source, no SQL.

The output is captured from the handler the settings configured (its own formatter
and filters on a StringIO stream), not by caplog alone, which bypasses the filters."""

from __future__ import annotations

import gzip
import importlib.util
import io
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.urls import get_resolver, reverse
from django.urls.resolvers import RoutePattern, URLResolver
from django_tasks import task

from config.logging import build_logging
from vanguard.ballots import services as ballots
from vanguard.ballots.tests import factories as ballot_factories
from vanguard.lib import request_id
from vanguard.lib.log_scrub import LineFormatter, ScrubFilter, one_line, scrub_path, scrub_text
from vanguard.opinions.intake import services as intake_services
from vanguard.opinions.models import Opinion
from vanguard.opinions.tests import access_table_intake as intake

ROOT = Path(__file__).resolve().parents[3]
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"
LINE = re.compile(rf"^({STAMP}) ([A-Z]+) (\S+) \[req=([A-Za-z0-9-]+)\] (.*)$")


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """Everything the configured console handler would write, at DEBUG for every logger
    the settings leave to the level (so that whatever the code logs is seen)."""
    root = logging.getLogger()
    console = [h for h in root.handlers if isinstance(h.formatter, LineFormatter)]
    assert len(console) == 1, "the settings' LOGGING configures one line-format handler"
    assert any(isinstance(f, ScrubFilter) for f in console[0].filters)
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(console[0].formatter)
    for kept in console[0].filters:
        capture.addFilter(kept)
    levels = {name: logging.getLogger(name).level for name in ("", "django")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    root.addHandler(capture)
    try:
        yield stream
    finally:
        root.removeHandler(capture)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _lines(stream: io.StringIO) -> list[re.Match[str]]:
    text = stream.getvalue()
    lines = text.splitlines()
    matched = [LINE.match(line) for line in lines]
    assert all(matched), f"a line not in the one-line format: {text!r}"
    return [m for m in matched if m]


@pytest.fixture
def quiet_client() -> Client:
    """A browser's view of a server error: the 500 page, not the exception."""
    return Client(raise_request_exception=False)


# --- the line ---------------------------------------------------------------------


def test_a_404_under_v_is_one_line_with_time_level_logger_and_request_id_and_no_code(
    client, log, db
):
    response = client.get("/v/CODE7QX9/ABCD-EFGH/?secret=QUERY7QX9")
    assert response.status_code == 404
    (line,) = _lines(log)
    stamp, level, logger, rid, message = line.groups()
    assert (level, logger, message) == ("WARNING", "django.request", "Not Found: /v/…")
    assert rid == response["X-Request-ID"]
    assert stamp.endswith("+08:00")  # the site's zone (Asia/Shanghai in the tests)
    for secret in ("CODE7QX9", "ABCD-EFGH", "QUERY7QX9"):
        assert secret not in log.getvalue()


def test_the_request_id_comes_from_the_proxy_when_well_formed_and_is_made_otherwise(
    client, log, db
):
    given = client.get("/no-such-page/", headers={"X-Request-ID": "nginx-4f2a9c1b77"})
    assert given["X-Request-ID"] == "nginx-4f2a9c1b77"
    refused = [
        "short",
        "has space in it",
        "x" * 65,
        "evil\r\nforged",
        "名字名字名字名字",
    ]
    made = [client.get("/no-such-page/", headers={"X-Request-ID": bad}) for bad in refused]
    ids = [r["X-Request-ID"] for r in made]
    assert all(re.fullmatch(r"[0-9a-f]{16}", rid) for rid in ids)
    assert len(set(ids)) == len(ids)  # a new one each time
    logged = [m.group(4) for m in _lines(log)]
    assert logged == ["nginx-4f2a9c1b77", *ids]
    # Outside a request: "-".
    assert request_id.current() is None
    logging.getLogger("vanguard.test").warning("no request here")
    assert _lines(log)[-1].group(4) == "-"


@task()
def _the_tasks_request_id() -> str | None:
    return request_id.current()


def test_a_task_run_outside_a_request_gets_an_id_of_its_own_and_inline_keeps_the_requests():
    alone = _the_tasks_request_id.enqueue().return_value
    assert alone and alone.startswith("task-")
    assert request_id.current() is None  # cleared when the run ends

    request_id.set_current("req-12345678")  # a task run inline, inside a request
    try:
        assert _the_tasks_request_id.enqueue().return_value == "req-12345678"
        assert request_id.current() == "req-12345678"
    finally:
        request_id.set_current(None)


def test_a_traceback_stays_on_its_line_and_a_line_break_in_a_path_forges_no_line(log):
    logger = logging.getLogger("vanguard.test")
    try:
        raise ValueError("went wrong at /v/12/SECRET-CODE/ ?")
    except ValueError:
        logger.exception("failed on %s", "/o/survey/TOKEN7QX9/\n2026-01-01 ERROR forged")
    (line,) = _lines(log)
    assert line.group(2) == "ERROR"
    message = line.group(5)
    assert message.startswith("failed on /o/survey/…")
    assert "Traceback (most recent call last):\\n" in message
    assert "ValueError: went wrong at /v/… ?" in message
    assert "SECRET-CODE" not in message and "TOKEN7QX9" not in message


# --- what must never appear ---------------------------------------------------------


def test_a_card_vote_with_a_wrong_code_and_a_server_error_on_a_card_page_log_no_code(
    org, cast, client, quiet_client, log, monkeypatch
):
    session = ballot_factories.session_for(org.branch_a1)
    ballots.session_open(session=session, user=cast.secretary)
    ballot_factories.tick_all_present(session)
    cards = ballots.cards_issue(session=session, spares=1)
    connection.force_debug_cursor = True  # SQL would be logged if its level let it
    try:
        wrong = client.post(
            f"/v/{session.pk}/",
            {"code": "WRNG-7QX9", "step": "check"},
            headers={"Origin": "http://testserver"},
        )
        assert wrong.status_code == 200
        assert "投票码无效" in wrong.content.decode()
        # A fault while the card page checks a real card's code (from its QR code).
        monkeypatch.setattr(ballots, "card_check", _explode)
        broken = quiet_client.get(f"/v/{session.pk}/{cards[0].code}/?from=qr")
    finally:
        connection.force_debug_cursor = False
    assert broken.status_code == 500
    text = log.getvalue()
    lines = _lines(log)
    assert [m.group(5) for m in lines if m.group(3) == "django.request"][0].startswith(
        "Internal Server Error: /v/…\\nTraceback"
    )
    assert "RuntimeError: the disk is full" in text
    for secret in [cards[0].code, cards[0].code.replace("-", ""), "WRNG-7QX9", cards[0].receipt]:
        assert secret not in text
    assert f"/v/{session.pk}" not in text
    assert "SELECT" not in text and "INSERT" not in text


def _explode(**_kwargs: object) -> None:
    raise RuntimeError("the disk is full")


OPINION = "支部书记开会总迟到，LOGSECRET-7QX9。"
CONTACT = "13811117777"


def test_an_opinion_through_the_public_box_logs_neither_its_text_nor_its_source(
    org, cast, client, quiet_client, log, monkeypatch
):
    f = SimpleNamespace(org=org, cast=cast)
    slug = intake.box_slug(f)
    url = reverse("opinions_public:box", args=[slug])
    body = {"about": "branch", "text": OPINION, "contact": CONTACT, "website": ""}
    connection.force_debug_cursor = True
    try:
        assert client.post(url, body).status_code == 302
        assert Opinion.objects.filter(text=OPINION).exists()
        monkeypatch.setattr(intake_services, "box_submit", _explode)
        assert quiet_client.post(url, {**body, "text": OPINION + "2"}).status_code == 500
        # A survey link with its one-time token, refused: 404 logs its path.
        assert client.get("/o/survey/TOKEN7QX9/thanks/extra/").status_code == 404
    finally:
        connection.force_debug_cursor = False
    text = log.getvalue()
    assert "Internal Server Error: /o/box/…" in text and "RuntimeError" in text
    assert "Not Found: /o/survey/…" in text
    for secret in ("LOGSECRET-7QX9", "支部书记开会总迟到", CONTACT, slug, "TOKEN7QX9"):
        assert secret not in text
    assert "INSERT" not in text


def test_the_request_django_attaches_to_its_records_is_taken_off(rf, log):
    request = rf.post("/v/1/ABCD-EFGH/?q=QUERY7QX9", {"code": "ABCD-EFGH", "text": OPINION})
    record = logging.getLogger("django.request").makeRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (request.path,), None
    )
    record.request = request
    ScrubFilter().filter(record)
    assert not hasattr(record, "request")
    assert record.getMessage() == "Not Found: /v/…"


SITE = "https://vanguard.example.edu.cn"
PG_UNIQUE = 'duplicate key value violates unique constraint "t"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /v/3/ABCD-EFGH/ failed", "GET /v/… failed"),
        ("<WSGIRequest: POST '/v/3/'>", "<WSGIRequest: POST '/v/…'>"),
        (f"{SITE}/v/3/ABCD-EFGH/?a=b", f"{SITE}/v/…"),
        ("Not Found: //V/3/ABCD-EFGH", "Not Found: /V/…"),
        ("/o/box/12-3-Zx8Q/thanks/", "/o/box/…"),
        ("/o/survey/tok_en-123/", "/o/survey/…"),
        ("/notices/calendar/feed/abc123.ics", "/notices/calendar/feed/…"),
        ("/study/sessions/4/signin/abc123/", "/study/sessions/4/signin/…"),
        ("/accounts/login/?next=/v/1/X/&ticket=ST-1-SECRET", "/accounts/login/?…"),
        ("http://cas.example.edu.cn/validate?ticket=ST-1", "http://cas.example.edu.cn/validate?…"),
        (PG_UNIQUE + "DETAIL:  Key (token)=(abc) already exists.", PG_UNIQUE + "DETAIL: …"),
        ("DETAIL:  Failing row contains (7, 支部书记开会总迟到, null).", "DETAIL: …"),
        ("Authorization: Bearer vg_AbC-123_xyz", "Authorization: Bearer vg_…"),
    ],
)
def test_scrubbing(text, expected):
    assert scrub_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["/opinions/12/", 'File "/work/main/vanguard/ballots/views.py", line 5', "12/05 at 19:30"],
)
def test_text_without_secrets_passes_unchanged(text):
    assert scrub_text(text) == text


def test_one_line_escapes_line_breaks_and_control_characters():
    assert one_line("a\nb\r\nc\x1b[31m\u2028d\tе") == "a\\nb\\r\\nc\\x1b[31m\\u2028d\tе"


SECRET_PARAMETERS = {"code", "token", "slug"}


def _routes(patterns, prefix="") -> Iterator[tuple[str, object]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.pattern


def test_every_address_that_carries_a_code_token_or_slug_is_scrubbed():
    covered = []
    for route, pattern in _routes(get_resolver().url_patterns):
        names = {a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)}
        if not names & SECRET_PARAMETERS:
            continue
        assert isinstance(pattern, RoutePattern), f"check by hand how {route} is scrubbed"
        sample = "/" + re.sub(
            r"<(?:\w+:)?(\w+)>",
            lambda m: "SENTINEL7QX9" if m.group(1) in SECRET_PARAMETERS else "1",
            route,
        )
        assert "SENTINEL7QX9" not in scrub_path(sample), route
        assert "SENTINEL7QX9" not in scrub_text(f"Not Found: {sample}"), route
        covered.append(route)
    assert "v/<int:pk>/<str:code>/" in covered and "o/survey/<str:token>/" in covered


# --- gunicorn -------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Receiver(BaseHTTPRequestHandler):
    """A Sentry server's envelope endpoint on loopback: keeps every body it is sent."""

    bodies: list[bytes]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.bodies.append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_gunicorn_logs_one_line_per_event_keeps_no_access_log_and_reports_scrubbed(tmp_path):
    """The README's gunicorn command, with an empty database (so that the card page
    fails for real) and, where sentry-sdk is installed, a DSN pointing at a receiver."""
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    receiver.bodies = []  # type: ignore[attr-defined]
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    reporting = importlib.util.find_spec("sentry_sdk") is not None
    port = _free_port()
    env = {
        **os.environ,
        "VANGUARD_DEVELOPMENT": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "VANGUARD_LOG_LEVEL": "WARNING",
    }
    if reporting:
        env["VANGUARD_SENTRY_DSN"] = f"http://public@127.0.0.1:{receiver.server_port}/1"
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"]
    command += ["--access-logfile", "-"]  # asked for, and still not kept
    errors, output = tmp_path / "stderr", tmp_path / "stdout"
    with errors.open("wb") as err, output.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [*command, "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    answers = {}
    try:
        deadline = time.monotonic() + 30
        for path in ("/v/CODE7QX9/ABCD-EFGH/?q=QUERY7QX9", "/v/1/ABCD-EFGH/?q=QUERY7QX9"):
            while True:
                try:
                    urllib.request.urlopen(url + path, timeout=10)  # noqa: S310
                except urllib.error.HTTPError as answer:
                    answers[answer.code] = answer.headers["X-Request-ID"]
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(errors.read_text(errors="replace")) from None
                    time.sleep(0.1)
        while reporting and not receiver.bodies and time.monotonic() < deadline:  # type: ignore[attr-defined]
            time.sleep(0.05)
    finally:
        # Every line is written before its answer leaves; gunicorn's own orderly stop
        # takes two seconds more and is not what is tested here.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        receiver.shutdown()
    assert set(answers) == {404, 500}  # no such session table: the page fails
    text = errors.read_text() + output.read_text()
    lines = [LINE.match(line) for line in text.splitlines()]
    assert all(lines), text
    seen = [(m.group(2), m.group(3), m.group(4), m.group(5)) for m in lines if m]
    assert ("WARNING", "django.request", answers[404], "Not Found: /v/…") in seen
    (error,) = [msg for level, _l, rid, msg in seen if level == "ERROR" and rid == answers[500]]
    assert error.startswith("Internal Server Error: /v/…\\nTraceback")
    assert "OperationalError" in error
    assert any(logger == "gunicorn.error" and "Booting worker" in m for _l, logger, _r, m in seen)
    reports = b"".join(receiver.bodies).decode()  # type: ignore[attr-defined]
    if reporting:
        assert '"type":"OperationalError"' in reports
        assert f'"url":"{url}/v/\\u2026"' in reports  # "…", escaped by JSON
    for secret in ("CODE7QX9", "ABCD-EFGH", "QUERY7QX9", '"GET '):
        assert secret not in text
        assert secret not in reports


def test_a_misspelt_log_level_stops_start_up_and_debug_still_keeps_sql_out():
    with pytest.raises(ImproperlyConfigured, match="VANGUARD_LOG_LEVEL"):
        build_logging(level="WARN")
    loggers = build_logging(level="debug", time_zone="Asia/Shanghai")["loggers"]
    assert loggers["django.db.backends"]["level"] == logging.INFO
    assert loggers["django.server"] == {"handlers": [], "propagate": False}
