"""The checks behind /healthz: can this process reach what it needs, right now?

Each check answers `{"ok": bool, ...}` with figures only — how long it took, how many
migrations wait, how old the worker's heartbeat is — never an error's text, a host, a
name or a version: the answer is public. What went wrong goes to the log instead.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend

from vanguard.operations.models import Heartbeat

logger = logging.getLogger(__name__)

Check = dict[str, Any]


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def database() -> Check:
    """A trivial query on the default database."""
    started = time.perf_counter()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        ok = cursor.fetchone() == (1,)
    return {"ok": ok, "ms": _elapsed_ms(started)}


def cache() -> Check:
    """A value written under a random key of its own, read back and removed: the cache
    the rate limits and (where configured) the sessions live in."""
    started = time.perf_counter()
    backend = caches["default"]
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    backend.set(key, value, timeout=30)
    ok = backend.get(key) == value
    backend.delete(key)
    return {"ok": ok, "ms": _elapsed_ms(started)}


# Set once this process has seen every migration applied: they stay applied for the
# life of the process (new code, and so new migrations, comes with a restart), and
# loading the migration graph is the slowest of the checks.
_all_migrations_applied = False


def migrations() -> Check:
    """How many migrations of the code this process runs the database still lacks."""
    global _all_migrations_applied
    if _all_migrations_applied:
        return {"ok": True, "unapplied": 0}
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    _all_migrations_applied = unapplied == 0
    return {"ok": unapplied == 0, "unapplied": unapplied}


def forget_migrations() -> None:
    """Check the migrations afresh at the next call (tests)."""
    global _all_migrations_applied
    _all_migrations_applied = False


def worker() -> Check:
    """With queued tasks (VANGUARD_TASKS=database): the age of the worker's heartbeat,
    which fails past HEALTH_WORKER_MAX_AGE seconds (or when no worker ever beat). With
    tasks run inline there is no worker to wait for."""
    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return {"ok": True, "mode": "inline"}
    beat_at = (
        Heartbeat.objects.filter(name=Heartbeat.WORKER).values_list("beat_at", flat=True).first()
    )
    if beat_at is None:
        return {"ok": False, "age_seconds": None}
    age = max(0, round((timezone.now() - beat_at).total_seconds()))
    return {"ok": age <= settings.HEALTH_WORKER_MAX_AGE, "age_seconds": age}


CHECKS: dict[str, Callable[[], Check]] = {
    "database": database,
    "cache": cache,
    "migrations": migrations,
    "worker": worker,
}


def report() -> dict[str, Any]:
    """Every check, each on its own: one failing does not hide the others."""
    checks: dict[str, Check] = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure is a failed check
            logger.warning("health check %s failed: %s: %s", name, type(error).__name__, error)
            checks[name] = {"ok": False}
    return {
        "status": "ok" if all(check["ok"] for check in checks.values()) else "fail",
        "checks": checks,
    }
