"""The voting burst of issue 17, goal 3: `manage.py bench_burst`.

2,000 voters in 100 appraisal sessions (20 voters each, all formal members, so every
ballot grades 20 candidates) vote at once through gunicorn on loopback, driven by
`wrk` — a load generator in a process of its own — with `bench_burst.lua`: each voter
opens the card page from the card's QR code (GET /v/<session>/<code>/) and, once it has
answered, submits the ballot (POST /v/<session>/). Before the burst, and on the same
server in the same run, wrk measures a hello-world Django view (/bench/hello/, served
only by config.wsgi_bench) with the same threads and connections: the ceiling of this
stack on this machine at this moment, against which the card page's rate is a ratio.

The voters' codes go to a file of mode 0600 in a private temporary directory that is
deleted afterwards; nothing prints or logs a code. After the burst every session is
closed (`services.session_close`) and its tally checked as `bench_vote` checks it:
ballots = votes acknowledged, each candidate's counts = the grades sent, reconciled.

It prints hello-world req/s, the burst's ballots/s and requests/s, their ratio to
hello-world, p50/p99/max latency of the burst's requests (wrk's, GET and POST
together), errors, the server's CPU per ballot, and PASS/FAIL against the goal:
≥ 300 ballots/s, p99 < 500 ms, 0 errors, every tally exact. It exits non-zero on FAIL.
`make bench-vote` runs it on SQLite and on PostgreSQL (after bench_vote).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection

from vanguard.ballots import services
from vanguard.demo.management.commands.bench_vote import (
    BENCH_PREFIX,
    HOST,
    Ledger,
    Server,
    plan_voters,
)
from vanguard.demo.management.commands.bench_vote import (
    Command as VoteCommand,
)

LUA_SCRIPT = Path(__file__).with_suffix(".lua")
GOAL_BALLOTS_PER_SECOND = 300.0
GOAL_P99_SECONDS = 0.5
SUMMARY = re.compile(r"^BURST (.*)$", re.MULTILINE)
ACKS = re.compile(r"^BURST-ACKS (.*)$", re.MULTILINE)
REQUESTS_PER_SECOND = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)


class BenchServer(Server):
    """The same gunicorn as bench_vote's, serving config.wsgi_bench (the site plus the
    hello-world view)."""

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("config.wsgi:application")] = "config.wsgi_bench:application"
        return command


def parse_summary(output: str) -> dict[str, int]:
    found = SUMMARY.search(output)
    if found is None:
        raise CommandError("wrk printed no summary:\n" + output[-2000:])
    return {key: int(value) for key, value in (p.split("=") for p in found.group(1).split())}


def parse_acks(output: str) -> dict[str, int]:
    """Ballots acknowledged ("已计入") per unit name, over wrk's threads."""
    acks: dict[str, int] = {}
    for line in ACKS.findall(output):
        for part in filter(None, line.strip().split(";")):
            name, _sep, n = part.rpartition("=")
            acks[name] = acks.get(name, 0) + int(n)
    return acks


def run_until_finished(
    command: list[str], *, finished: Path, threads: int, timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run wrk until each of its threads has marked itself finished (or its -d ends):
    wrk's main thread otherwise sleeps for the whole -d. SIGINT makes it stop, join its
    threads and print its summary, as a Ctrl-C would."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)  # noqa: S603
        give_up = time.monotonic() + timeout
        try:
            while process.poll() is None and time.monotonic() < give_up:
                if len(list(finished.iterdir())) >= threads:
                    time.sleep(0.05)
                    process.send_signal(signal.SIGINT)
                    break
                time.sleep(0.05)
            process.wait(timeout=max(give_up - time.monotonic(), 5))
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, out.read(), err.read())


