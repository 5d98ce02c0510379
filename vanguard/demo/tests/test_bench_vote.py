"""`manage.py bench_vote` (make bench-vote): its bookkeeping catches a lost ballot, a
changed grade, an error or a missed deadline; and, small, the whole command votes
through a real gunicorn on a real SQLite file, matches every tally, says PASS and
leaves no server behind."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from vanguard.ballots.services import CandidateTally, Reconciliation, Tally
from vanguard.ballots.tests import factories as f
from vanguard.demo.management.commands.bench_vote import (
    GRADES,
    Ledger,
    Outcome,
    Run,
    passed,
    percentile,
    plan_voters,
    report_lines,
)


def test_percentiles_are_nearest_rank():
    values = [float(n) for n in range(1, 101)]  # 1 … 100
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100
    assert percentile([7.0], 0.99) == 7
    assert percentile([], 0.5) == 0


def test_the_voters_take_turns_across_sessions_and_their_grades_follow_the_seed():
    sessions = [(1, ["A1", "A2", "A3"], [11, 12]), (2, ["B1", "B2"], [21, 22, 23])]
    voters = plan_voters(sessions, seed=5)
    assert [v.code for v in voters] == ["A1", "B1", "A2", "B2", "A3"]
    assert all(set(v.grades) == ({11, 12} if v.session_id == 1 else {21, 22, 23}) for v in voters)
    assert all(set(v.grades.values()) <= set(GRADES) for v in voters)
    assert plan_voters(sessions, seed=5) == voters
    assert plan_voters(sessions, seed=6) != voters
    assert voters[1].path == "/v/2/B1/"


def _tally(counts: dict[int, dict[str, int]], *, ballots: int, cards_used: int, present: int):
    reconciliation = Reconciliation(
        voters_on_roll=present,
        present=present,
        login_votes=0,
        cards_printed=present,
        cards_used=cards_used,
        cards_void=present - cards_used,
        ballots=ballots,
    )
    return Tally(
        session=None,  # type: ignore[arg-type]
        candidates=[
            CandidateTally(member_id=pk, name="", number="", counts=c, shares={})
            for pk, c in counts.items()
        ],
        not_graded=[],
        ballots=ballots,
        voters_on_roll=present,
        turnout=Decimal(0),
        quorum=Decimal("0.5"),
        quorum_met=True,
        reconciliation=reconciliation,
    )


def test_the_ledger_accepts_a_matching_tally_and_names_a_lost_ballot_or_a_changed_grade():
    voters = plan_voters([(1, ["A", "B", "C"], [11, 12])], seed=1)
    ledger = Ledger({1: [11, 12]})
    for voter in voters:
        ledger.record(voter)
    expected = {pk: {g: sum(v.grades[pk] == g for v in voters) for g in GRADES} for pk in (11, 12)}
    assert ledger.problems(1, _tally(expected, ballots=3, cards_used=3, present=3)) == []

    changed = {pk: dict(c) for pk, c in expected.items()}
    moved_from = voters[0].grades[11]
    moved_to = next(g for g in GRADES if g != moved_from)
    changed[11][moved_from] -= 1
    changed[11][moved_to] += 1
    problems = ledger.problems(1, _tally(changed, ballots=3, cards_used=3, present=3))
    assert len(problems) == 1 and problems[0].startswith("candidate 11:")

    lost = ledger.problems(1, _tally(expected, ballots=2, cards_used=3, present=3))
    assert "2 ballots in the tally, 3 acknowledged" in lost
    assert any(p.startswith("reconciliation inconsistent") for p in lost)

    # A code used by nobody at the door (more codes used than cards handed out).
    assert any(
        p.startswith("reconciliation inconsistent")
        for p in ledger.problems(1, _tally(expected, ballots=3, cards_used=3, present=2))
    )


def _run(*outcomes: Outcome, planned: int | None = None, **extra) -> Run:
    return Run(
        planned=len(outcomes) if planned is None else planned,
        outcomes=list(outcomes),
        wall=max(o.finished_at for o in outcomes),
        deadline=60,
        **extra,
    )


def test_the_verdict_fails_on_an_error_a_late_vote_or_a_voter_never_started():
    good = Outcome(1, counted=True, get_seconds=0.01, post_seconds=0.02, finished_at=1)
    clean = {1: []}
    assert passed(run=_run(good, good), problems=clean)

    refused = Outcome(1, error="POST: refused (no 'counted' mark on the page)", finished_at=2)
    run = _run(good, refused)
    assert not passed(run=run, problems=clean)
    text = "\n".join(report_lines(run=run, heading=[("voters", "2")], problems=clean))
    assert "errors                1" in text
    assert "1 × POST: refused" in text
    assert "NO: 1 of 2 acknowledged in time" in text

    late = Outcome(1, counted=True, get_seconds=0.01, post_seconds=61, finished_at=61.5)
    assert not passed(run=_run(good, late), problems=clean)

    never = _run(good, planned=2, not_started=1)
    assert not passed(run=never, problems=clean)
    assert "1 × not started by the deadline" in "\n".join(
        report_lines(run=never, heading=[], problems=clean)
    )

    assert not passed(run=_run(good), problems={1: ["1 ballots in the tally, 2 acknowledged"]})


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_command_votes_through_a_real_server_matches_every_tally_and_stops_it(tmp_path):
    path = tmp_path / "bench-vote.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{path}",
        "VANGUARD_DEVELOPMENT": "1",
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    if connection.vendor == "sqlite":
        f.copy_test_database_to(path)  # migrated and empty: quicker than migrating again
    else:
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603

    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [
            *manage,
            "bench_vote",
            *("--sessions", "2", "--voters", "4", "--probationary", "1"),
            *("--concurrency", "4", "--deadline", "30", "--hard-limit", "90"),
            *("--server-workers", "2", "--server-threads", "2"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report
    assert report.rstrip().endswith("PASS"), report
    assert "errors                0" in report
    assert "yes: 8 of 8 acknowledged in time" in report
    assert "2 of 2 sessions: ballots = votes acknowledged" in report

    # The votes really went into the file, and the sessions were closed.
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM ballots_ballot").fetchone() == (8,)
        statuses = db.execute("SELECT status FROM ballots_appraisalsession").fetchall()
        assert sorted(statuses) == [("closed",), ("closed",)]
        assert db.execute("SELECT count(*) FROM ballots_votingcard WHERE used").fetchone() == (8,)

    # The server is gone: nothing answers on its port any more.
    port = int(re.search(r"127\.0\.0\.1:(\d+)", report).group(1))  # type: ignore[union-attr]
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), 2):
        pass
