"""Small helpers about the database itself, whichever engine it is."""

from __future__ import annotations

from django.db import connection


def refresh_planner_statistics() -> None:
    """Have the query planner look at the tables again after a bulk write (a roster
    import, the demo build). PostgreSQL's autovacuum does it on its own, later; SQLite
    never does, and without statistics it reads a whole campaign's records through the
    campaign's index where the unit's would read a branch's (tests/test_query_counts.py
    prints the steps). One ANALYZE: well under a second for a university's tables."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
