"""The demo built once per test worker and kept, row for row, for every module that
reads it: the first module on a worker runs `demo_build` (inside
conftest.kept_across_tests, rolled back at the module's end, as before) and copies the
rows it wrote; each later module puts those same rows back into its own kept block,
which takes a fraction of a build (five modules each built the whole college).

The rows are copied as the database stores them (SQLite: each column's stored value,
untouched by Django's type converters; PostgreSQL: COPY in text form), so a module
reads exactly what the builder wrote. Tables that held rows before the build (content
types, permissions) are left alone; should the builder ever change one of them, the
copy could not say so, and every module builds the demo itself again, as before.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection

from conftest import fresh_copy, kept_across_tests
from vanguard.audit.models import AuditEntry
from vanguard.campaigns import records
from vanguard.demo.build import DemoResult, demo_build


@dataclass
class _Snapshot:
    result: DemoResult
    rows: dict[str, tuple[list[str], object]] = field(default_factory=dict)  # table → data


_snapshots: dict[tuple[str, str, str], _Snapshot | None] = {}
_prefilled: dict[tuple[str, str], set[str]] = {}  # tables with rows before any demo


@contextlib.contextmanager
def kept_demo(
    django_db_blocker, *, size: str = "demo", shared: bool = True
) -> Iterator[DemoResult]:
    """The demo of `size` for the tests of one module (conftest.kept_across_tests):
    built by `demo_build` on the first use on this worker, its rows put back after.
    Not `shared`: built for this module alone (copying the rows would be wasted)."""
    with kept_across_tests(django_db_blocker):
        yield demo_put(size=size, shared=shared)


def demo_put(*, size: str = "demo", shared: bool = True) -> DemoResult:
    """Put the demo of `size` into the database, which holds no organisation (inside a
    transaction that is rolled back later): the rows of this worker's first build of
    it, or, the first time, a build."""
    database = (connection.vendor, str(connection.settings_dict["NAME"]))
    snapshot = _snapshots.get((*database, size))
    if snapshot is not None:
        _restore(snapshot)
        return fresh_copy(snapshot.result)
    if not shared and database in _prefilled:
        return demo_build(size=size)
    before = {table: _contents(table) for table in _data_tables()}
    _prefilled.setdefault(database, {t for t, rows in before.items() if rows is not None})
    result = demo_build(size=size)
    if shared and (*database, size) not in _snapshots:
        _snapshots[(*database, size)] = _take(result, before)
    return result


def demo_clear() -> None:
    """Delete every row written since the database was migrated (the demo and what
    tests added to it) but the append-only audit trail, which holds no foreign keys:
    the database as demo_put expects it, in a fraction of a reset's time. Inside a
    transaction rolled back later, as demo_put."""
    database = (connection.vendor, str(connection.settings_dict["NAME"]))
    kept = _prefilled[database] | {AuditEntry._meta.db_table}
    with connection.cursor() as cursor:
        for table in _data_tables():
            if table not in kept:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


def _data_tables() -> list[str]:
    """The tables that hold data: not SQLite's own (sqlite_stat1 holds the planner's
    statistics, which the demo build refreshes with ANALYZE at its end), nor the
    records' version, which the database's triggers keep as the rows come and go."""
    return [
        t
        for t in connection.introspection.table_names()
        if not t.startswith("sqlite_") and t != records.TABLE
    ]


def _contents(table: str) -> list[tuple] | None:
    """A table's rows when it has any (None: empty)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        rows = cursor.fetchall()
    return sorted(rows, key=repr) if rows else None


def _take(result: DemoResult, before: dict[str, list[tuple] | None]) -> _Snapshot | None:
    snapshot = _Snapshot(result=fresh_copy(result))
    for table, rows in before.items():
        if rows is not None:
            if _contents(table) != rows:
                warnings.warn(
                    f"the demo build changed {table}, which held rows before it: "
                    "each module builds the demo itself",
                    stacklevel=3,
                )
                return None
            continue
        with connection.cursor() as cursor:
            description = connection.introspection.get_table_description(cursor, table)
        columns = [column.name for column in description]
        data = _read(table, columns)
        if data:
            snapshot.rows[table] = (columns, data)
    return snapshot


def _read(table: str, columns: list[str]) -> object:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {q(table)} ({', '.join(map(q, columns))}) TO STDOUT") as copy:
                return b"".join(bytes(chunk) for chunk in copy)
        # Unary plus hides the declared type from sqlite3's converters: the stored
        # value itself, not a date or bool Django would write back differently.
        selected = ", ".join(f"+{q(c)}" for c in columns)
        cursor.execute(f"SELECT {selected} FROM {q(table)}")  # noqa: S608
        return cursor.fetchall()


def _restore(snapshot: _Snapshot) -> None:
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, (columns, data) in snapshot.rows.items():
            names = ", ".join(map(q, columns))
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {q(table)} ({names}) FROM STDIN") as copy:
                    copy.write(data)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {q(table)} ({names}) VALUES ({marks})", data)  # noqa: S608
