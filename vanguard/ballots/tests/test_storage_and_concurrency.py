"""On a real database file, with real transactions: after the close, the file and its
write-ahead log keep no earlier copy of the ballots (so no voting order); a code used
twice at the same instant, or a member voting from two tabs at once, counts once; a
crash between marking the code and writing the ballot leaves both as they were.

On SQLite these tests copy the migrated test database into a file in a temporary
folder and point the connection at it; on PostgreSQL they use the test database
itself (committed data, so other threads see it)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from django.db import connection

from vanguard.accounts.models import User
from vanguard.ballots import services
from vanguard.ballots.models import Ballot, RollEntry, VotingCard
from vanguard.ballots.services import Refused
from vanguard.ballots.tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(path, *calls):
    """Run the calls in threads released together; return each outcome."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(i, call):
        with f.thread_db(path):
            barrier.wait()
            try:
                call()
                outcomes[i] = "counted"
            except Refused:
                outcomes[i] = "refused"
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                outcomes[i] = repr(error)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def _open_session(formal=3, probationary=0, prefix="C", **extra):
    unit, members = f.branch(formal=formal, probationary=probationary, prefix=prefix)
    session = f.session_for(unit, **extra)
    services.session_open(session=session)
    if not extra.get("allow_login_voting"):
        f.tick_all_present(session)
    return session, members


def test_one_code_used_from_two_threads_at_once_counts_once(db_file):
    session, _ = _open_session(formal=4)
    cards = services.cards_issue(session=session, spares=2)
    for card in cards[:4]:
        grades = f.uniform_ballot(session, "qualified")
        outcomes = _at_once(
            db_file,
            lambda c=card, g=grades: services.vote_by_card(session=session, code=c.code, grades=g),
            lambda c=card, g=grades: services.vote_by_card(session=session, code=c.code, grades=g),
        )
        assert sorted(outcomes) == ["counted", "refused"], outcomes
    assert Ballot.objects.filter(session=session).count() == 4
    assert VotingCard.objects.filter(session=session, used=True).count() == 4


def test_one_member_voting_from_two_tabs_at_once_counts_once(db_file):
    session, members = _open_session(allow_login_voting=True)
    user = User.objects.create_user(username="absent", password="x-long-password-1")
    members[0].user = user
    members[0].save()
    grades = f.uniform_ballot(session, "excellent")
    vote = lambda: services.vote_logged_in(session=session, user=user, grades=grades)  # noqa: E731
    outcomes = _at_once(db_file, vote, vote, vote)
    assert sorted(outcomes) == ["counted", "refused", "refused"], outcomes
    assert Ballot.objects.filter(session=session).count() == 1
    assert RollEntry.objects.get(session=session, member=members[0]).login_voted


def test_a_vote_racing_the_close_is_either_counted_or_refused_never_lost(db_file):
    session, _ = _open_session()
    cards = services.cards_issue(session=session, spares=0)
    grades = f.uniform_ballot(session, "qualified")
    calls = [
        lambda c=c: services.vote_by_card(session=session, code=c.code, grades=grades)
        for c in cards
    ] + [lambda: services.session_close(session=session)]
    outcomes = _at_once(db_file, *calls)
    assert outcomes[-1] == "counted", outcomes  # the close went through
    counted = outcomes[:-1].count("counted")
    assert set(outcomes[:-1]) <= {"counted", "refused"}, outcomes
    assert Ballot.objects.filter(session=session).count() == counted
    assert VotingCard.objects.filter(session=session, used=True).count() == counted


def test_a_crash_mid_vote_on_a_real_transaction_leaves_code_and_ballots_consistent(
    db_file, monkeypatch
):
    session, _ = _open_session()
    cards = services.cards_issue(session=session, spares=0)
    grades = f.uniform_ballot(session, "qualified")
    services.vote_by_card(session=session, code=cards[0].code, grades=grades)

    def crash(**kwargs):
        raise RuntimeError("killed between the UPDATE and the INSERT")

    monkeypatch.setattr(services, "_insert_ballot", crash)
    with pytest.raises(RuntimeError):
        services.vote_by_card(session=session, code=cards[1].code, grades=grades)
    monkeypatch.undo()
    assert VotingCard.objects.filter(session=session, used=True).count() == 1
    assert Ballot.objects.filter(session=session).count() == 1
    services.vote_by_card(session=session, code=cards[1].code, grades=grades)  # still valid
    assert Ballot.objects.filter(session=session).count() == 2


def test_after_the_close_the_database_file_and_its_log_hold_no_earlier_copy(db_file):
    if db_file is None:
        pytest.skip("the file and its write-ahead log are SQLite's (PostgreSQL: see README)")
    session, _ = _open_session(formal=5, probationary=25, prefix="S")
    cards = services.cards_issue(session=session, spares=2)
    known = [f.ballot_for(session, n) for n in range(30)]
    for card, grades in zip(cards, known, strict=False):
        services.vote_by_card(session=session, code=card.code, grades=grades)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM ballots_ballot WHERE session_id = %s ORDER BY rowid", [session.pk]
        )
        ids_in_voting_order = [row[0] for row in cursor.fetchall()]
    assert len(ids_in_voting_order) == 30
    wal = Path(f"{db_file}-wal")
    raw_before = db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert ids_in_voting_order[0].encode() in raw_before  # the test can see a copy

    result = services.session_close(session=session)

    assert result.scrub is not None and result.scrub.secure_delete
    assert result.scrub.wal_checkpoint[0] == 0  # not busy: fully checkpointed
    assert not wal.exists() or wal.stat().st_size == 0
    raw_after = db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    for old_id in ids_in_voting_order:
        assert old_id.encode() not in raw_after
    for card in cards:
        assert card.code.replace("-", "").encode() not in raw_after
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT grades FROM ballots_ballot WHERE session_id = %s ORDER BY rowid", [session.pk]
        )
        stored_order = [row[0] for row in cursor.fetchall()]
    assert len(stored_order) == 30
    assert [json.loads(g) for g in stored_order] != known
