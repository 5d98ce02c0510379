"""With VANGUARD_CACHE_URL every app process counts into one Redis: the rate limits hold
however many processes answer, and sessions kept in the cache are seen by all of them.

Each thread below gets a cache client of its own (Django keeps one per thread), with its
own connections to Redis: as two gunicorn workers would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils.module_loading import import_string

from conftest import make_user
from vanguard.accounts import throttle
from vanguard.operations.tests.fixtures_health import (  # noqa: F401 (fixtures)
    migrations_checked_afresh_fixture,
    raw_redis_fixture,
    redis_caches_fixture,
)
from vanguard.opinions import ratelimit
from vanguard.opinions.intake.views import BOX_RATE_SCOPE

CACHE_SESSIONS = "django.contrib.sessions.backends.cache"


def in_another_process(work: Callable[[], Any]) -> Any:
    """Run `work` on a thread of its own, with its own cache client; return its result."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as error:  # noqa: BLE001 - raised again below
            result["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    if "error" in result:
        raise result["error"]
    return result.get("value")


def test_wrong_passwords_counted_by_two_processes_lock_the_address_out(
    redis_caches,
    raw_redis,
):
    limit = throttle.Limit(failures=6, seconds=600)
    address = "203.0.113.9"

    def three_failures() -> int:
        for _ in range(3):
            throttle.count_failure(throttle.LOGIN_SCOPE, address, limit)
        return throttle.wait_seconds(throttle.LOGIN_SCOPE, address, limit)

    with override_settings(CACHES=redis_caches):
        assert in_another_process(three_failures) == 0  # 3 of 6: may go on
        assert in_another_process(three_failures) > 590  # 6 of 6, counted by two
        assert throttle.wait_seconds(throttle.LOGIN_SCOPE, address, limit) > 590  # a third
        # The counter ends with its window: none is left in Redis for ever.
        key = cache.make_key(throttle.counter_key(throttle.LOGIN_SCOPE, address))
        assert 590 < raw_redis.ttl(key) <= 600
        assert address not in str(list(raw_redis.scan_iter(match="*")))


def test_counts_from_processes_counting_at_once_are_none_of_them_lost(redis_caches):
    """add + incr on the server: a read-then-write would lose the counts of two
    processes writing at once."""
    key = "throttle:test-race:one-address"

    def fifty() -> None:
        for _ in range(50):
            throttle.increment(key, 600)

    with override_settings(CACHES=redis_caches):
        threads = [threading.Thread(target=fifty) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert cache.get(key) == 200


def test_the_suggestion_box_limit_holds_across_processes(redis_caches):
    request = RequestFactory().post("/o/", REMOTE_ADDR="198.51.100.7")
    allowed, _window = ratelimit.limits(BOX_RATE_SCOPE)

    def submit(times: int) -> Callable[[], bool]:
        def work() -> bool:
            for _ in range(times):
                ratelimit.count(request, BOX_RATE_SCOPE)
            return ratelimit.is_limited(request, BOX_RATE_SCOPE)

        return work

    with override_settings(CACHES=redis_caches):
        assert in_another_process(submit(allowed - 1)) is False
        assert in_another_process(submit(1)) is True
        assert ratelimit.is_limited(request, BOX_RATE_SCOPE)


def test_sessions_in_the_cache_are_seen_by_every_process(
    client,
    db,
    redis_caches,
    raw_redis,
):
    user = make_user("lisi")
    with override_settings(CACHES=redis_caches, SESSION_ENGINE=CACHE_SESSIONS):
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200  # signed in
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

        def user_of_the_session() -> str:
            store = import_string(f"{CACHE_SESSIONS}.SessionStore")(session_key)
            return str(store.get("_auth_user_id"))

        assert in_another_process(user_of_the_session) == str(user.pk)
        assert list(raw_redis.scan_iter(match=f"*{session_key}"))
    assert not Session.objects.exists()  # nothing in the database
