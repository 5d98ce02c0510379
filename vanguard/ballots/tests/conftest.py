"""Fixtures of the ballot tests."""

from __future__ import annotations

import pytest
from django.db import connection

from vanguard.ballots.tests import factories as f


@pytest.fixture
def db_file(tmp_path):
    """The database every thread of the test uses: a file on SQLite (a copy of the
    migrated test database, so that its file and write-ahead log can be read), None on
    PostgreSQL (the test database itself: committed data, seen by other threads)."""
    if connection.vendor != "sqlite":
        yield None
        return
    path = tmp_path / "ballots.sqlite3"
    f.copy_test_database_to(path)
    with f.using_file_database(path):
        yield path
