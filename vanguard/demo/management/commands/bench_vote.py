"""Load test of the public card-voting page: `manage.py bench_vote`.

1,000 voters in 50 appraisal sessions (民主评议投票) vote at once through a real HTTP
server, as a meeting hall full of phones would: each voter opens the card page from
the card's QR code (GET /v/<session>/<code>/) and submits a grade for every candidate
(POST, with the page's own Origin). The command

1. builds its own organisation in the (fresh, throwaway) database: a committee, one
   branch per session with `--voters` active members (the last `--probationary` of
   them probationary, so the candidates differ from the voters), a campaign, and one
   session per branch, opened with `services.session_open`, every member ticked present
   at the door and one card each from `services.cards_issue(spares=0)`. The raw codes
   come back once from that call and are kept in this process's memory only;
2. starts gunicorn (config.wsgi) on a free 127.0.0.1 port as a child process in a
   process group of its own, on the same database, with no access log (a card page's
   path holds a code);
3. runs the voters, `--concurrency` at a time, round-robin over the sessions so that
   they all vote at once. Each voter's grades come from a seeded RNG and are
   remembered, so the expected count of every grade of every candidate is known;
4. stops the server, closes every session with `services.session_close` and checks
   each tally: ballots = votes acknowledged, every candidate's counts = the expected
   counts, reconciliation consistent;
5. prints throughput, p50/p99/max latency, errors, whether every voter was counted
   within `--deadline`, then PASS or FAIL; it exits non-zero on any error, mismatch or
   missed deadline.

Bounded: voters not started by the deadline are not started at all, every request has
a timeout, and the whole command stops itself after `--hard-limit` seconds (default
deadline + 120 s); the server is stopped by its process group in a `finally` block.

Run it through `make bench-vote`: a fresh SQLite file (var/bench-vote.sqlite3), then a
fresh PostgreSQL database of its own (vanguard_bench_vote). The command refuses a
database that already holds an organisation.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from gunicorn.config import KNOWN_SETTINGS

from vanguard.ballots import selectors, services
from vanguard.ballots.models import Grade
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.services import campaign_create_from_blueprint
from vanguard.organization.models import Member, Unit

GRADES = tuple(Grade.values)
# templates/ballots/vote_card.html shows the "counted" (已计入) status in this element
# only when the vote was counted; a refusal shows the neutral message instead.
DONE_MARKER = b'class="vote-done"'
CANDIDATE_FIELD = re.compile(rb'name="c(\d+)"')  # forms.GradesForm: c<member id>
BENCH_PREFIX = "BenchVote"
HOST = "127.0.0.1"


# --- the plan and the bookkeeping (pure: no database, no network) --------------------


@dataclass(frozen=True)
class Voter:
    session_id: int
    code: str  # the card's raw code: in memory only, never printed or stored
    grades: dict[int, str]  # candidate member id → grade

    @property
    def path(self) -> str:
        return f"/v/{self.session_id}/{self.code}/"


@dataclass
class Outcome:
    session_id: int
    counted: bool = False
    error: str = ""  # why the vote was not acknowledged
    get_seconds: float | None = None
    post_seconds: float | None = None
    finished_at: float = 0.0  # seconds since the vote began


def plan_voters(
    sessions: Iterable[tuple[int, Sequence[str], Sequence[int]]], *, seed: int
) -> list[Voter]:
    """Every voter with the grades they will give, from (session id, card codes,
    candidate ids), in the order they start: round-robin over the sessions."""
    rng = random.Random(seed)
    per_session = [
        [Voter(session_id, code, {m: rng.choice(GRADES) for m in candidates}) for code in codes]
        for session_id, codes, candidates in sessions
    ]
    order: list[Voter] = []
    for i in range(max((len(voters) for voters in per_session), default=0)):
        order.extend(voters[i] for voters in per_session if i < len(voters))
    return order


class Ledger:
    """What each session's tally must say: the ballots acknowledged to the voters and,
    for every candidate, how many of those ballots gave each grade."""

    def __init__(self, candidates: dict[int, Sequence[int]]):
        self.ballots: Counter[int] = Counter()
        self.counts = {
            session_id: {member_id: dict.fromkeys(GRADES, 0) for member_id in ids}
            for session_id, ids in candidates.items()
        }

    def record(self, voter: Voter) -> None:
        self.ballots[voter.session_id] += 1
        for member_id, grade in voter.grades.items():
            self.counts[voter.session_id][member_id][grade] += 1

    def problems(self, session_id: int, tally: services.Tally) -> list[str]:
        """What in the session's tally differs from what was acknowledged."""
        found = []
        acknowledged = self.ballots[session_id]
        if tally.ballots != acknowledged:
            found.append(f"{tally.ballots} ballots in the tally, {acknowledged} acknowledged")
        expected = self.counts[session_id]
        counted = {c.member_id: c.counts for c in tally.candidates}
        if set(counted) != set(expected):
            found.append("the tally's candidates are not the ballot form's")
        for member_id, want in expected.items():
            got = counted.get(member_id)
            if got is not None and got != want:
                found.append(
                    f"candidate {member_id}: counted {_grades(got)}, expected {_grades(want)}"
                )
        rec = tally.reconciliation
        if not rec.consistent:
            found.append(
                f"reconciliation inconsistent: {rec.ballots} ballots, {rec.cards_used} codes "
                f"used, {rec.login_votes} logged-in votes, {rec.present} present"
            )
        if rec.cards_used != acknowledged:
            found.append(f"{rec.cards_used} card codes used, {acknowledged} acknowledged")
        return found


