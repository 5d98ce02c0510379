"""The headers every answer carries (vanguard/lib/middleware.py, config/gunicorn.conf.py):
a signed-in person's pages and API answers are never stored by a cache, public static
files still are, every answer forbids the browser's powerful features, and gunicorn
does not name itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests import chromium
from vanguard.accounts import services
from vanguard.lib.middleware import PERMISSIONS_POLICY

ROOT = Path(__file__).resolve().parent.parent
STATIC_FILE = "/static/css/vanguard.css"


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_private(response) -> None:
    assert {"private", "no-store"} <= directives(response), response.get("Cache-Control")
    assert "public" not in directives(response)


def assert_strict_permissions_policy(response) -> None:
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "fullscreen"):
        assert f"{feature}=()" in policy
    assert policy == PERMISSIONS_POLICY


@pytest.mark.django_db
def test_a_signed_in_page_is_private_and_not_stored(client: Client, cast):
    client.force_login(cast.member)
    response = client.get("/")
    assert response.status_code == 200
    assert_private(response)
    assert_strict_permissions_policy(response)


@pytest.mark.django_db
def test_an_api_answer_to_a_token_is_private_and_not_stored(client: Client, cast):
    _token, raw = services.token_create(user=cast.member, name="script")
    response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert_private(response)
    assert_strict_permissions_policy(response)


@pytest.mark.django_db
def test_an_api_answer_to_a_session_is_private_and_not_stored(client: Client, cast):
    client.force_login(cast.secretary)
    response = client.get("/api/v1/org/members")
    assert response.status_code == 200
    assert_private(response)
    # Even the API's errors: they too answer one person.
    assert_private(client.get("/api/v1/nope"))


@pytest.mark.django_db
def test_a_logged_out_page_that_sets_a_cookie_is_not_stored(client: Client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    # The login form sets the CSRF cookie: a shared cache must not hand it to another.
    assert settings.CSRF_COOKIE_NAME in response.cookies
    assert_private(response)
    assert_strict_permissions_policy(response)


@pytest.mark.django_db
def test_a_public_answer_without_cookies_stays_cacheable(client: Client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-store" not in directives(response)
    assert_strict_permissions_policy(response)


@pytest.mark.django_db
def test_a_static_file_stays_cacheable_for_a_signed_in_person(client: Client, cast):
    client.force_login(cast.member)
    response = client.get(STATIC_FILE)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)  # the stylesheet itself
    assert "no-store" not in directives(response)
    assert "private" not in directives(response)
    assert_strict_permissions_policy(response)


def test_no_page_needs_a_feature_the_policy_denies():
    """The policy denies every feature; none of our scripts or templates asks for one."""
    asks = ("getUserMedia", "geolocation", "PaymentRequest", "navigator.usb", "requestFullscreen")
    asks += ("navigator.clipboard", "navigator.share", "<iframe", "allow=")
    sources = [*(ROOT / "static" / "js").glob("*.js"), *(ROOT / "templates").rglob("*.html")]
    sources += list((ROOT / "vanguard").rglob("templates/**/*.html"))
    assert len(sources) > 20
    for source in sources:
        text = source.read_text(encoding="utf-8")
        for ask in asks:
            assert ask not in text, f"{source} uses {ask}: the Permissions-Policy denies it"


# --- gunicorn ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn_url(tmp_path_factory) -> Iterator[str]:
    """gunicorn serving config.wsgi with config/gunicorn.conf.py (the README's command)."""
    port = _free_port()
    database = tmp_path_factory.mktemp("gunicorn") / "db.sqlite3"
    env = {**os.environ, "VANGUARD_DEVELOPMENT": "1", "DATABASE_URL": f"sqlite:///{database}"}
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"]
    log = database.with_name("gunicorn.log")
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [*command, "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=output,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v1/openapi.json", timeout=5):  # noqa: S310
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text(errors="replace")) from None
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_gunicorn_with_the_projects_config_does_not_name_itself(gunicorn_url):
    for path in ("/api/v1/openapi.json", "/accounts/login/", "/api/v1/nope", STATIC_FILE):
        try:
            answer = urllib.request.urlopen(gunicorn_url + path, timeout=10)  # noqa: S310
        except urllib.error.HTTPError as error:
            answer = error
        with answer:
            assert answer.headers.get_all("Server") is None, (path, answer.headers["Server"])
            assert answer.headers["Permissions-Policy"] == PERMISSIONS_POLICY


# A separate process: the browser tests' Playwright may already run in this one.
BROWSER_SCRIPT = """
import sys
from playwright.sync_api import sync_playwright

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=sys.argv[2], args=["--no-sandbox"])
    page = browser.new_page()
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(sys.argv[1])
    page.wait_for_timeout(300)
    browser.close()
print("\\n".join(messages))
"""


@pytest.mark.browser
def test_chromium_knows_every_feature_the_policy_names(gunicorn_url):
    """Chromium warns in the console about a feature name it does not know."""
    browser = chromium.executable()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", BROWSER_SCRIPT, gunicorn_url + "/accounts/login/", browser],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Permissions-Policy" not in result.stdout, result.stdout
