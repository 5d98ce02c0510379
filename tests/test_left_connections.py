"""The end of a run drops the test databases: first the connections that ended threads
left open are closed (conftest.close_what_ended_threads_left)."""

from __future__ import annotations

import threading
import weakref

import pytest
from django.db import OperationalError, connection, connections

from conftest import close_what_ended_threads_left, end_connections_left_open


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