def _grades(counts: dict[str, int]) -> str:
    return "/".join(str(counts.get(g, 0)) for g in GRADES)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p50: fraction 0.5); 0 when there are no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


@dataclass
class Run:
    """The voting as it went, for the report."""

    planned: int
    outcomes: list[Outcome]
    wall: float  # first request sent → last answer received
    deadline: float
    not_started: int = 0  # still queued at the deadline
    unfinished: int = 0  # still in flight when the command stopped waiting
    acknowledged: list[Voter] = field(default_factory=list)  # told "counted"

    @property
    def counted(self) -> int:
        return sum(o.counted for o in self.outcomes)

    @property
    def errors(self) -> Counter[str]:
        kinds = Counter(o.error for o in self.outcomes if not o.counted)
        if self.not_started:
            kinds["not started by the deadline"] += self.not_started
        if self.unfinished:
            kinds["no answer by the end"] += self.unfinished
        return kinds

    @property
    def within_deadline(self) -> int:
        return sum(o.counted and o.finished_at <= self.deadline for o in self.outcomes)


def report_lines(
    *, run: Run, heading: Sequence[tuple[str, str]], problems: dict[Any, list[str]]
) -> list[str]:
    """The compact table: heading rows, throughput, latency, errors, deadline, tally."""
    rows = [f"  {label:<22}{value}" for label, value in heading]
    wall = run.wall or float("nan")
    requests = sum(o.get_seconds is not None for o in run.outcomes) + sum(
        o.post_seconds is not None for o in run.outcomes
    )
    rows += [
        f"  {'wall time':<22}{run.wall:.2f} s",
        f"  {'ballots/s':<22}{run.counted / wall:.1f}  ({requests / wall:.1f} requests/s)",
        f"  {'latency (ms)':<22}{'p50':>8}{'p99':>8}{'max':>8}",
    ]
    for label, values in (
        ("GET card page", [o.get_seconds for o in run.outcomes if o.get_seconds is not None]),
        ("POST ballot", [o.post_seconds for o in run.outcomes if o.post_seconds is not None]),
    ):
        p50, p99, top = (percentile(values, 0.5), percentile(values, 0.99), max(values, default=0))
        rows.append(f"    {label:<20}{p50 * 1000:>8.1f}{p99 * 1000:>8.1f}{top * 1000:>8.1f}")
    errors = run.errors
    rows.append(f"  {'errors':<22}{sum(errors.values())}")
    rows += [f"    {n} × {kind}" for kind, n in errors.most_common()]
    in_time = run.within_deadline
    verdict = "yes" if in_time == run.planned else "NO"
    rows.append(
        f"  {f'all within {run.deadline:g} s':<22}{verdict}: {in_time} of {run.planned} "
        "acknowledged in time"
    )
    bad = {key: found for key, found in problems.items() if found}
    rows.append(
        f"  {'tally':<22}{len(problems) - len(bad)} of {len(problems)} sessions: ballots = "
        "votes acknowledged, counts = expected, reconciled"
    )
    for key, found in list(bad.items())[:10]:
        rows += [f"    session {key}: {line}" for line in found[:5]]
    return rows


