"""Database triggers that make the audit table append-only, per database vendor.

Used by migration 0002, and by the test suite, which must lift them while it
empties the database between live-server tests (Django's flush deletes rows).
"""

from __future__ import annotations

from typing import Any

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_update
           BEFORE UPDATE ON audit_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;""",
        """CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_delete
           BEFORE DELETE ON audit_auditentry
           BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql;""",
        "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;",
        """CREATE TRIGGER audit_auditentry_append_only
           BEFORE UPDATE OR DELETE ON audit_auditentry
           FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();""",
        # TRUNCATE skips row triggers; refuse it with a statement trigger.
        "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry;",
        """CREATE TRIGGER audit_auditentry_no_truncate
           BEFORE TRUNCATE ON audit_auditentry
           FOR EACH STATEMENT EXECUTE FUNCTION audit_auditentry_append_only();""",
    ],
}
REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
        "DROP TRIGGER IF EXISTS audit_auditentry_no_delete;",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_auditentry_no_truncate ON audit_auditentry;",
        "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;",
    ],
}


def _run(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def install(connection: Any) -> None:
    _run(connection, INSTALL)


def remove(connection: Any) -> None:
    _run(connection, REMOVE)
