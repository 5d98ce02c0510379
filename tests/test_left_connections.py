"""The end of a run drops the test databases: first the connections that ended threads
left open are closed (conftest.close_what_ended_threads_left)."""

from __future__ import annotations

import threading
import weakref

import pytest
from django.db import connections

from conftest import close_what_ended_threads_left


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
