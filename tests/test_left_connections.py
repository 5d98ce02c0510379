"""The end of a run drops the test databases: first the connections that ended threads
left open are closed (conftest.close_what_ended_threads_left), and before Playwright
starts, the thread's own (conftest.close_before_an_event_loop_runs_here)."""

from __future__ import annotations

import asyncio
import threading
import weakref

import psycopg
import pytest
from django.db import OperationalError, connection, connections

from conftest import (
    close_before_an_event_loop_runs_here,
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("closed_first", [False, True])
def test_a_connection_opened_before_an_event_loop_runs_in_the_thread_is_not_left_open(
    closed_first: bool,
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's sessions (SQLite's test database is one in-memory connection)")
    seen: dict[str, object] = {}

    def in_a_thread_of_its_own() -> None:  # (the test's own thread may be Playwright's)
        connection.ensure_connection()
        before = connections["default"]
        pid = before.connection.info.backend_pid
        if closed_first:
            close_before_an_event_loop_runs_here()  # as conftest does before Playwright starts
        loop = asyncio.new_event_loop()
        asyncio._set_running_loop(loop)  # as Playwright's synchronous API leaves it
        try:
            seen["apart"] = connections["default"] is not before  # Django keeps them apart
            seen["left"] = pid in _sessions_of_the_test_database()
        finally:
            asyncio._set_running_loop(None)
            loop.close()
            before.close()

    thread = threading.Thread(target=in_a_thread_of_its_own)
    thread.start()
    thread.join()
    assert seen == {"apart": True, "left": not closed_first}  # left open unless closed first