def passed(*, run: Run, problems: dict[Any, list[str]]) -> bool:
    return (
        run.counted == run.planned
        and not run.errors
        and run.within_deadline == run.planned
        and not any(problems.values())
    )


# --- the voter (an HTTP client of its own) -----------------------------------------


def _exchange(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def cast(voter: Voter, *, port: int, timeout: float, started: float) -> Outcome:
    """One voter: open the card page, then submit the ballot on the same connection."""
    outcome = Outcome(session_id=voter.session_id)
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        began = time.perf_counter()
        status, page = _exchange(conn, "GET", voter.path)
        outcome.get_seconds = time.perf_counter() - began
        if status != 200:
            outcome.error = f"GET answered HTTP {status}"
            return outcome
        if {int(pk) for pk in CANDIDATE_FIELD.findall(page)} != set(voter.grades):
            outcome.error = "GET: the form does not list the session's candidates"
            return outcome
        form = {"code": voter.code, **{f"c{pk}": grade for pk, grade in voter.grades.items()}}
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{HOST}:{port}",
        }
        began = time.perf_counter()
        status, page = _exchange(conn, "POST", voter.path, urlencode(form), headers)
        outcome.post_seconds = time.perf_counter() - began
        if status != 200:
            outcome.error = f"POST answered HTTP {status}"
        elif DONE_MARKER not in page:
            outcome.error = "POST: refused (no 'counted' mark on the page)"
        else:
            outcome.counted = True
    except TimeoutError:
        outcome.error = f"timeout ({timeout:g} s)"
    except (OSError, http.client.HTTPException) as error:
        outcome.error = f"connection error ({type(error).__name__})"
    finally:
        conn.close()
        outcome.finished_at = time.perf_counter() - started
    return outcome


