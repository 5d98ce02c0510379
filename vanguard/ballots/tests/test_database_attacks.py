"""Attacks on the ballot by whoever holds the database, on the engine the suite runs on.

32 members vote in a known order — 24 by card, each ticked present at the door just
before voting, and 8 by logging in — each ballot different. The attacker then reads
everything the database holds: rows, PostgreSQL's system columns (`xmin`, `ctid`),
the raw heap and index pages (`pageinspect`), SQLite's file and its write-ahead log.

- After the close: 0 ballots linked to a voter, a card or a receipt, and 0 order
  information: every row the vote touched carries the close's transaction, lies in an
  order fixed before the vote (cards, roll) or by the ballots' content, and no page
  keeps a copy from before the close.
- During the vote (a live copy): the marks can still be paired with the ballot rows
  written in the same transaction — that is measured and stated in README.md — but
  every such ballot is sealed, and unreadable without the server's secret key.
"""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.ballots import sealing, services
from vanguard.ballots.models import AppraisalSession, Ballot
from vanguard.ballots.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = ("ballots_ballot", "ballots_votingcard", "ballots_rollentry")


@dataclass
class Vote:
    """The scenario as the attacker would like to know it."""

    session: AppraisalSession
    voting_order: list[str] = field(default_factory=list)  # "card:<receipt>" / "login:<id>"
    ballots_in_order: list[dict] = field(default_factory=list)
    receipts_in_order: list[str] = field(default_factory=list)
    login_members_in_order: list[int] = field(default_factory=list)


def _vote_32(*, close: bool = True, live_copy=None) -> Vote:
    unit, members = f.branch(formal=8, probationary=24, prefix="A")
    session = f.session_for(unit, allow_login_voting=True)
    services.session_open(session=session)
    cards = services.cards_issue(session=session, spares=0)
    vote = Vote(session=session)
    # Members arrive in no particular order and draw a card at random at the door.
    shuffle = random.Random(20261205)  # noqa: S311 - a fixed, known order for the test
    shuffle.shuffle(members)
    shuffle.shuffle(cards)
    card_iter = iter(cards)
    for n, member in enumerate(members):
        grades = f.ballot_for(session, n)
        if n % 4 == 3:
            user = User.objects.create_user(username=f"voter{n}", password="x-long-password-1")
            member.user = user
            member.save(update_fields=["user"])
            services.vote_logged_in(session=session, user=user, grades=grades)
            vote.voting_order.append(f"login:{member.pk}")
            vote.login_members_in_order.append(member.pk)
        else:
            services.roll_mark_present(session=session, member=member)  # at the door
            card = next(card_iter)
            services.vote_by_card(session=session, code=card.code, grades=grades)
            vote.voting_order.append(f"card:{card.receipt}")
            vote.receipts_in_order.append(card.receipt)
        vote.ballots_in_order.append(grades)
        if live_copy is not None and n == 29:
            live_copy(vote)
    if close:
        services.session_close(session=session)
    return vote


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _orders_recovered(vote: Vote) -> dict[str, int]:
    """What an attacker recovers from the rows alone: for each way of ordering them
    (PostgreSQL `xmin` and `ctid`; SQLite rowid), the longest run of the true voting
    order it reproduces among the used cards and the logged-in voters, and how many
    ballots pair one to one with a card or a voter by transaction id."""
    pk = vote.session.pk
    found: dict[str, int] = {}
    if connection.vendor == "postgresql":
        keys = {"xmin": "xmin::text::bigint", "ctid": "ctid"}
    else:
        keys = {"rowid": "rowid"}

    def ordered(column: str, table: str, mark: str, key: str) -> list:
        sql = f"SELECT {column} FROM {table} WHERE session_id = %s AND {mark} ORDER BY {key}, id"  # noqa: S608 - fixed names
        return [r[0] for r in _rows(sql, [pk])]

    for name, key in keys.items():
        used = ordered("receipt", "ballots_votingcard", "used", key)
        login = ordered("member_id", "ballots_rollentry", "login_voted", key)
        found[f"cards by {name}"] = _agreeing_pairs(used, vote.receipts_in_order)
        found[f"login voters by {name}"] = _agreeing_pairs(login, vote.login_members_in_order)
    if connection.vendor == "postgresql":
        ballot_x = [
            r[0] for r in _rows("SELECT xmin::text FROM ballots_ballot WHERE session_id = %s", [pk])
        ]
        mark_x = [
            r[0]
            for r in _rows(
                "SELECT xmin::text FROM ballots_votingcard WHERE session_id = %s AND used "
                "UNION ALL SELECT xmin::text FROM ballots_rollentry "
                "WHERE session_id = %s AND login_voted",
                [pk, pk],
            )
        ]
        found["ballots paired by xmin"] = sum(
            1 for x in ballot_x if ballot_x.count(x) == 1 and mark_x.count(x) == 1
        )
    return found