class Command(VoteCommand):
    help = "The voting burst: 2,000 voters in 100 sessions through gunicorn, driven by wrk."
    server_class = BenchServer

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # One gunicorn worker per CPU (bench_vote's 2 × CPUs costs hello-world and the card
        # page alike, and on SQLite more writers only wait longer for the one write lock).
        parser.set_defaults(
            sessions=100,
            voters=20,
            probationary=0,
            concurrency=100,
            deadline=120.0,
            server_workers=os.cpu_count() or 1,
        )
        parser.add_argument("--wrk-threads", type=int, default=2)
        parser.add_argument("--hello-seconds", type=int, default=10)

    def bench(self, options: dict[str, Any], hard_limit: int) -> None:
        wrk = shutil.which("wrk")
        if wrk is None:
            raise CommandError("wrk is not installed (make bench-vote installs it: apt wrk)")
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
            f"bench_burst: {len(plans)} sessions × {options['voters']} voters "
            f"({candidates} candidates each) built in {time.perf_counter() - started:.1f} s"
        )
        pooled = connection.vendor == "postgresql"
        if pooled:
            # As deployed on PostgreSQL (README: VANGUARD_DB_POOL): without the pool every
            # request opens a connection, and a backend's start costs more than a vote.
            os.environ["VANGUARD_DB_POOL"] = "1"
        connection.close()
        self.server.start()
        self.server.wait_ready(timeout=min(60, hard_limit))
        self.server.warm_up(f"/v/{plans[0][0].pk}/", timeout=options["request_timeout"])
        base = f"http://{HOST}:{self.server.port}"
        threads, conns = options["wrk_threads"], options["concurrency"]
        common = [wrk, f"-t{threads}", f"-c{conns}", f"--timeout={options['request_timeout']:g}s"]

        hello = subprocess.run(  # noqa: S603 - wrk, our own arguments
            [*common, f"-d{options['hello_seconds']}s", f"{base}/bench/hello/"],
            capture_output=True,
            text=True,
            timeout=options["hello_seconds"] + 60,
            check=False,
        )
        hello_rate = REQUESTS_PER_SECOND.search(hello.stdout)
        if hello.returncode != 0 or hello_rate is None:
            raise CommandError("wrk on hello-world failed:\n" + hello.stdout + hello.stderr)
        hello_rps = float(hello_rate.group(1))

        private = Path(tempfile.mkdtemp(prefix="bench-burst-"))  # mode 0700
        load = os.getloadavg()[0]
        try:
            plan_file = private / "voters.tsv"
            fd = os.open(plan_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                for v in voters:
                    ballot = urlencode({f"c{pk}": grade for pk, grade in v.grades.items()})
                    out.write(f"{v.session_id}\t{v.code}\t{ballot}\n")
            finished = private / "finished"
            finished.mkdir()
            server_cpu = self.server.cpu_seconds()
            burst = run_until_finished(
                [
                    *common,
                    f"-d{int(options['deadline'])}s",
                    "-s",
                    str(LUA_SCRIPT),
                    f"{base}/",
                    "--",
                    str(plan_file),
                    str(threads),
                    base,
                    str(finished),
                ],
                finished=finished,
                threads=threads,
                timeout=options["deadline"] + 60,
            )
            server_after = self.server.cpu_seconds()
        finally:
            shutil.rmtree(private, ignore_errors=True)  # the codes
        self.server.stop()
        if burst.returncode != 0:
            raise CommandError("wrk failed:\n" + burst.stdout[-2000:] + burst.stderr[-2000:])
        summary = parse_summary(burst.stdout)
        acks = parse_acks(burst.stdout)

        ledger = Ledger({s.pk: c for s, _codes, c in plans})
        complete = set()
        by_name = {f"{BENCH_PREFIX} branch {i + 1}": s.pk for i, (s, _c, _m) in enumerate(plans)}
        planned_per_session = {s.pk: len(codes) for s, codes, _m in plans}
        for name, n in acks.items():
            pk = by_name.get(name)
            if pk is not None and n == planned_per_session[pk]:
                complete.add(pk)
        for voter in voters:
            if voter.session_id in complete:  # every voter of it acknowledged: all known
                ledger.record(voter)
        problems: dict[Any, list[str]] = {}
        for session, _codes, _c in plans:
            services.session_close(session=session)
            tally = services.tally(session=session)
            if session.pk in complete:
                problems[session.pk] = ledger.problems(session.pk, tally)
            else:
                acked = acks.get(f"{BENCH_PREFIX} branch {plans.index((session, _codes, _c)) + 1}")
                problems[session.pk] = [
                    f"{acked or 0} of {planned_per_session[session.pk]} acknowledged, "
                    f"{tally.ballots} ballots in the tally"
                ]
        self.report(
            options=options,
            plans=plans,
            hello_rps=hello_rps,
            summary=summary,
            problems=problems,
            cpu=None if server_cpu is None or server_after is None else server_after - server_cpu,
            load=load,
        )

    def report(
        self,
        *,
        options: dict[str, Any],
        plans: list,
        hello_rps: float,
        summary: dict[str, int],
        problems: dict[Any, list[str]],
        cpu: float | None,
        load: float,
    ) -> None:
        planned = sum(len(codes) for _s, codes, _c in plans)
        seconds = (summary["wall_us"] or summary["duration_us"]) / 1e6 or float("nan")
        counted = summary["counted"]
        ballots_rate = counted / seconds
        requests = summary["requests"] - summary["fillers"]
        request_rate = requests / seconds
        socket_errors = sum(summary[k] for k in ("connect", "read", "write", "timeout"))
        errors = (
            (planned - counted) + summary["status"] + socket_errors
        )  # every voter not counted is an error
        p50, p99, top = (summary[k] / 1000 for k in ("p50_us", "p99_us", "max_us"))
        bad = {k: v for k, v in problems.items() if v}
        db = settings.DATABASES["default"]
        rows = [
            ("database", f"{connection.vendor} {Path(str(db['NAME'])).name}"),
            (
                "server",
                f"gunicorn gthread, {self.server.workers} workers × {self.server.threads} "
                "threads (config.wsgi_bench)"
                + (", VANGUARD_DB_POOL=1" if connection.vendor == "postgresql" else ""),
            ),
            (
                "load generator",
                f"wrk, {options['wrk_threads']} threads, {options['concurrency']} connections",
            ),
            ("voters", f"{planned} ({len(plans)} sessions × {options['voters']})"),
            ("load before burst", f"{load:.2f} (1-minute load average)"),
            ("hello-world", f"{hello_rps:.0f} req/s"),
            ("burst wall time", f"{seconds:.2f} s"),
            ("ballots/s", f"{ballots_rate:.1f} (goal ≥ {GOAL_BALLOTS_PER_SECOND:g})"),
            (
                "card requests/s",
                f"{request_rate:.0f} (GET + POST), ratio to hello-world "
                f"{request_rate / hello_rps:.3f}",
            ),
            ("latency (ms)", f"p50 {p50:.1f}  p99 {p99:.1f}  max {top:.1f} (goal p99 < 500)"),
            (
                "errors",
                f"{errors} (not counted {planned - counted}: refused {summary['refused']}, "
                f"GET failed {summary['get_failed']}; HTTP ≥ 400 {summary['status']}; "
                f"socket {socket_errors})",
            ),
        ]
        if cpu is not None:
            rows.append(
                (
                    "server CPU",
                    f"{cpu:.1f} s, {cpu / max(counted, 1) * 1000:.1f} ms per ballot "
                    f"({os.cpu_count()} CPUs)",
                )
            )
        rows.append(
            (
                "tally",
                f"{len(problems) - len(bad)} of {len(problems)} sessions: ballots = votes "
                "acknowledged, counts = expected, reconciled",
            )
        )
        lines = [f"  {label:<20}{value}" for label, value in rows]
        for key, found in list(bad.items())[:10]:
            lines += [f"    session {key}: {line}" for line in found[:5]]
        verdicts = {
            "ballots/s": ballots_rate >= GOAL_BALLOTS_PER_SECOND,
            "p99": p99 / 1000 < GOAL_P99_SECONDS,
            "errors": errors == 0,
            "tally": not bad,
        }
        lines.append(
            "  goal 3              "
            + ", ".join(f"{k} {'ok' if ok else 'MISSED'}" for k, ok in verdicts.items())
        )
        self.stdout.write("\n".join(lines))
        if all(verdicts.values()):
            self.stdout.write(self.style.SUCCESS("PASS"))
            return
        self.stdout.write(self.style.ERROR("FAIL"))
        raise CommandError("FAIL: see the report above")
