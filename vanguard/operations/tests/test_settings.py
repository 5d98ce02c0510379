"""config/settings.py read afresh under a given environment, as a server starting with it
would: a typo in a setting stops start-up naming the variable instead of quietly meaning
"off"; the shared cache and the sessions follow VANGUARD_CACHE_URL and
VANGUARD_SESSION_ENGINE; the test suite runs on settings of its own, chosen by name."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool

SETTINGS = Path(__file__).resolve().parents[3] / "config" / "settings.py"


def start(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, Any]:
    """The settings a process started with `environment` (on a developer's machine) gets."""
    for name in list(os.environ):
        if name.startswith("VANGUARD_") and name != "VANGUARD_DEVELOPMENT":
            monkeypatch.delenv(name)
    monkeypatch.setenv("VANGUARD_DEVELOPMENT", "1")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        *[(word, True) for word in ("1", "true", "True", "YES", "on", " On ")],
        *[(word, False) for word in ("0", "false", "FALSE", "no", "Off")],
    ],
)
def test_yes_and_no_in_any_case(monkeypatch, written, meant):
    monkeypatch.setenv("VANGUARD_DB_POOL", written)
    assert env_bool("VANGUARD_DB_POOL", default=not meant) is meant


def test_unset_or_empty_is_the_default(monkeypatch):
    monkeypatch.delenv("VANGUARD_DB_POOL", raising=False)
    assert env_bool("VANGUARD_DB_POOL", default=True) is True
    monkeypatch.setenv("VANGUARD_DB_POOL", "")  # an .env file's placeholder
    assert env_bool("VANGUARD_DB_POOL", default=True) is True


@pytest.mark.parametrize("typo", ["ture", "enable", "2", "y", "off!"])
def test_a_typo_in_a_yes_no_setting_stops_start_up_naming_it(monkeypatch, typo):
    with pytest.raises(ImproperlyConfigured, match=f"VANGUARD_SSL_REDIRECT={typo!r}"):
        start(
            monkeypatch,
            VANGUARD_DEVELOPMENT="0",
            VANGUARD_SECRET_KEY="s" * 50,
            VANGUARD_SSL_REDIRECT=typo,
        )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("VANGUARD_LOGIN_FAILURE_LIMIT", "five"),
        ("VANGUARD_ROSTER_MAX_BYTES", "10MB"),
        ("VANGUARD_PROXY_COUNT", "-1"),
        ("VANGUARD_HEALTH_WORKER_MAX_AGE", "5m"),
        ("VANGUARD_BALLOTS_SCRUB_RETRY_SECONDS", "soon"),
    ],
)
def test_a_number_that_is_not_one_stops_start_up_naming_it(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured, match=f"{name}={value!r}"):
        start(monkeypatch, **{name: value})


def test_numbers_are_read(monkeypatch):
    read = start(monkeypatch, VANGUARD_LOGIN_FAILURE_LIMIT="7", VANGUARD_HEALTH_WORKER_MAX_AGE="90")
    assert read["AXES_FAILURE_LIMIT"] == 7
    assert read["HEALTH_WORKER_MAX_AGE"] == 90


def test_without_a_cache_url_each_process_keeps_its_own_cache_and_sessions_in_the_database(
    monkeypatch,
):
    read = start(monkeypatch)
    assert read["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert read["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"


def test_a_cache_url_shares_one_redis(monkeypatch):
    read = start(monkeypatch, VANGUARD_CACHE_URL="redis://127.0.0.1:6379/3")
    default = read["CACHES"]["default"]
    assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert default["LOCATION"] == "redis://127.0.0.1:6379/3"
    assert default["KEY_PREFIX"] == "vanguard"
    with pytest.raises(ImproperlyConfigured, match="VANGUARD_CACHE_URL"):
        start(monkeypatch, VANGUARD_CACHE_URL="memcached://127.0.0.1:11211")


@pytest.mark.parametrize("kind", ["cache", "cached_db"])
def test_sessions_in_the_cache_need_the_shared_cache(monkeypatch, kind):
    with pytest.raises(ImproperlyConfigured, match="VANGUARD_CACHE_URL"):
        start(monkeypatch, VANGUARD_SESSION_ENGINE=kind)
    read = start(
        monkeypatch, VANGUARD_SESSION_ENGINE=kind, VANGUARD_CACHE_URL="redis://127.0.0.1:6379/3"
    )
    assert read["SESSION_ENGINE"] == f"django.contrib.sessions.backends.{kind}"


def test_an_unknown_session_engine_stops_start_up(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="VANGUARD_SESSION_ENGINE='file'"):
        start(monkeypatch, VANGUARD_SESSION_ENGINE="file")


def test_the_suite_runs_on_its_own_settings_chosen_by_name():
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings_test"
    assert settings.DEVELOPMENT
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.BALLOTS_SCRUB_RETRY_SECONDS == 0
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def test_the_production_settings_no_longer_look_for_pytest(monkeypatch):
    """Loaded with pytest in the process, the plain settings are production's as asked."""
    read = start(monkeypatch, VANGUARD_DEVELOPMENT="0", VANGUARD_SECRET_KEY="s" * 50)
    assert read["DEVELOPMENT"] is False
    assert read["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert read["BALLOTS_SCRUB_RETRY_SECONDS"] == 5.0