# --- the server -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving config.wsgi on loopback, in a process group of its own."""

    def __init__(self, *, workers: int, threads: int, log_path: Path):
        self.workers, self.threads, self.log_path = workers, threads, log_path
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            # The deployment's own settings (README: every gunicorn command uses them).
            "--config=config/gunicorn.conf.py",
            f"--bind={HOST}:{self.port}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--worker-class=gthread",
            "--timeout=60",
            "--graceful-timeout=5",
            "--error-logfile=-",
            "--log-level=warning",
        ]  # and no access log: a card page's path holds a code
        if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS):
            command.append("--no-control-socket")  # gunicorn ≥ 25 opens one by default
        return command

    def start(self) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": settings.DATABASE_URL,
            "VANGUARD_DEVELOPMENT": "1",
            "VANGUARD_DEBUG": "0",  # DEBUG keeps every query in memory: not what is measured
            "PYTHONUNBUFFERED": "1",
        }
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command(),
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float) -> None:
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            assert self.process is not None
            if self.process.poll() is not None:
                raise CommandError(
                    f"the server exited ({self.process.returncode}) before answering:\n"
                    + self.log_tail()
                )
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                if _exchange(conn, "GET", "/v/0/")[0] == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        raise CommandError(f"the server did not answer within {timeout:g} s:\n" + self.log_tail())

    def warm_up(self, path: str, *, timeout: float) -> int:
        """Load every worker's templates and translations before the clock starts: a few
        rounds of the card page without a code (which uses no card), all threads busy."""
        slots = self.workers * self.threads

        def fetch(_i: int) -> int:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
            try:
                return _exchange(conn, "GET", path)[0]
            finally:
                conn.close()

        with ThreadPoolExecutor(max_workers=slots) as pool:
            statuses = list(pool.map(fetch, range(4 * slots)))
        if any(status != 200 for status in statuses):
            raise CommandError(f"warm-up: the card page answered {sorted(set(statuses))}")
        return len(statuses)

    def cpu_seconds(self) -> float | None:
        """CPU time used so far by the server's processes (Linux /proc), or None."""
        if self.process is None or not os.path.isdir("/proc"):
            return None
        ticks, total = os.sysconf("SC_CLK_TCK"), 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # a process that ended meanwhile
            if int(fields[2]) == self.process.pid:  # its process group: the server's
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / ticks

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):  # the group is the server's (new session)
            os.killpg(self.process.pid, signum)

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL for what is left after 10 s."""
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)

    def kill(self) -> None:
        if self.process is not None:
            self._signal_group(signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class HardLimit(Exception):
    pass


def _hard_limit(signum: int, frame: Any) -> None:
    raise HardLimit


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwind, so that the server is stopped


# --- the command --------------------------------------------------------------------


class Command(BaseCommand):
    help = "Load-test the public card-voting page: N sessions voting at once through gunicorn."
    server_class = Server  # bench_burst serves config.wsgi_bench instead

    def add_arguments(self, parser):
        parser.add_argument("--sessions", type=int, default=50)
        parser.add_argument("--voters", type=int, default=20, help="voters per session")
        parser.add_argument("--probationary", type=int, default=2, help="per session")
        parser.add_argument("--concurrency", type=int, default=50)
        parser.add_argument("--deadline", type=float, default=60.0, help="seconds")
        parser.add_argument("--hard-limit", type=int, default=None, help="default deadline + 120 s")
        parser.add_argument("--request-timeout", type=float, default=30.0)
        parser.add_argument("--server-workers", type=int, default=None, help="default 2 × CPUs")
        parser.add_argument("--server-threads", type=int, default=4)
        parser.add_argument("--seed", type=int, default=2005)

    def handle(self, *args: Any, **options: Any) -> None:
        self.check_arguments(options)
        self.check_database()
        hard_limit = options["hard_limit"] or int(options["deadline"]) + 120
        workers = options["server_workers"] or 2 * (os.cpu_count() or 1)
        log_fd, log_name = tempfile.mkstemp(prefix="bench-vote-server-", suffix=".log")
        os.close(log_fd)
        self.server = self.server_class(
            workers=workers, threads=options["server_threads"], log_path=Path(log_name)
        )
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous: dict[int, Any] = {}
        if in_main_thread:
            previous = {
                signal.SIGALRM: signal.signal(signal.SIGALRM, _hard_limit),
                signal.SIGTERM: signal.signal(signal.SIGTERM, _terminated),
            }
            signal.alarm(hard_limit)
        # Should unwinding itself hang, this kills the server and the process regardless.
        backstop = threading.Timer(hard_limit + 30, self.abort)
        backstop.daemon = True
        backstop.start()
        try:
            self.bench(options, hard_limit)
        except HardLimit:
            raise CommandError(f"FAIL: stopped at the hard limit of {hard_limit} s") from None
        finally:
            if in_main_thread:
                signal.alarm(0)
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
            backstop.cancel()
            self.server.stop()
            Path(log_name).unlink(missing_ok=True)

    def abort(self) -> None:
        self.server.kill()
        sys.stderr.write("bench_vote: hard limit passed and the command did not stop: killed\n")
        sys.stderr.flush()
        os._exit(3)

    def check_arguments(self, options: dict[str, Any]) -> None:
        if options["sessions"] < 1 or options["concurrency"] < 1:
            raise CommandError("--sessions and --concurrency must be at least 1")
        if not 0 <= options["probationary"] < options["voters"]:
            raise CommandError("--probationary must be at least 0 and fewer than --voters")
        if options["deadline"] <= 0 or options["request_timeout"] <= 0:
            raise CommandError("--deadline and --request-timeout must be positive")

    def check_database(self) -> None:
        name = str(settings.DATABASES["default"].get("NAME") or "")
        if connection.vendor == "sqlite" and (name in ("", ":memory:") or "mode=memory" in name):
            raise CommandError(
                "bench_vote needs a database file the server can open too: "
                "DATABASE_URL=sqlite:///path/to/file (make bench-vote sets one)."
            )
        if Unit.objects.exists():
            raise CommandError(
                "This database already holds an organisation. Run `make bench-vote`, which "
                "uses fresh databases of its own."
            )

    def bench(self, options: dict[str, Any], hard_limit: int) -> None:
        started = time.perf_counter()
        plans = self.build(
            sessions=options["sessions"],
            voters=options["voters"],
            probationary=options["probationary"],
        )
        voters = plan_voters(
            ((s.pk, codes, candidates) for s, codes, candidates in plans), seed=options["seed"]
        )
        candidates = len(plans[0][2])
        self.stdout.write(
            f"bench_vote: {len(plans)} sessions × {options['voters']} voters "
            f"({candidates} candidates each) built in {time.perf_counter() - started:.1f} s"
        )

        connection.close()  # the server's connections only, while the vote runs
        self.server.start()
        self.server.wait_ready(timeout=min(60, hard_limit))
        warm_up = self.server.warm_up(f"/v/{plans[0][0].pk}/", timeout=options["request_timeout"])
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        server_cpu, client_cpu = self.server.cpu_seconds(), time.process_time()
        run = self.vote(
            voters,
            concurrency=options["concurrency"],
            deadline=options["deadline"],
            timeout=options["request_timeout"],
        )
        client_cpu = time.process_time() - client_cpu
        server_after = self.server.cpu_seconds()
        self.server.stop()

        ledger = Ledger({s.pk: c for s, _codes, c in plans})
        for voter in run.acknowledged:
            ledger.record(voter)
        problems = {}
        scrubs = []
        for session, _codes, _candidates in plans:
            scrubs.append(services.session_close(session=session).scrub)
            problems[session.pk] = ledger.problems(session.pk, services.tally(session=session))

        db = settings.DATABASES["default"]
        heading = [
            ("database", f"{connection.vendor} {Path(str(db['NAME'])).name}"),
            (
                "server",
                f"gunicorn gthread, {self.server.workers} workers × "
                f"{self.server.threads} threads, {HOST}:{self.server.port}",
            ),
            (
                "voters",
                f"{run.planned} ({len(plans)} sessions × {options['voters']}, "
                f"{candidates} candidates)",
            ),
            ("concurrency", str(options["concurrency"])),
            ("warm-up", f"{warm_up} GETs of the card page without a code, not timed"),
        ]
        done = [s for s in scrubs if s is not None and s.done]
        held = sorted(s.lock_seconds for s in done)
        heading.append(
            (
                "scrub at each close",
                f"{len(done)} of {len(scrubs)} done at once"
                + (
                    f"; storage held {held[len(held) // 2] * 1000:.0f} ms median, "
                    f"{held[-1] * 1000:.0f} ms max"
                    if held
                    else ""
                ),
            )
        )
        if server_cpu is not None and server_after is not None:
            heading.append(
                (
                    "CPU while voting",
                    f"server {server_after - server_cpu:.1f} s, client {client_cpu:.1f} s "
                    f"({os.cpu_count()} CPUs)",
                )
            )
        if load is not None:
            # Other work on the machine takes CPU from the server and the voters alike.
            heading.append(("load before voting", f"{load:.2f} (1-minute load average)"))
        lines = report_lines(run=run, heading=heading, problems=problems)
        ok = passed(run=run, problems=problems)
        tail = self.server.log_tail() if not ok and run.errors else ""
        if tail.strip():
            lines += ["  server log (last lines):"] + [f"    {line}" for line in tail.splitlines()]
        self.stdout.write("\n".join(lines))
        if not ok:
            self.stdout.write(self.style.ERROR("FAIL"))
            raise CommandError("FAIL: see the report above")
        self.stdout.write(self.style.SUCCESS("PASS"))

    def build(self, *, sessions: int, voters: int, probationary: int):
        """The organisation, the campaign and the open sessions with their cards:
        [(session, raw card codes, candidate member ids)]."""
        today = timezone.localdate()
        with transaction.atomic():
            committee = Unit.objects.create(
                name=f"{BENCH_PREFIX} committee", kind=Unit.Kind.COMMITTEE
            )
            campaign = campaign_create_from_blueprint(
                kind=Campaign.Kind.ANNUAL_APPRAISAL,
                name=f"{BENCH_PREFIX} appraisal",
                year=today.year,
                unit=committee,
                start_on=today,
            )
            branches = [
                Unit.objects.create(
                    name=f"{BENCH_PREFIX} branch {s + 1}", kind=Unit.Kind.BRANCH, parent=committee
                )
                for s in range(sessions)
            ]
            Member.objects.bulk_create(
                Member(
                    name=f"Voter {s + 1:03d}-{i + 1:03d}",
                    number=f"BV{s + 1:04d}{i + 1:04d}",
                    category=Member.Category.FACULTY,
                    standing=Member.Standing.PROBATIONARY
                    if i >= voters - probationary
                    else Member.Standing.FORMAL,
                    joined_on=datetime.date(2001, 7, 1),
                    branch=branch,
                )
                for s, branch in enumerate(branches)
                for i in range(voters)
            )
        plans = []
        for branch in branches:
            with transaction.atomic():
                session = services.session_create(campaign=campaign, unit=branch)
                services.session_open(session=session)
                codes = [card.code for card in services.cards_issue(session=session, spares=0)]
                for entry in selectors.roll(session):  # at the door: each draws one card
                    services.roll_mark_present(session=session, member=entry.member)
                candidates = list(selectors.candidates(session).values_list("member_id", flat=True))
            plans.append((session, codes, candidates))
        return plans

    def vote(
        self, voters: list[Voter], *, concurrency: int, deadline: float, timeout: float
    ) -> Run:
        """All voters, `concurrency` at a time; none is started after the deadline."""
        assert self.server.port
        started = time.perf_counter()
        executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="voter")
        futures: list[Future[Outcome]] = []
        not_started = 0
        try:
            futures = [
                executor.submit(cast, v, port=self.server.port, timeout=timeout, started=started)
                for v in voters
            ]
            _done, pending = wait(futures, timeout=deadline)
            if pending:
                not_started = sum(future.cancel() for future in pending)
                wait(futures, timeout=2 * timeout + 5)  # the voters in flight
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
        finished = [
            (v, f.result())
            for v, f in zip(voters, futures, strict=True)
            if f.done() and not f.cancelled()
        ]
        outcomes = [outcome for _voter, outcome in finished]
        wall = max((o.finished_at for o in outcomes), default=time.perf_counter() - started)
        return Run(
            planned=len(voters),
            outcomes=outcomes,
            wall=wall,
            deadline=deadline,
            not_started=not_started,
            unfinished=len(voters) - len(outcomes) - not_started,
            acknowledged=[voter for voter, outcome in finished if outcome.counted],
        )