def _agreeing_pairs(recovered: list, truth: list) -> int:
    """Adjacent pairs of `recovered` that are adjacent, in that order, in `truth`: 0 for
    an order that says nothing of the truth (beyond chance), len-1 for the true order."""
    position = {item: i for i, item in enumerate(truth)}
    return sum(
        1 for a, b in zip(recovered, recovered[1:], strict=False) if position[b] == position[a] + 1
    )


# --- after the close -------------------------------------------------------------


def _pageinspect():
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")


def _heap_items(table: str) -> list[tuple]:
    """(flags, xmax) of every item in the table's heap pages, live or not."""
    blocks = _rows("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [table])
    return [
        row
        for block in range(blocks[0][0])
        for row in _rows(
            "SELECT lp_flags, t_xmax::text FROM heap_page_items(get_raw_page(%s, %s))",
            [table, block],
        )
    ]


def _relations(table: str) -> list[str]:
    """The table, its TOAST table and every index of both."""
    return [
        r[0]
        for r in _rows(
            """
            SELECT c.oid::regclass::text FROM pg_class c
             WHERE c.oid = %s::regclass
                OR c.oid = (SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass)
                OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass
                   OR indrelid = (SELECT reltoastrelid FROM pg_class WHERE oid = %s::regclass))
            """,
            [table] * 4,
        )
    ]


def _raw_pages(relation: str) -> bytes:
    blocks = _rows("SELECT pg_relation_size(%s) / current_setting('block_size')::int", [relation])
    return b"".join(
        bytes(_rows("SELECT get_raw_page(%s, %s)", [relation, block])[0][0])
        for block in range(blocks[0][0])
    )


def _activity() -> list:
    """Every backend of the server, for the message of a failed check: which one held a
    snapshot the scrub did not see."""
    return _rows(
        "SELECT pid, datname, backend_type, state, backend_xid::text, backend_xmin::text, "
        "pg_current_xact_id()::text, left(query, 60) FROM pg_stat_activity "
        "WHERE backend_xmin IS NOT NULL OR backend_xid IS NOT NULL OR datname IS NOT NULL"
    )


def _scrubbed_when_no_older_snapshot_is_left(scrub: services.StorageScrub):
    """The close's own scrub, or, if a transaction older than the close was still open
    (the other test worker's, in its own database: see _pg_old_snapshots), the retry's:
    the scrub is refused while one is open, as it must be, and done once it has gone."""
    for _ in range(900):
        if scrub.done or scrub.skipped != "old_snapshot":
            return scrub
        threading.Event().wait(0.1)
        scrub = services.scrub_storage()
    return scrub


def test_after_the_close_nothing_links_a_ballot_to_a_voter_or_the_voting_order():
    before: dict = {}
    vote = _vote_32(close=False)
    pk = vote.session.pk
    before["ids"] = [
        r[0] for r in _rows("SELECT id FROM ballots_ballot WHERE session_id = %s", [pk])
    ]
    before["sealed"] = [
        bytes(r[0]) for r in _rows("SELECT sealed FROM ballots_ballot WHERE session_id = %s", [pk])
    ]
    assert len(before["sealed"]) == 32
    # Before the close the attack works: the marks follow the voting.
    leaked = _orders_recovered(vote)
    if connection.vendor == "postgresql":
        assert leaked["cards by xmin"] == 23 and leaked["login voters by xmin"] == 7
        assert leaked["ballots paired by xmin"] == 32

    result = services.session_close(session=vote.session)

    assert result.scrub is not None
    scrub = _scrubbed_when_no_older_snapshot_is_left(result.scrub)
    assert scrub.done, scrub
    recovered = _orders_recovered(vote)
    print("after the close:", recovered)  # noqa: T201
    assert recovered.pop("ballots paired by xmin", 0) == 0
    # Every way of ordering the cards and the roll gives the order they had before the
    # vote (primary key: print order, roll order), so it says nothing of the voting.
    keys = ["xmin::text::bigint", "ctid"] if connection.vendor == "postgresql" else ["rowid"]
    for table in ("ballots_votingcard", "ballots_rollentry"):
        before_vote = _rows(f"SELECT id FROM {table} WHERE session_id = %s ORDER BY id", [pk])  # noqa: S608
        for key in keys:
            by_key = _rows(
                f"SELECT id FROM {table} WHERE session_id = %s ORDER BY {key}, id",  # noqa: S608
                [pk],
            )
            assert by_key == before_vote, (table, key)
    session = AppraisalSession.objects.get(pk=pk)
    assert session.storage_scrubbed_at is not None
    stored = [g for (g,) in _rows("SELECT grades FROM ballots_ballot WHERE session_id = %s", [pk])]
    stored = [json.loads(g) if isinstance(g, str) else g for g in stored]
    assert sorted(map(json.dumps, stored)) == sorted(map(json.dumps, vote.ballots_in_order))

    if connection.vendor == "postgresql":
        # Every row the vote touched now carries one transaction id: the close's.
        for table in TABLES:
            xmins = _rows(f"SELECT DISTINCT xmin::text FROM {table} WHERE session_id = %s", [pk])  # noqa: S608
            assert len(xmins) == 1, (table, xmins)
        # No dead tuple, no earlier copy, in any heap, TOAST or index page.
        _pageinspect()
        for table in TABLES:
            live = _rows(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608
            items = _heap_items(table)
            assert [r for r in items if r[0] != 1] == [], table  # no dead or redirected item
            assert len(items) == live, (table, scrub, _activity())
            raw = b"".join(_raw_pages(rel) for rel in _relations(table))
            for old in before["sealed"]:
                assert old not in raw, table
            for old_id in before["ids"]:
                assert old_id.bytes not in raw, table
    else:
        # SQLite: the ballots lie in the order of their content, ids all new.
        by_rowid = [
            json.loads(g)
            for (g,) in _rows(
                "SELECT grades FROM ballots_ballot WHERE session_id = %s ORDER BY rowid", [pk]
            )
        ]
        assert by_rowid == sorted(by_rowid, key=lambda g: json.dumps(g, sort_keys=True))
    now_ids = {r[0] for r in _rows("SELECT id FROM ballots_ballot WHERE session_id = %s", [pk])}
    assert not now_ids & set(before["ids"])


def test_a_transaction_left_open_in_another_database_holds_the_scrub_back():
    """A writing transaction in another database of the server (another service, the
    other test worker) is running for every snapshot, so CLUSTER's horizon stays below
    the close and it would keep the deleted ballots: the scrub must wait for it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's transaction horizon")
    import psycopg

    params = connection.settings_dict
    other = psycopg.connect(
        dbname="postgres",
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
    )
    try:
        other.execute("SELECT pg_current_xact_id()")  # an xid, as a writing transaction
        vote = _vote_32(close=False)
        result = services.session_close(session=vote.session)
        assert result.scrub is not None
        assert not result.scrub.done and result.scrub.skipped == "old_snapshot", result.scrub
    finally:
        other.rollback()
        other.close()
    scrub = _scrubbed_when_no_older_snapshot_is_left(services.scrub_storage())
    assert scrub.done, scrub
    _pageinspect()
    live = _rows("SELECT count(*) FROM ballots_ballot")[0][0]
    assert len(_heap_items("ballots_ballot")) == live == 32


def test_after_the_close_the_sqlite_file_and_its_log_keep_no_sealed_ballot(db_file):
    if db_file is None:
        pytest.skip("SQLite's file and log; PostgreSQL's pages are read in the test above")
    vote = _vote_32(close=False)
    sealed = [bytes(s) for s in Ballot.objects.values_list("sealed", flat=True)]
    wal = Path(f"{db_file}-wal")
    raw = db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert sum(s in raw for s in sealed) == 32  # the copy the close must remove
    result = services.session_close(session=vote.session)
    assert result.scrub.done and result.scrub.secure_delete
    assert not wal.exists() or wal.stat().st_size == 0
    raw = db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert sum(s in raw for s in sealed) == 0


# --- during the vote: a live copy ---------------------------------------------------


def test_a_live_copy_during_the_vote_pairs_marks_with_sealed_ballots_only(db_file):
    seen: dict = {}

    def live_copy(vote):
        pk = vote.session.pk
        place = "rowid" if connection.vendor == "sqlite" else "ctid"
        rows = _rows(
            f"SELECT grades, sealed FROM ballots_ballot WHERE session_id = %s ORDER BY {place}",  # noqa: S608
            [pk],
        )
        seen["plain"] = [g for g, _s in rows if g is not None]
        seen["sealed"] = [bytes(s) for _g, s in rows]
        seen["orders"] = _orders_recovered(vote)
        seen["salt"] = AppraisalSession.objects.get(pk=pk).seal_salt
        seen["candidates"] = services._candidate_ids(vote.session)
        if db_file is not None:
            wal = Path(f"{db_file}-wal")
            seen["raw"] = db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    vote = _vote_32(close=False, live_copy=live_copy)
    # 30 of 32 had voted when the copy was taken: every ballot sealed, none readable.
    assert seen["plain"] == [] and len(seen["sealed"]) == 30
    if "raw" in seen:
        for grades in vote.ballots_in_order[:30]:
            assert json.dumps(grades).encode() not in seen["raw"]
            assert json.dumps(grades, separators=(",", ":")).encode() not in seen["raw"]
    # What remains (README.md states it): the order of the marks is the voting order,
    # and on PostgreSQL each ballot pairs with its card or voter by transaction id.
    print("live copy after 30 of 32 votes:", seen["orders"])  # noqa: T201
    if connection.vendor == "postgresql":
        assert seen["orders"]["ballots paired by xmin"] == 30
    # Without the server's secret key no seal opens; with it, each does.
    for sealed in seen["sealed"]:
        with pytest.raises(sealing.SealBroken), pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "SECRET_KEY", "a copy of the database, not the key")
            patch.setattr(settings, "SECRET_KEY_FALLBACKS", [])
            sealing.unseal(
                session_id=vote.session.pk,
                salt=seen["salt"],
                candidates=seen["candidates"],
                sealed=sealed,
                grade_values=f.GRADES,
            )
    opened = [
        sealing.unseal(
            session_id=vote.session.pk,
            salt=seen["salt"],
            candidates=seen["candidates"],
            sealed=s,
            grade_values=f.GRADES,
        )
        for s in seen["sealed"]
    ]
    assert sorted(map(json.dumps, opened)) == sorted(map(json.dumps, vote.ballots_in_order[:30]))
    # With the key, the ballots' storage order is the voting order (README.md).
    in_order = [json.dumps(g, sort_keys=True) for g in vote.ballots_in_order[:30]]
    print(  # noqa: T201
        "live copy, ballots in storage order, opened with the key: agreeing pairs",
        _agreeing_pairs([json.dumps(g, sort_keys=True) for g in opened], in_order),
        "of 29",
    )


# --- a reader holding an old snapshot during the close ---------------------------------


@pytest.fixture
def reader(db_file):
    """Another connection that holds a read transaction open, begun before the close
    (SQLite: a deferred transaction that has read; PostgreSQL: REPEATABLE READ)."""
    started, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold():
        if db_file is not None:
            own = sqlite3.connect(str(db_file), isolation_level=None)
            own.execute("BEGIN")
            own.execute("SELECT count(*) FROM ballots_ballot").fetchall()
            started.set()
            release.wait(60)
            own.execute("COMMIT")
            own.close()
        else:
            with f.thread_db(None), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute("SELECT count(*) FROM ballots_ballot")
                started.set()
                release.wait(60)
        done.set()

    thread = threading.Thread(target=hold, daemon=True)

    class Reader:
        def start(self):
            thread.start()
            assert started.wait(30)

        def finish(self):
            release.set()
            assert done.wait(30)

    yield Reader()
    release.set()
    thread.join(30)


def test_a_close_with_a_reader_open_neither_blocks_nor_reports_a_scrub_it_did_not_do(
    db_file,
    reader,
    client,
    settings,
):
    settings.BALLOTS_SCRUB_RETRY_SECONDS = 0.2
    vote = _vote_32(close=False)
    sealed = [bytes(s) for s in Ballot.objects.values_list("sealed", flat=True)]
    reader.start()
    result = services.session_close(session=vote.session)
    # The close committed; the scrub could not finish and says so.
    assert AppraisalSession.objects.get(pk=vote.session.pk).status == "closed"
    assert not result.scrub.done and result.scrub.skipped in {"busy", "old_snapshot"}
    assert AppraisalSession.objects.get(pk=vote.session.pk).storage_scrubbed_at is None
    # Meanwhile the site writes as usual: a login (its session row, the axes record).
    User.objects.create_user(username="late", password="x-long-password-1")
    response = client.post(
        reverse("accounts:login"), {"username": "late", "password": "x-long-password-1"}
    )
    assert response.status_code == 302
    # The reader ends; the retry finishes the scrub by itself.
    reader.finish()
    for _ in range(900):  # also waits out the other test worker's open transactions
        if AppraisalSession.objects.get(pk=vote.session.pk).storage_scrubbed_at is not None:
            break
        threading.Event().wait(0.1)
    assert AppraisalSession.objects.get(pk=vote.session.pk).storage_scrubbed_at is not None
    if db_file is not None:
        wal = Path(f"{db_file}-wal")
        raw = db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert sum(s in raw for s in sealed) == 0
    else:
        _pageinspect()
        raw = b"".join(_raw_pages(rel) for rel in _relations("ballots_ballot"))
        assert sum(s in raw for s in sealed) == 0
