"""Fixtures of the health and shared-cache tests, imported by their modules
(`from … import redis_caches_fixture` brings the fixture `redis_caches`).

A real Redis: 127.0.0.1:6379, database 9 (or VANGUARD_TEST_REDIS_URL), under a key
prefix of each test's own, removed afterwards — nothing else in that database is
touched (never `cache.clear()`, which would empty the whole database)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from vanguard.operations import health

REDIS_URL = os.environ.get("VANGUARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture(autouse=True, name="migrations_checked_afresh")
def migrations_checked_afresh_fixture() -> Iterator[None]:
    """Each test checks the migrations itself (the check remembers success per process)."""
    health.forget_migrations()
    yield
    health.forget_migrations()


@pytest.fixture(name="redis_caches")
def redis_caches_fixture() -> Iterator[dict[str, Any]]:
    """CACHES for a Redis cache under a fresh prefix (as VANGUARD_CACHE_URL configures it)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({error}): sudo apt-get install redis-server")
    prefix = f"vanguard-test-{secrets.token_hex(6)}"
    yield {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture(name="raw_redis")
def raw_redis_fixture() -> Iterator[redis.Redis]:
    """A client of its own, to look at what the app left in Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()
