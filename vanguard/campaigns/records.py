"""The version of the records that progress counts, kept by the database itself.

Every table a requirement, a figure or the progress engine reads is registered by the
app that owns it (`requirements.counts_records_of`). After `migrate` each such table
carries triggers that add one to a single row, `vanguard_records_version`, whenever a
statement writes it: a service, the admin, a bulk `update()`, a roster import, a
management command or SQL typed by hand. A computed result kept under the version
(`progress.campaign_progress`) is therefore never served after a counted write: the
write changed the key.

- SQLite: a trigger per table and operation, run for each row (SQLite has no other
  kind); writers take the database's lock one at a time, so the row is no point of
  contention.
- PostgreSQL: a constraint trigger per table, deferred to the commit, and a statement
  trigger for TRUNCATE. The row is updated once per transaction, at its commit, so
  the version and the records it counts become visible together, and a transaction
  holds the row's lock only while it commits — two writers cannot deadlock on it, as
  they could if the first write of each took it.

The ballots' own tables (ballots, cards, the roll) are never counted: a vote must leave
no trace anywhere else; nor are a survey's anonymous answers. Pages kept whole
(`kept_pages`) are kept under the same version. The version is not a secret: it says
how many writes were counted, not who made them or what they were. It must never go
back to a number already used: a restore moves it past them (`move_past`).
"""

from __future__ import annotations

import secrets

from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "vanguard_records_version"
_PREFIX = "vanguard_rv_"
# Add one to the version (its row made by the first write). Names of our own, no input.
BUMP = (
    f"INSERT INTO {TABLE} (id, value) VALUES (1, 1) "  # noqa: S608
    f"ON CONFLICT (id) DO UPDATE SET value = {TABLE}.value + 1"
)


def counted_tables() -> list[str]:
    from vanguard.campaigns.requirements import COUNTED_MODELS

    return sorted({apps.get_model(label)._meta.db_table for label in COUNTED_MODELS})


# Row 1 holds the version; row 0 this database's own mark, a random number made with the
# table, so that two databases sharing a cache (staging and production on one Redis, or
# a database made anew under a cache that outlived the old one) never share a key.
_VERSION, _MARK = 1, 0


def stamp(using: str = "default") -> tuple[int, int]:
    """(this database's mark, the version) in one query: what a kept result is keyed
    under (`progress.kept`, `kept_pages`)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT id, value FROM {TABLE} WHERE id IN (%s, %s)",  # noqa: S608 (a constant)
            [_MARK, _VERSION],
        )
        found = dict(cursor.fetchall())
    return int(found.get(_MARK, 0)), int(found.get(_VERSION, 0))


def version(using: str = "default") -> int:
    """The number of counted writes so far (0 before the first)."""
    return stamp(using)[1]


def bump(using: str = "default") -> None:
    """Move the version as a counted write does (the benchmarks' "after a write")."""
    with connections[using].cursor() as cursor:
        cursor.execute(BUMP)


def move_past(value: int, using: str = "default") -> None:
    """Set the version above `value` and above itself. A restore brings back the
    version the backup had, lower than the one the cache's kept results were last keyed
    under: the writes after it would count up through numbers already used for other
    records, and a result kept under one of them would be served for the wrong ones."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (id, value) VALUES (1, %s) "  # noqa: S608 (a constant)
            "ON CONFLICT (id) DO UPDATE SET value = excluded.value",
            [max(value, version(using)) + 1],
        )


def version_if_installed(using: str = "default") -> int:
    """`version()`, or 0 where the table is not there yet (a database not migrated)."""
    connection = connections[using]
    return version(using) if TABLE in connection.introspection.table_names() else 0


def install(connection: BaseDatabaseWrapper) -> None:
    """The version row's table and the triggers of every counted table that lacks them
    (run after every `migrate`, so that a new counted table gets its triggers)."""
    existing = set(connection.introspection.table_names())
    done = installed(connection) if TABLE in existing else set()
    missing = [table for table in counted_tables() if table in existing and table not in done]
    builders = {"sqlite": _sqlite, "postgresql": _postgresql}
    with connection.cursor() as cursor:
        for statement in builders[connection.vendor](missing):
            cursor.execute(statement)
        cursor.execute(
            f"INSERT INTO {TABLE} (id, value) VALUES (%s, %s) "  # noqa: S608 (a constant)
            "ON CONFLICT (id) DO NOTHING",
            [_MARK, secrets.randbits(62)],
        )


def installed(connection: BaseDatabaseWrapper) -> set[str]:
    """The tables that carry the version's triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [f"{_PREFIX}%"],
            )
        else:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s || c.relname",
                [_PREFIX],
            )
        return {row[0] for row in cursor.fetchall()}


def _sqlite(tables: list[str]) -> list[str]:
    statements = [f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, value integer)"]
    for table in tables:
        for operation in ("INSERT", "UPDATE", "DELETE"):
            name = f"{_PREFIX}{table}_{operation.lower()}"
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS "{name}" AFTER {operation} ON "{table}" '
                f"BEGIN {BUMP}; END"
            )
    return statements


def _postgresql(tables: list[str]) -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY, value bigint NOT NULL)",
        # Once per transaction: the first of its deferred events bumps, the others see
        # the transaction's mark (a setting local to it) and return.
        f"""CREATE OR REPLACE FUNCTION {_PREFIX}bump() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF current_setting('vanguard.records_bumped', true) IS DISTINCT FROM
             txid_current()::text THEN
            {BUMP};
            PERFORM set_config('vanguard.records_bumped', txid_current()::text, true);
          END IF;
          RETURN NULL;
        END $$""",  # noqa: S608 (names of our own, no input)
    ]
    for table in tables:
        statements += [
            f'CREATE CONSTRAINT TRIGGER "{_PREFIX}{table}" AFTER INSERT OR UPDATE OR DELETE '
            f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
            f"EXECUTE FUNCTION {_PREFIX}bump()",
            f'CREATE OR REPLACE TRIGGER "{_PREFIX}{table}_truncate" AFTER TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {_PREFIX}bump()',
        ]
    return statements
