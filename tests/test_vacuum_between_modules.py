"""Between two modules the PostgreSQL test database is vacuumed now and then
(conftest.vacuum_now_and_then), as autovacuum would where the server runs it: the rows
every test rolls back leave their pages behind, and a table that holds nothing but
their pages is read page by page by every count and every scan."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import connection, transaction

import conftest


def _pages(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
        return int(cursor.fetchone()[0])


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's pages (SQLite's rolled-back pages go with the rollback)")


def test_the_pages_rolled_back_rows_left_are_given_back(postgresql, transactional_db, monkeypatch):
    table = Session._meta.db_table
    expiry = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    rows = [
        Session(session_key=f"k{i:039d}", session_data="x" * 200, expire_date=expiry)
        for i in range(3000)
    ]
    with pytest.raises(RuntimeError), transaction.atomic():
        Session.objects.bulk_create(rows)
        raise RuntimeError("rolled back, as every test's rows are")
    assert Session.objects.count() == 0
    assert _pages(table) > 20, "the rolled-back rows' pages are there"

    monkeypatch.setattr(conftest, "_last_vacuum", [0.0])  # long ago
    conftest.vacuum_now_and_then()

    assert _pages(table) == 0


def test_no_vacuum_inside_a_transaction(postgresql, db, monkeypatch):
    monkeypatch.setattr(conftest, "_last_vacuum", [0.0])
    conftest.vacuum_now_and_then()  # inside the test's transaction: VACUUM would fail there
    assert conftest._last_vacuum == [0.0]
