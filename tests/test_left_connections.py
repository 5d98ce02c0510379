"""The end of a run drops the test databases: first the connections that ended threads
left open are closed (conftest.close_what_ended_threads_left), and just before
Playwright starts and just before it stops, the thread's own
(conftest.close_as_the_event_loop_comes_or_goes)."""

from __future__ import annotations

import asyncio
import threading
import time
import weakref

import psycopg
import pytest
from django.db import OperationalError, connection, connections

from conftest import (
    close_as_the_event_loop_comes_or_goes,
    close_what_ended_threads_left,
    end_connections_left_open,
)


@pytest.mark.django_db
def test_a_connection_a_thread_left_open_is_closed_before_the_databases_are_dropped():
    left: list[weakref.ref] = []

    def query() -> None:  # as a test's thread does, without closing its connection
        connection = connections["default"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        left.append(weakref.ref(connection))

    thread = threading.Thread(target=query)
    thread.start()
    thread.join()
    assert left, "the thread ran its query"

    close_what_ended_threads_left()

    assert left[0]() is None, "the thread's connection is still open"


@pytest.mark.django_db
def test_a_connection_still_open_at_the_end_is_ended_and_named():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's sessions (SQLite has no other session to refuse a drop)")
    current = connections["default"]
    other = type(current)(dict(current.settings_dict), alias="default")
    with other.cursor() as cursor:
        cursor.execute("SELECT 'left-open-7QX9'")

    left = end_connections_left_open()

    assert any("left-open-7QX9" in line for line in left), left
    with pytest.raises(OperationalError), other.cursor() as cursor:
        cursor.execute("SELECT 1")
    other.close()


def _still_there(pid: int, *, expected_gone: bool) -> bool:
    """Whether the server still lists the session. A closed session's server process
    leaves pg_stat_activity a moment after the client has hung up (it ends on its own
    time, which a busy machine stretches): where it should be gone, it is given up to
    five seconds to go. An open one is listed at once."""
    deadline = time.monotonic() + (5.0 if expected_gone else 0.0)
    while True:
        there = pid in _sessions_of_the_test_database()
        if not there or time.monotonic() >= deadline:
            return there
        time.sleep(0.05)


def _sessions_of_the_test_database() -> set[int]:
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
    ) as other:
        rows = other.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return {pid for (pid,) in rows}


def _running_loop(running: bool, loop: asyncio.AbstractEventLoop) -> None:
    asyncio._set_running_loop(loop if running else None)  # as Playwright's sync API does


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("closed_first", [False, True], ids=["as-it-was", "closed-first"])
@pytest.mark.parametrize("playwright", ["starts", "stops"])
def test_a_connection_opened_before_the_event_loop_comes_or_goes_is_not_left_open(
    playwright: str, closed_first: bool, monkeypatch: pytest.MonkeyPatch
):
    """Opened before Playwright starts (no event loop marked running in the thread) or
    while it runs (one marked running), a connection is out of Django's reach once that
    changes; conftest closes the thread's connections just before either change."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's sessions (SQLite's test database is one in-memory connection)")
    seen: dict[str, object] = {}
    running_before = playwright == "stops"
    # As for the browser tests (tests/browser/conftest.py): Django refuses its database
    # calls in a thread with an event loop marked running unless told otherwise.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    def in_a_thread_of_its_own() -> None:  # (the test's own thread may be Playwright's)
        loop = asyncio.new_event_loop()
        _running_loop(running_before, loop)
        try:
            before = connections["default"]
            before.ensure_connection()
            pid = before.connection.info.backend_pid
            if closed_first:
                close_as_the_event_loop_comes_or_goes()  # as conftest does
            _running_loop(not running_before, loop)
            seen["apart"] = connections["default"] is not before  # Django keeps them apart
            seen["left"] = _still_there(pid, expected_gone=closed_first)
            before.close()
        finally:
            _running_loop(False, loop)
            loop.close()

    thread = threading.Thread(target=in_a_thread_of_its_own)
    thread.start()
    thread.join()
    assert seen == {"apart": True, "left": not closed_first}  # left open unless closed first
