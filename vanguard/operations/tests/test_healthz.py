"""/healthz as systemd, the proxy and the deploy check see it: 200 while the database,
the cache, the migrations and the worker are fine, 503 naming the failing check (and
nothing else) when one is not; never a cookie, never kept by a cache."""

from __future__ import annotations

import datetime
import io
import json
import runpy
import signal
import socket
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from vanguard.operations import services
from vanguard.operations.models import Heartbeat
from vanguard.operations.tests.fixtures_health import (  # noqa: F401 (fixtures)
    migrations_checked_afresh_fixture,
    redis_caches_fixture,
)

URL = "/healthz"
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# What each check may say: figures, never a name, a version, a host or an error's text.
FIGURES = {"ok", "ms", "unapplied", "age_seconds", "mode"}


def _health(client: Client) -> tuple[int, dict]:
    response = client.get(URL)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies, "the health check set a cookie"
    body = json.loads(response.content)
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == {"database", "cache", "migrations", "worker"}
    for check in body["checks"].values():
        assert set(check) <= FIGURES, check
    return response.status_code, body


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again: nothing answers there


def test_url_is_at_the_site_root():
    assert reverse("operations:healthz") == URL


def test_all_fine_on_the_test_database_for_anyone_without_a_cookie(client, db):
    status, body = _health(client)
    assert status == 200
    assert body["status"] == "ok"
    checks = body["checks"]
    assert checks["database"]["ok"] and checks["database"]["ms"] >= 0
    assert checks["cache"]["ok"] and checks["cache"]["ms"] >= 0
    assert checks["migrations"] == {"ok": True, "unapplied": 0}
    assert checks["worker"] == {"ok": True, "mode": "inline"}  # tasks run inline here

    # A signed-in person's session is neither renewed nor written by the probe.
    client.force_login(make_user("zhangsan"))
    status, _body = _health(client)
    assert status == 200


def test_only_get(client, db):
    assert client.post(URL).status_code == 405
    assert client.head(URL).status_code == 405


def test_a_cache_that_does_not_answer_fails_the_check_and_only_it(client, db):
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": closed,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=caches):
        status, body = _health(client)
    assert status == 503
    assert body["status"] == "fail"
    assert body["checks"]["cache"] == {"ok": False}
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert str(_free_port()) not in json.dumps(body)  # no address in the answer


def test_a_shared_redis_cache_passes(client, db, redis_caches):
    with override_settings(CACHES=redis_caches):
        status, body = _health(client)
    assert status == 200, body
    assert body["checks"]["cache"]["ok"]


def test_unapplied_migrations_fail_until_applied(client, db):
    # The database as it was before this app's first migration (rolled back after the test).
    MigrationRecorder.Migration.objects.filter(app="operations", name="0001_initial").delete()
    status, body = _health(client)
    assert status == 503
    assert body["checks"]["migrations"] == {"ok": False, "unapplied": 1}
    assert body["checks"]["database"]["ok"]

    MigrationRecorder.Migration.objects.create(app="operations", name="0001_initial")
    status, body = _health(client)
    assert status == 200
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}


def test_a_process_that_saw_every_migration_applied_does_not_look_again(client, db):
    """The check is the slowest: once all are applied, a process trusts that they stay so
    (new migrations come with new code, and so with a restart)."""
    assert _health(client)[0] == 200
    MigrationRecorder.Migration.objects.filter(app="operations").delete()
    assert _health(client)[1]["checks"]["migrations"] == {"ok": True, "unapplied": 0}


@override_settings(TASKS=QUEUED)
def test_queued_tasks_need_a_fresh_worker_heartbeat(client, db):
    # No worker has ever beaten.
    status, body = _health(client)
    assert status == 503
    assert body["checks"]["worker"] == {"ok": False, "age_seconds": None}

    # One stopped a while ago.
    limit = settings.HEALTH_WORKER_MAX_AGE
    services.heartbeat_record(at=timezone.now() - datetime.timedelta(seconds=limit + 60))
    status, body = _health(client)
    assert status == 503
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["age_seconds"] >= limit + 60

    # Within the limit.
    services.heartbeat_record(at=timezone.now() - datetime.timedelta(seconds=limit - 60))
    status, body = _health(client)
    assert status == 200
    assert limit - 61 <= body["checks"]["worker"]["age_seconds"] <= limit - 59


@override_settings(TASKS=QUEUED)
def test_the_worker_command_beats_as_it_starts(client, db, monkeypatch):
    # db_worker closes the database connection between polls, which would end the test's
    # transaction on PostgreSQL (SQLite's in-memory test database ignores it): kept open.
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
    services.heartbeat_record(at=timezone.now() - datetime.timedelta(days=1))
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # --batch: run what is queued (nothing), then stop, as the unit's worker would
        # after a SIGTERM.
        call_command(
            "worker", "--batch", "--no-startup-delay", "--heartbeat", "60", stdout=io.StringIO()
        )
    finally:
        for sig, handler in handlers.items():  # db_worker takes over the signals
            signal.signal(sig, handler)
    status, body = _health(client)
    assert status == 200, body
    assert body["checks"]["worker"] == {"ok": True, "age_seconds": 0}
    assert Heartbeat.objects.count() == 1


def test_production_answers_the_probe_over_plain_http(client, db, monkeypatch):
    """Production redirects HTTP to HTTPS, except /healthz: systemd and the proxy probe
    the app on loopback without TLS."""
    monkeypatch.setenv("VANGUARD_DEVELOPMENT", "0")
    monkeypatch.setenv("VANGUARD_SECRET_KEY", "s" * 50)
    production = runpy.run_path(str(Path(settings.BASE_DIR) / "config" / "settings.py"))
    assert production["SECURE_SSL_REDIRECT"] is True
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=production["SECURE_REDIRECT_EXEMPT"]
    ):
        plain = Client()
        assert plain.get(URL).status_code == 200
        assert plain.get("/accounts/login/").status_code == 301
