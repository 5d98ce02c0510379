"""The security baseline: a strict Content Security Policy, login throttling keyed
on user name and address together, sessions renewed at login and ended at logout,
Argon2 with the length and common-password validators, no public uploads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


# --- Content Security Policy ------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("logged_in", [False, True])
def test_html_pages_carry_a_strict_content_security_policy(client, cast, logged_in):
    if logged_in:
        client.force_login(cast.secretary)
        response = client.get(reverse("home"))
    else:
        response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    everything = " ".join(" ".join(v) for v in policy.values())
    assert "unsafe-inline" not in everything
    assert "unsafe-eval" not in everything
    assert response["X-Frame-Options"] == "DENY"


# --- Login throttling ---------------------------------------------------------------


def _login(client: Client, username: str, password: str, address: str):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


HALL = "10.0.0.7"  # a meeting hall: everyone behind one address
HOME = "192.168.1.20"


def test_wrong_passwords_lock_out_that_user_from_that_address_only(db):
    make_user("zhangsan")
    make_user("lisi")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert not _logged_in(_login(Client(), "zhangsan", "wrong-password", HALL))

    locked = _login(Client(), "zhangsan", PASSWORD, HALL)
    assert not _logged_in(locked)
    assert locked.status_code == 429
    assert "暂时无法登录" in locked.content.decode()

    # The member beside them in the hall is not affected ...
    assert _logged_in(_login(Client(), "lisi", PASSWORD, HALL))
    # ... nor the same member from another network.
    assert _logged_in(_login(Client(), "zhangsan", PASSWORD, HOME))


def test_a_few_wrong_passwords_do_not_lock_anyone_out(db):
    make_user("zhangsan")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(Client(), "zhangsan", "wrong-password", HALL)
    assert _logged_in(_login(Client(), "zhangsan", PASSWORD, HALL))


# --- Sessions --------------------------------------------------------------------------


def test_the_session_key_changes_at_login(client, db):
    make_user("zhangsan")
    before = client.session  # an anonymous session, as an attacker could plant
    before["planted"] = "yes"
    before.save()
    old_key = before.session_key
    assert _logged_in(_login(client, "zhangsan", PASSWORD, HOME))
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


def test_logout_ends_the_session(client, db):
    make_user("zhangsan")
    assert _logged_in(_login(client, "zhangsan", PASSWORD, HOME))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # The old cookie opens nothing.
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = key
    response = stale.get(reverse("home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_logout_by_get_is_refused(client, cast):
    client.force_login(cast.member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_session_and_csrf_cookies_are_httponly(client, db):
    make_user("zhangsan")
    response = _login(client, "zhangsan", PASSWORD, HOME)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    assert response.cookies[settings.SESSION_COOKIE_NAME]["samesite"] == "Lax"


# --- Passwords ---------------------------------------------------------------------------


def test_production_hashes_passwords_with_argon2():
    """The suite swaps in a fast hasher; ask a process without pytest what production uses."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(
        VANGUARD_DEVELOPMENT="0",
        VANGUARD_SECRET_KEY="s" * 50,
        VANGUARD_ALLOWED_HOSTS="vanguard.example.edu.cn",
        DATABASE_URL="sqlite:///:memory:",
    )
    code = (
        "import sys; from django.conf import settings; "
        "from django.contrib.auth.hashers import get_hasher; "
        "assert 'pytest' not in sys.modules; "
        "print(settings.PASSWORD_HASHERS[0]); print(get_hasher().algorithm); "
        "print(get_hasher().encode('x' * 12, 'somesaltsomesalt')[:9])"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "argon2",
        "argon2$ar",
    ]


def _manage_without_a_secret(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VANGUARD_")}
    env.update(VANGUARD_DEVELOPMENT="0", DATABASE_URL="sqlite:///:memory:")
    return subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage_without_a_secret("check")
    assert result.returncode != 0
    assert "VANGUARD_SECRET_KEY is not set" in result.stderr


def test_makemigrations_runs_from_a_checkout_without_a_secret_key():
    result = _manage_without_a_secret("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_password_validators_include_length_and_common_passwords():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "MinimumLengthValidator" in names
    assert "CommonPasswordValidator" in names


def _change_password(client, new: str):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    ("new_password", "code"),
    [("qwertyuiop", "password_too_common"), ("k9#Lm2", "password_too_short")],
)
def test_a_weak_new_password_is_refused(client, cast, new_password, code):
    client.force_login(cast.member)
    response = _change_password(client, new_password)
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["form"].errors.as_data()["new_password2"]
    assert code in {error.code for error in errors}
    cast.member.refresh_from_db()
    assert cast.member.check_password(PASSWORD)


def test_a_strong_new_password_is_accepted(client, cast):
    client.force_login(cast.member)
    response = _change_password(client, "雪后松柏-2024-更青")
    assert response.status_code == 302
    cast.member.refresh_from_db()
    assert cast.member.check_password("雪后松柏-2024-更青")


# --- Uploaded files ---------------------------------------------------------------------


def test_uploaded_files_have_no_public_url(client, cast, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "roster.xlsx").write_bytes(b"secret roster")
    client.force_login(cast.committee_admin)
    for url in ("/media/roster.xlsx", "/media/anything"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"secret roster" not in response.content
