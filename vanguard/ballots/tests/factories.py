"""Builders for the ballot tests: a branch of voters on whatever database the current
connection points at (the in-memory test database, or a file copy of it)."""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from django.db import connection, connections

from vanguard.ballots import services
from vanguard.ballots.models import AppraisalSession, Grade
from vanguard.meetings.tests.factories import education_campaign
from vanguard.organization.models import Member, Unit

GRADES = list(Grade.values)


def branch(*, name: str = "评议测试党支部", formal: int = 4, probationary: int = 1, prefix="V"):
    """A committee → branch with `formal` formal and `probationary` probationary members."""
    committee, _ = Unit.objects.get_or_create(
        name="评议测试党委", kind=Unit.Kind.COMMITTEE, parent=None
    )
    unit = Unit.objects.create(name=name, kind=Unit.Kind.BRANCH, parent=committee)
    members = []
    for i in range(formal + probationary):
        members.append(
            Member.objects.create(
                name=f"党员{prefix}{i:03d}",
                number=f"{prefix}{i:04d}",
                branch=unit,
                category=Member.Category.FACULTY,
                standing=Member.Standing.FORMAL if i < formal else Member.Standing.PROBATIONARY,
                joined_on=datetime.date(2001, 7, 1),
            )
        )
    return unit, members


def session_for(unit: Unit, **extra) -> AppraisalSession:
    campaign = education_campaign(unit.parent or unit)
    return services.session_create(campaign=campaign, unit=unit, **extra)


def ballot_for(session: AppraisalSession, n: int) -> dict[str, str]:
    """The n-th distinct, known ballot: candidate k gets digit k of n in base 4."""
    ids = services._candidate_ids(session)
    return {str(pk): GRADES[(n // 4**k) % 4] for k, pk in enumerate(ids)}


def tick_all_present(session: AppraisalSession) -> None:
    """Tick every member on the roll present at the door (each may then vote by card)."""
    for member in Member.objects.filter(appraisal_roll_entries__session=session):
        services.roll_mark_present(session=session, member=member)


def uniform_ballot(session: AppraisalSession, grade: str) -> dict[str, str]:
    return {str(pk): grade for pk in services._candidate_ids(session)}


# --- a file-based SQLite copy of the test database ----------------------------------


def copy_test_database_to(path: Path) -> None:
    """Copy the (migrated, committed) in-memory test database into a file."""
    connection.ensure_connection()
    target = sqlite3.connect(str(path))
    try:
        connection.connection.backup(target)
        # Switch the file to WAL now, alone: two threads connecting at once would
        # both run the settings' `PRAGMA journal_mode=WAL`, and the loser of that
        # race gets "database is locked" without waiting on the busy timeout.
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()


@contextmanager
def using_file_database(path: Path) -> Iterator[None]:
    """Point this thread's default connection at the file database for the block."""
    original = connections["default"]
    settings_dict = {**original.settings_dict, "NAME": str(path)}
    disk = original.__class__(settings_dict, alias="default")
    connections["default"] = disk
    try:
        yield
    finally:
        disk.close()
        connections["default"] = original


@contextmanager
def thread_db(path: Path | None) -> Iterator[None]:
    """A thread's own connection to the test's database (the file on SQLite), closed
    at the end."""
    with using_file_database(path) if path else nullcontext():
        try:
            yield
        finally:
            connections["default"].close()
