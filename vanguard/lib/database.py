"""Small helpers about the database itself, whichever engine it is."""

from __future__ import annotations

from django.db import connection


def refresh_planner_statistics() -> None:
    """Have SQLite's query planner look at the tables again after a bulk write (a roster
    import, the demo build): SQLite never gathers statistics on its own, and without them
    it reads a whole campaign's records through the campaign's index where the unit's
    would read a branch's (tests/test_query_counts.py prints the steps). One ANALYZE:
    well under a second for a university's tables.

    Not on PostgreSQL, whose autovacuum analyses tables as they change: an ANALYZE run
    inside the caller's transaction there holds its lock on every table to the end of
    that transaction and gives the planner statistics of rows no one else can see yet
    (in CI one query then ran for over nine minutes)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
