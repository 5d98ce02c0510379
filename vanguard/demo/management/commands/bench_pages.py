"""Issue 17's benchmark in one command: `manage.py bench_pages [--size L]` (`make bench`).

It prints one table — req/s, the ratio to a hello-world view, p50/p99, SQL queries per
request and PASS/FAIL per goal — and writes it to var/bench/result.md. Steps, each in a
child process on a database of its own (this process's own database is not used):

1. **Pages**, at size demo and at `--size` (default L): the demo of that size is built
   once (`build_demo`, and for M and L a campaign in progress over the whole university,
   `bench_dashboards.campaign_data_build`) into var/bench/cache/, keyed by the size and
   a hash of the builders' code and of the migrations, so that reruns copy it instead of
   building it again. On a copy, a card vote is opened in one branch of 信息学院 and the
   SQL queries of each page are counted once (Django's test client). Then gunicorn
   serves the copy (config/gunicorn.conf.py, 2 sync workers, config.wsgi_bench — the
   site plus a hello-world view at /bench/hello/) with production settings: no
   VANGUARD_DEVELOPMENT, DEBUG off, a secret made for the run, static files collected
   into a folder of the run's, sessions and cache in Redis (127.0.0.1:6379, database
   `--redis-db`) when it answers. Each person logs in through the login form; every
   request carries what nginx adds (X-Forwarded-Proto https, X-Forwarded-For). `wrk`,
   another process, loads each page for `--seconds` at `--connections`, after a short
   warm-up; hello-world is measured (for half as long) before the first page and
   after each, and a page's ceiling is the mean of the two runs beside it: on a shared
   machine the rate drifts within a run. Growth: each page's time per request at
   `--size` over its time at demo size, both as a fraction of their own hello-world
   (PASS ≤ 1.5).
2. **Bulk work**: a roster of 30,000 rows through the import page's own path (the
   form's POST → the job → its task, inline as without a worker → the job page says
   done), on an organisation of 1,500 branches made as `bench_roster_import` makes it;
   `bench_bundles` (the college's registration forms, as a task) and `bench_workbook`
   (the statistics workbook, the university's at M and L) on a copy of the built
   database, read from their result lines.
3. **Voting burst**: `bench_burst` (2,000 voters in 100 sessions of 20 candidates,
   driven by wrk against gunicorn, beside hello-world in the same run) on a fresh
   migrated SQLite copy and in a fresh PostgreSQL database, `vanguard_bench_burst`, on
   the server at 127.0.0.1:5432 that trusts the user postgres (as `make bench-burst`
   uses it); one row per engine, read from its report (`parse_burst`). `--skip-burst`
   leaves it out; a PostgreSQL that does not answer makes its row say so (FAIL).

A card's voting code lives only in the measuring process's memory and wrk's arguments;
no output, file or log holds it or the card page's address.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from gunicorn.config import KNOWN_SETTINGS

HOST = "127.0.0.1"
HELLO_PATH = "/bench/hello/"  # config/wsgi_bench.py (helper V's)
PASSWORD = "vanguard-demo"  # noqa: S105 - the demo's documented password (README)
# Bump when what the cached databases hold changes in a way the hashed files do not show.
BUILD_VERSION = "1"
GROWTH_LIMIT = 1.5


# --- goals and the table (pure: no database, no network) ---------------------------


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    username: str  # "" for a page without login
    goal: float  # the least ratio to hello-world (issue 17, goal 1)
    university: bool = False  # only at sizes M and L (a university above the college)


PAGES: tuple[PageSpec, ...] = (
    PageSpec("member_home", "member home /", "member", 0.25),
    PageSpec("member_progress", "member progress", "member", 0.25),
    PageSpec("card_page", "card-vote page (GET)", "", 0.25),
    PageSpec("branch_dashboard", "branch dashboard", "secretary", 0.10),
    PageSpec("college_dashboard", "college dashboard", "committee", 0.10),
    PageSpec("university_dashboard", "university dashboard", "zuzhibu", 0.10, university=True),
    PageSpec("feedback_sheet", "feedback sheet", "member", 0.10),
)


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_responses: int = 0  # non-2xx/3xx
    socket_errors: int = 0


@dataclass
class PageResult:
    key: str
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    queries: int | None = None
    errors: str = ""  # why the page could not be measured, or its bad answers
    hello: float = 0.0  # hello-world's rate beside this page's run (0: the run's mean)


@dataclass
class SizeRun:
    size: str
    members: int = 0
    branches: int = 0
    hello_rates: list[float] = field(default_factory=list)  # in order: before, after each page
    hello_p50_ms: float = 0.0
    hello_p99_ms: float = 0.0
    load_before: float | None = None
    load_after: float | None = None
    sessions: str = ""
    pages: list[PageResult] = field(default_factory=list)

    @property
    def hello(self) -> float:
        rates = [r for r in self.hello_rates if r > 0]
        return sum(rates) / len(rates) if rates else 0.0

    def ceiling(self, page: PageResult) -> float:
        return page.hello or self.hello

    def page(self, key: str) -> PageResult | None:
        return next((p for p in self.pages if p.key == key), None)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SizeRun:
        pages = [PageResult(**page) for page in data.pop("pages", [])]
        return cls(**data, pages=pages)


@dataclass
class BurstResult:
    """One engine's voting burst, as bench_burst reported it."""

    engine: str
    ballots_per_second: float | None = None  # None: no report (see note)
    requests_per_second: float | None = None  # card requests (GET + POST)
    ratio: float | None = None  # of the card requests to hello-world, same run
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int | None = None
    missed: list[str] = field(default_factory=list)  # the goal's parts it missed
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.ballots_per_second is not None and not self.missed


@dataclass
class BulkResult:
    label: str
    seconds: float | None  # None: not measured (see note)
    limit: float
    note: str = ""
    failed: bool = False  # the job itself failed (FAIL whatever its time)


def ratio(rps: float, hello: float) -> float | None:
    return rps / hello if rps > 0 and hello > 0 else None


def verdict(passed: bool | None) -> str:
    return "—" if passed is None else ("PASS" if passed else "FAIL")


def growth(small: SizeRun, large: SizeRun, key: str) -> float | None:
    """Time per request at the large size over the small, each as a fraction of its own
    run's hello-world (so that a busier machine in one run does not count as growth)."""
    a, b = small.page(key), large.page(key)
    if a is None or b is None or a.errors or b.errors:
        return None
    small_ratio = ratio(a.rps, small.ceiling(a))
    large_ratio = ratio(b.rps, large.ceiling(b))
    if not small_ratio or not large_ratio:
        return None
    return small_ratio / large_ratio


def _num(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def table_lines(
    *,
    runs: Sequence[SizeRun],
    bulk: Sequence[BulkResult],
    burst: Sequence[BurstResult] | None = None,
) -> list[str]:
    """One markdown table: the pages at every size (the goal judged at the largest),
    the growth from the first size to the last, the bulk jobs and the voting burst."""
    head = "| goal | what | size | req/s | ratio | p50 / p99 ms | queries | target | result |"
    lines = [head, "|" + "---|" * 9]
    judged = runs[-1] if runs else None
    for run in runs:
        lines.append(
            f"| — | hello-world (mean; min–max) | {run.size} | {_num(run.hello)} "
            f"({_num(min(run.hello_rates, default=None))}–"
            f"{_num(max(run.hello_rates, default=None))}) | 1 | "
            f"{run.hello_p50_ms:.1f} / {run.hello_p99_ms:.1f} | 0 | ceiling | — |"
        )
        for spec in PAGES:
            page = run.page(spec.key)
            if page is None:
                continue
            if page.errors:
                lines.append(
                    f"| 1 | {spec.label} | {run.size} | — | — | — | {_num(page.queries)} | "
                    f"≥ {spec.goal:.2f} | FAIL: {page.errors} |"
                )
                continue
            value = ratio(page.rps, run.ceiling(page))
            passed = None if run is not judged or value is None else value >= spec.goal
            lines.append(
                f"| 1 | {spec.label} | {run.size} | {_num(page.rps, 1)} | {_num(value, 3)} | "
                f"{page.p50_ms:.0f} / {page.p99_ms:.0f} | {_num(page.queries)} | "
                f"≥ {spec.goal:.2f} | {verdict(passed)} |"
            )
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        for spec in PAGES:
            a, b = small.page(spec.key), large.page(spec.key)
            if a is None or b is None:
                continue
            value = growth(small, large, spec.key)
            queries = f"{_num(a.queries)} → {_num(b.queries)}"
            same = a.queries is not None and a.queries == b.queries
            lines.append(
                f"| 2 | growth {spec.label} | {large.size}/{small.size} | — | — | — | "
                f"{queries}{'' if same else ' (grows)'} | ≤ {GROWTH_LIMIT:g}× | "
                + ("— |" if value is None else f"{value:.2f}× {verdict(value <= GROWTH_LIMIT)} |")
            )
    for job in bulk:
        passed = False if job.failed else None if job.seconds is None else job.seconds < job.limit
        note = f" ({job.note})" if job.note else ""
        lines.append(
            f"| 4 | {job.label}{note} | — | — | — | {_num(job.seconds, 1)} s | — | "
            f"< {job.limit:g} s | {verdict(passed)} |"
        )
    target = "≥ 300 ballots/s, p99 < 500 ms, 0 errors, tallies exact"
    if burst is None:
        lines.append(
            f"| 3 | voting burst | — | — | — | — | — | {target} | not run (--skip-burst) |"
        )
    for vote in burst or ():
        if vote.ballots_per_second is None:
            lines.append(
                f"| 3 | voting burst, {vote.engine} | — | — | — | — | — | {target} | "
                f"FAIL: {vote.note} |"
            )
            continue
        result = "PASS" if vote.passed else "FAIL (missed: " + ", ".join(vote.missed) + ")"
        lines.append(
            f"| 3 | voting burst, {vote.engine}: {vote.ballots_per_second:,.1f} ballots/s, "
            f"{vote.errors} errors | 2,000 voters | {_num(vote.requests_per_second)} | "
            f"{_num(vote.ratio, 3)} | {_num(vote.p50_ms)} / {_num(vote.p99_ms)} | — | "
            f"{target} | {result} |"
        )
    return lines


def report_lines(
    *,
    runs: Sequence[SizeRun],
    bulk: Sequence[BulkResult],
    burst: Sequence[BurstResult] | None,
    settings_line: str,
) -> list[str]:
    lines = ["# make bench (issue 17)", "", settings_line, ""]
    for run in runs:
        loads = f"{_num(run.load_before, 2)} → {_num(run.load_after, 2)}"
        lines.append(
            f"- size {run.size}: {run.members:,} members, {run.branches:,} branches; "
            f"1-minute load average {loads}; sessions {run.sessions}"
        )
    return [*lines, "", *table_lines(runs=runs, bulk=bulk, burst=burst)]


# --- wrk's output ------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(text: str) -> WrkResult:
    """The figures of `wrk --latency`'s report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.MULTILINE)
    if not (rps and total and p50 and p99):
        raise ValueError("wrk's report lacks its rate or latency distribution")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        requests=int(total.group(1)),
        bad_responses=int(bad.group(1)) if bad else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


# --- the other benchmarks' result lines ----------------------------------------------


def parse_bundles(text: str) -> BulkResult:
    """bench_bundles' "college bundle (…): 10.5 s, 41 branches, 687 forms, …" line:
    the whole task's time, scaled to 700 forms when the college has another count."""
    match = re.search(r"college bundle \(.*?\): ([\d.]+) s, \d+ branches, (\d+) forms", text)
    label = "700 registration forms (college bundle task)"
    if not match:
        return BulkResult(label, None, 30.0, "no result line from bench_bundles")
    seconds, forms = float(match.group(1)), int(match.group(2))
    scaled = seconds * 700 / forms if forms else None
    return BulkResult(label, scaled, 30.0, f"{forms} forms in {seconds:.1f} s, scaled to 700")


def parse_workbook(text: str, size: str) -> BulkResult:
    """bench_workbook's median of the largest workbook it made (the university's at M/L)."""
    found = re.findall(r"(college|university) workbook \(.*?\): median (\d+) ms", text)
    label = f"statistics workbook at {size}"
    if not found:
        return BulkResult(label, None, 5.0, "no result line from bench_workbook")
    scope, ms = found[-1]
    return BulkResult(label, int(ms) / 1000, 5.0, f"{scope}'s, median")


def parse_burst(text: str, engine: str) -> BurstResult:
    """bench_burst's report: its ballots/s, card requests/s and their ratio to
    hello-world, latency, errors and the goal's verdicts ("goal 3  ballots/s ok, p99
    MISSED, …")."""
    ballots = re.search(r"^\s*ballots/s\s+([\d.]+)", text, re.MULTILINE)
    requests = re.search(
        r"^\s*card requests/s\s+([\d.]+).*ratio to hello-world ([\d.]+)", text, re.MULTILINE
    )
    latency = re.search(r"^\s*latency \(ms\)\s+p50 ([\d.]+)\s+p99 ([\d.]+)", text, re.MULTILINE)
    errors = re.search(r"^\s*errors\s+(\d+)", text, re.MULTILINE)
    goal = re.search(r"^\s*goal 3\s+(.+)$", text, re.MULTILINE)
    if not (ballots and requests and latency and errors and goal):
        last = next((line for line in reversed(text.strip().splitlines()) if line.strip()), "")
        return BurstResult(engine, note=f"no report from bench_burst ({last.strip()[:120]})")
    missed = [
        part.rsplit(" ", 1)[0].strip()
        for part in goal.group(1).split(",")
        if part.strip().endswith("MISSED")
    ]
    return BurstResult(
        engine,
        ballots_per_second=float(ballots.group(1)),
        requests_per_second=float(requests.group(1)),
        ratio=float(requests.group(2)),
        p50_ms=float(latency.group(1)),
        p99_ms=float(latency.group(2)),
        errors=int(errors.group(1)),
        missed=missed,
    )


# --- databases: built once per size and code version, copied per run --------------------


def builders_hash() -> str:
    """What the cached databases depend on: the demo builders' code, the migrations
    (the schema) and BUILD_VERSION."""
    digest = hashlib.sha256(BUILD_VERSION.encode())
    root = Path(settings.BASE_DIR)
    demo = root / "vanguard" / "demo"
    files = sorted(demo.glob("*.py")) + [demo / "management" / "commands" / "bench_dashboards.py"]
    files += sorted(root.glob("vanguard/*/migrations/*.py"))
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (the WAL included)."""
    target.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


BURST_POSTGRES = "postgres://postgres@127.0.0.1:5432"
BURST_DATABASE = "vanguard_bench_burst"


def postgres_database(server: str, *, create: bool) -> None:
    """Drop the burst's PostgreSQL database, and make it afresh when `create`."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BURST_DATABASE} WITH (FORCE)")
        if create:
            conn.execute(f"CREATE DATABASE {BURST_DATABASE}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def load_average() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


# --- the command ---------------------------------------------------------------------


class Command(BaseCommand):
    help = "Issue 17's benchmark: pages against hello-world at two sizes, bulk jobs, one table."

    def add_arguments(self, parser):
        parser.add_argument("--size", default="L", help="M or L (default L); demo is also run")
        parser.add_argument("--seconds", type=int, default=8, help="wrk's duration per page")
        parser.add_argument("--connections", type=int, default=4, help="wrk's concurrency")
        parser.add_argument("--roster-rows", type=int, default=30_000)
        parser.add_argument("--skip-bulk", action="store_true", help="no bulk jobs")
        parser.add_argument("--skip-burst", action="store_true", help="no voting burst")
        parser.add_argument(
            "--burst-postgres",
            default=BURST_POSTGRES,
            help="server (trusting its user) for the burst's PostgreSQL database",
        )
        parser.add_argument("--redis-db", type=int, default=11)
        parser.add_argument("--out", default="var/bench", help="folder of the cache and result")
        parser.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
        # The steps run in child processes (each on its own DATABASE_URL).
        parser.add_argument("--step", choices=("build", "measure", "roster"), help="internal")
        parser.add_argument("--result", help="internal: where a step writes its JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from vanguard.demo.organization import normalise_size

        options["size"] = normalise_size(options["size"])
        step = options["step"]
        if step == "build":
            self.step_build(options["size"])
        elif step == "measure":
            self.step_measure(options)
        elif step == "roster":
            self.step_roster(options)
        else:
            self.orchestrate(options)

    # -- the whole run (this process uses no database)

    def orchestrate(self, options: dict[str, Any]) -> None:
        out = Path(settings.BASE_DIR) / options["out"]
        sizes = ["demo"] if options["size"] == "demo" else ["demo", options["size"]]
        key = builders_hash()
        plan = [f"cache {out / 'cache'} (key {key}); sizes {', '.join(sizes)}"]
        plan += [
            f"pages at {size}: gunicorn ×2 sync, wrk -c{options['connections']} "
            f"{options['seconds']} s per page"
            for size in sizes
        ]
        if not options["skip_bulk"]:
            plan += [
                f"roster of {options['roster_rows']:,} rows through the import page",
                f"bench_bundles and bench_workbook at {sizes[-1]}",
            ]
        if not options["skip_burst"]:
            plan.append(
                "voting burst (bench_burst: 2,000 voters, 100 sessions) on SQLite and in "
                f"{options['burst_postgres']}/{BURST_DATABASE}"
            )
        plan.append(f"table → {out / 'result.md'}")
        self.stdout.write("bench plan:\n" + "\n".join(f"  {line}" for line in plan))
        if options["dry_run"]:
            return
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed (apt-get install wrk; make bench does)")
        (out / "cache").mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        runs = []
        work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
        try:
            for size in sizes:
                built = self.cached_database(out / "cache", key, size)
                copy = work / f"pages-{size}.sqlite3"
                sqlite_copy(built, copy)
                result = work / f"pages-{size}.json"
                self.child(
                    [
                        "bench_pages",
                        "--step=measure",
                        f"--size={size}",
                        f"--seconds={options['seconds']}",
                        f"--connections={options['connections']}",
                        f"--redis-db={options['redis_db']}",
                        f"--result={result}",
                    ],
                    copy,
                    work,
                    title=f"pages at {size}",
                )
                runs.append(SizeRun.from_json(json.loads(result.read_text())))
                copy.unlink()
            bulk = [] if options["skip_bulk"] else self.bulk(options, out, key, sizes[-1], work)
            burst = None if options["skip_burst"] else self.burst(options, out, key, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        line = (
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} CPUs; gunicorn 2 sync "
            f"workers (config.wsgi_bench), production settings; wrk -t1 -c{options['connections']}"
            f" -d{options['seconds']}s --latency; whole run {time.monotonic() - started:.0f} s"
        )
        lines = report_lines(runs=runs, bulk=bulk, burst=burst, settings_line=line)
        text = "\n".join(lines) + "\n"
        (out / "result.md").write_text(text)
        self.stdout.write("\n" + text)
        self.stdout.write(f"written to {out / 'result.md'}")

    def child(  # noqa: PLR0913
        self,
        argv: list[str],
        database: Path | str,
        work: Path,
        *,
        title: str,
        capture: bool = False,
        may_fail: bool = False,
    ) -> str:
        """manage.py <argv> on `database` (a SQLite file, or a database URL), its output
        shown (or captured and returned). It raises when the command fails, unless
        `may_fail` (a benchmark that exits non-zero on a missed goal)."""
        env = {
            **os.environ,
            "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
            "VANGUARD_DEVELOPMENT": "1",
            "VANGUARD_DEBUG": "0",
            "VANGUARD_MEDIA_ROOT": str(work / "media"),
            "PYTHONUNBUFFERED": "1",
        }
        self.stdout.write(f">>> {title}")
        self.stdout.flush()
        began = time.monotonic()
        completed = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", *argv],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
            text=True,
            check=False,
        )
        output = completed.stdout or ""
        if capture:
            self.stdout.write(output.rstrip())
        self.stdout.write(f"    ({title}: {time.monotonic() - began:.0f} s)")
        if completed.returncode != 0 and not may_fail:
            raise CommandError(f"{title}: manage.py {argv[0]} exited {completed.returncode}")
        return output

    def burst(self, options: dict[str, Any], out: Path, key: str, work: Path) -> list[BurstResult]:
        """bench_burst on a fresh migrated SQLite copy, then in a fresh PostgreSQL
        database (dropped after)."""

        def run(database: Path | str, engine: str) -> BurstResult:
            text = self.child(
                ["bench_burst"],
                database,
                work,
                title=f"voting burst on {engine}",
                capture=True,
                may_fail=True,
            )
            return parse_burst(text, engine)

        database = work / "burst.sqlite3"
        sqlite_copy(self.migrated(out / "cache", key), database)
        results = [run(database, "SQLite")]
        database.unlink()
        server = options["burst_postgres"].rstrip("/")
        try:
            postgres_database(server, create=True)
        except Exception as error:  # noqa: BLE001 - any reason the server refused, said in the row
            note = f"no PostgreSQL database at {server}: {str(error).strip()[:120]}"
            self.stdout.write(self.style.ERROR(f"  {note}"))
            return [*results, BurstResult("PostgreSQL", note=note)]
        url = f"{server}/{BURST_DATABASE}"
        try:
            self.child(["migrate", "--noinput", "-v", "0"], url, work, title="migrate (PostgreSQL)")
            results.append(run(url, "PostgreSQL"))
        finally:
            postgres_database(server, create=False)
        return results

    def cached_database(self, cache: Path, key: str, size: str) -> Path:
        """The built database of `size` for this code version, built when missing."""
        target = cache / f"{size}-{key}.sqlite3"
        if target.exists():
            self.stdout.write(f"using the cached database {target.name}")
            return target
        for old in cache.glob(f"{size}-*.sqlite3*"):
            old.unlink()
        empty = self.migrated(cache, key)
        building = cache / f"building-{size}-{key}.sqlite3"
        sqlite_copy(empty, building)
        self.child(
            ["bench_pages", "--step=build", f"--size={size}"],
            building,
            cache,
            title=f"building the demo at size {size} (cached for reruns)",
        )
        sqlite_copy(building, target)
        building.unlink()
        return target

    def migrated(self, cache: Path, key: str) -> Path:
        target = cache / f"empty-{key}.sqlite3"
        if not target.exists():
            for old in cache.glob("empty-*.sqlite3*"):
                old.unlink()
            making = cache / f"making-empty-{key}.sqlite3"
            making.unlink(missing_ok=True)
            self.child(["migrate", "--noinput", "-v", "0"], making, cache, title="migrate")
            sqlite_copy(making, target)
            making.unlink()
        return target

    def bulk(
        self, options: dict[str, Any], out: Path, key: str, size: str, work: Path
    ) -> list[BulkResult]:
        results = []
        roster_db = work / "roster.sqlite3"
        sqlite_copy(self.migrated(out / "cache", key), roster_db)
        roster_json = work / "roster.json"
        self.child(
            [
                "bench_pages",
                "--step=roster",
                f"--roster-rows={options['roster_rows']}",
                f"--result={roster_json}",
            ],
            roster_db,
            work,
            title=f"roster of {options['roster_rows']:,} rows through the import page",
        )
        results.append(BulkResult(**json.loads(roster_json.read_text())))
        roster_db.unlink()
        built = work / "bulk.sqlite3"
        sqlite_copy(self.cached_database(out / "cache", key, size), built)
        text = self.child(
            ["bench_bundles", f"--size={size}"], built, work, title="bench_bundles", capture=True
        )
        results.append(parse_bundles(text))
        text = self.child(
            ["bench_workbook", f"--size={size}", "--runs=3"],
            built,
            work,
            title="bench_workbook",
            capture=True,
        )
        results.append(parse_workbook(text, size))
        return results

    # -- step: build the demo of a size (on a migrated, empty database)

    def step_build(self, size: str) -> None:
        from vanguard.demo.build import demo_build
        from vanguard.demo.management.commands.bench_dashboards import campaign_data_build
        from vanguard.organization.models import Unit

        started = time.monotonic()
        result = demo_build(size=size)
        self.stdout.write(
            f"demo at size {size}: {result.members:,} members, {result.branches:,} branches "
            f"in {time.monotonic() - started:.0f} s"
        )
        if size != "demo":
            started = time.monotonic()
            root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
            assert root is not None
            campaign_data_build(root=root)
            self.stdout.write(f"campaign over {root.name} in {time.monotonic() - started:.0f} s")

    # -- step: measure the pages of one size (on a copy of its built database)

    def step_measure(self, options: dict[str, Any]) -> None:
        from django.db import connection

        size = options["size"]
        pages, card_path, run = self.prepare_pages(size)
        connection.close()  # the server's connections only, while it is measured
        work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
        server = Server(work=work, redis_db=options["redis_db"])
        previous = signal.signal(signal.SIGTERM, _terminated)
        try:
            run.sessions = server.prepare(self.stdout)
            server.start()
            server.wait_ready(120)
            cookies = {
                username: server.login(username)
                for username in sorted({spec.username for spec, _url in pages if spec.username})
            }
            run.load_before = load_average()
            seconds, connections = options["seconds"], options["connections"]

            def hello_world() -> float:
                try:
                    hello = server.wrk(
                        HELLO_PATH, "", seconds=max(2, seconds // 2), connections=connections
                    )
                except MeasureError as error:
                    raise CommandError(f"hello-world: {error}") from None
                run.hello_rates.append(hello.rps)
                if len(run.hello_rates) == 1:
                    run.hello_p50_ms, run.hello_p99_ms = hello.p50_ms, hello.p99_ms
                self.stdout.write(f"  hello-world: {hello.rps:,.0f} req/s")
                return hello.rps

            before = hello_world()
            for spec, url in pages:
                page = run.page(spec.key)
                assert page is not None
                path = card_path if spec.key == "card_page" else url
                cookie = cookies.get(spec.username, "")
                try:
                    server.check(path, cookie, spec.label)
                    measured = server.wrk(path, cookie, seconds=seconds, connections=connections)
                except MeasureError as error:
                    page.errors = str(error)
                    self.stdout.write(self.style.ERROR(f"  {spec.label}: {error}"))
                    continue
                after = hello_world()
                page.hello = (before + after) / 2
                before = after
                page.rps, page.p50_ms, page.p99_ms = (
                    measured.rps,
                    measured.p50_ms,
                    measured.p99_ms,
                )
                if measured.bad_responses or measured.socket_errors:
                    page.errors = (
                        f"{measured.bad_responses} bad answers, "
                        f"{measured.socket_errors} socket errors"
                    )
                self.stdout.write(
                    f"  {spec.label}: {measured.rps:,.1f} req/s (ratio "
                    f"{_num(ratio(measured.rps, page.hello), 3)}), p50 {measured.p50_ms:.0f} ms, "
                    f"p99 {measured.p99_ms:.0f} ms, {page.queries} queries"
                )
            run.load_after = load_average()
        finally:
            signal.signal(signal.SIGTERM, previous)
            server.stop()
            shutil.rmtree(work, ignore_errors=True)
        Path(options["result"]).write_text(json.dumps(asdict(run)))

    def prepare_pages(self, size: str) -> tuple[list[tuple[PageSpec, str]], str, SizeRun]:
        """The pages' addresses, a card vote opened for the card page, the university
        admin given the demo password, and each page's SQL queries counted once."""
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from vanguard.accounts.models import User
        from vanguard.campaigns.models import Campaign
        from vanguard.demo.campaigns import CAMPAIGN_NAME
        from vanguard.organization.models import Member, Unit

        campaign = Campaign.objects.select_related("unit").get(name=CAMPAIGN_NAME)
        root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
        assert root is not None
        university = None
        if root != campaign.unit:
            university = Campaign.objects.filter(status=Campaign.Status.ACTIVE, unit=root).first()
            admin = User.objects.get_by_natural_key("zuzhibu")
            admin.set_password(PASSWORD)  # a copy of the built database, thrown away after
            admin.save(update_fields=["password"])
        card_path = open_card_vote(campaign)
        urls = {
            "member_home": "/",
            "member_progress": f"/campaigns/{campaign.pk}/progress/me/",
            "card_page": "",
            "branch_dashboard": f"/campaigns/?campaign={campaign.pk}",
            "college_dashboard": f"/campaigns/?campaign={campaign.pk}",
            "university_dashboard": f"/campaigns/?campaign={university.pk}" if university else "",
            "feedback_sheet": "/opinions/feedback/",
        }
        pages = [(spec, urls[spec.key]) for spec in PAGES if not spec.university or university]
        run = SizeRun(
            size=size,
            members=Member.objects.filter(is_active=True).count(),
            branches=Unit.objects.filter(kind=Unit.Kind.BRANCH).count(),
        )
        for spec, url in pages:
            client = Client(HTTP_HOST="localhost")
            if spec.username:
                client.force_login(User.objects.get_by_natural_key(spec.username))
            path = card_path if spec.key == "card_page" else url
            client.get(path)  # warm up: templates, translations, caches
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            result = PageResult(key=spec.key, queries=len(captured))
            if response.status_code != 200:
                result.errors = f"HTTP {response.status_code} in the test client"
            run.pages.append(result)
        return pages, card_path, run

    # -- step: the roster through the import page (on a migrated, empty database)

    def step_roster(self, options: dict[str, Any]) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.test import Client

        from vanguard.accounts.models import Role, RoleAssignment, User
        from vanguard.demo.management.commands import bench_roster_import
        from vanguard.organization.models import ImportJob
        from vanguard.organization.roster import reading

        rows = options["roster_rows"]
        maker = bench_roster_import.Command()
        committee, branch_list = maker.build_org(1_500, 30)
        actor = User.objects.create_user(username="bench-roster", password=None)
        RoleAssignment.objects.create(user=actor, role=Role.COMMITTEE_ADMIN, unit=committee)
        content = maker.workbook(maker.roster_rows(rows, branch_list))
        client = Client(HTTP_HOST="localhost")
        client.force_login(actor)
        client.get("/org/roster/")  # the form, as a person opens it first
        upload = SimpleUploadedFile(
            "roster.xlsx",
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        started = time.perf_counter()
        response = client.post("/org/roster/", {"unit": committee.pk, "file": upload})
        job = ImportJob.objects.order_by("-pk").first()
        if response.status_code != 302 or job is None:
            raise CommandError(f"the import page answered {response.status_code}, no job")
        page = client.get(response["Location"])
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        label = f"roster of {rows:,} rows (import page → job → done)"
        note = ""
        if page.status_code != 200 or job.status != ImportJob.Status.DONE:
            note = f"job {job.status}, job page HTTP {page.status_code}"
            result = BulkResult(label, None, 20.0, note, failed=True)
            for error in job.errors[:10]:
                self.stdout.write(f"    {reading.error_text(error)}")
        else:
            created = job.summary.get("created", 0)
            result = BulkResult(label, seconds, 20.0, f"{created:,} created")
        self.stdout.write(f"  {label}: {seconds:.1f} s, {job.status}")
        Path(options["result"]).write_text(json.dumps(asdict(result)))


def open_card_vote(campaign: Any) -> str:
    """Open a card vote in a branch of the campaign's college with no vote yet and
    return one card's address (kept in memory: it holds a voting code)."""
    from vanguard.ballots import selectors, services
    from vanguard.ballots.models import AppraisalSession
    from vanguard.organization.models import Member, Unit

    taken = AppraisalSession.objects.filter(campaign=campaign).values_list("unit_id", flat=True)
    branches = (
        Unit.objects.filter(
            kind=Unit.Kind.BRANCH, is_active=True, path__startswith=campaign.unit.path
        )
        .exclude(pk__in=taken)
        .order_by("pk")
    )
    for branch in branches:
        formal = Member.objects.filter(
            branch=branch, is_active=True, standing=Member.Standing.FORMAL
        ).count()
        if formal >= 5:
            session = services.session_create(campaign=campaign, unit=branch)
            services.session_open(session=session)
            cards = services.cards_issue(session=session, spares=0)
            # The members at the meeting, ticked at the door: the card page a voter opens
            # from the QR code accepts the code (unticked, every card page answered that
            # the holder must first be registered, which no voter at a meeting sees).
            roll = selectors.roll(session).values_list("member_id", flat=True)
            services.roll_set_present(session=session, present=list(roll))
            return f"/v/{session.pk}/{cards[0].code}/"
    raise CommandError("no branch of the college without a vote to open one in")


class MeasureError(Exception):
    pass


def _terminated(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwind, so that the server is stopped


class Server:
    """gunicorn serving config.wsgi_bench with production settings on loopback, in a
    process group of its own."""

    def __init__(self, *, work: Path, redis_db: int):
        self.work = work
        self.redis_db = redis_db
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = work / "gunicorn.log"
        self.env: dict[str, str] = {}

    def prepare(self, stdout: Any) -> str:
        """The production environment; collectstatic into the run's folder. Returns how
        sessions are kept."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("VANGUARD_", "DJANGO_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": settings.DATABASE_URL,
                "VANGUARD_DEVELOPMENT": "0",
                "VANGUARD_DEBUG": "0",
                "VANGUARD_SECRET_KEY": secrets.token_urlsafe(50),
                "VANGUARD_ALLOWED_HOSTS": HOST,
                "VANGUARD_PROXY_COUNT": "1",
                "VANGUARD_STATIC_ROOT": str(self.work / "static"),
                "VANGUARD_MEDIA_ROOT": str(self.work / "media"),
                "VANGUARD_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                "VANGUARD_LOG_LEVEL": "WARNING",
                "VANGUARD_BALLOTS_SCRUB_RETRY_SECONDS": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        sessions = "in the database (no Redis on 127.0.0.1:6379)"
        if redis_flush(self.redis_db):
            env["VANGUARD_CACHE_URL"] = f"redis://{HOST}:6379/{self.redis_db}"
            env["VANGUARD_SESSION_ENGINE"] = "cache"
            sessions = f"and cache in Redis (database {self.redis_db})"
        self.env = env
        began = time.monotonic()
        subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=settings.BASE_DIR,
            env=env,
            check=True,
        )
        stdout.write(f"  collectstatic: {time.monotonic() - began:.0f} s")
        return sessions

    def start(self) -> None:
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "config.wsgi_bench:application",
            f"--bind={HOST}:{self.port}",
            "--workers=2",
            "--worker-class=sync",
            "--timeout=120",
            "--graceful-timeout=5",
            "--log-level=warning",
            f"--worker-tmp-dir={self.work}",
        ]
        if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS):
            command.append("--no-control-socket")
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def headers(self, cookie: str) -> dict[str, str]:
        # What nginx adds in front of the app (deploy/nginx/vanguard.conf).
        found = {"X-Forwarded-Proto": "https", "X-Forwarded-For": HOST}
        if cookie:
            found["Cookie"] = cookie
        return found

    def request(
        self, method: str, path: str, *, cookie: str = "", body: str | None = None, **extra: str
    ) -> tuple[int, dict[str, list[str]], bytes]:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers={**self.headers(cookie), **extra})
            response = conn.getresponse()
            headers: dict[str, list[str]] = {}
            for name, value in response.getheaders():
                headers.setdefault(name.lower(), []).append(value)
            return response.status, headers, response.read()
        finally:
            conn.close()

    def wait_ready(self, timeout: float) -> None:
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            assert self.process is not None
            if self.process.poll() is not None:
                raise CommandError(f"gunicorn exited ({self.process.returncode}):\n{self.tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if self.request("GET", HELLO_PATH)[0] == 200:
                    return
            time.sleep(0.2)
        raise CommandError(f"gunicorn did not answer within {timeout:g} s:\n{self.tail()}")

    def login(self, username: str) -> str:
        """Log in through the login form; the Cookie header of the session."""
        status, headers, page = self.request("GET", "/accounts/login/")
        jar: SimpleCookie = SimpleCookie()
        for line in headers.get("set-cookie", []):
            jar.load(line)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None or "csrftoken" not in jar:
            raise CommandError(f"the login page answered {status} without a CSRF token")
        form = urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": PASSWORD,
            }
        )
        status, headers, _page = self.request(
            "POST",
            "/accounts/login/",
            cookie=f"csrftoken={jar['csrftoken'].value}",
            body=form,
            **{
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}:{self.port}",
            },
        )
        for line in headers.get("set-cookie", []):
            jar.load(line)
        if status != 302 or "sessionid" not in jar:
            raise CommandError(f"logging in as {username} answered {status}, no session")
        return "; ".join(f"{name}={jar[name].value}" for name in ("sessionid", "csrftoken"))

    def check(self, path: str, cookie: str, label: str) -> None:
        """The page answers 200 to this person (wrk would count a redirect as a success)."""
        status = self.request("GET", path, cookie=cookie)[0]
        if status != 200:
            raise MeasureError(f"answered HTTP {status}")

    def wrk(self, path: str, cookie: str, *, seconds: int, connections: int) -> WrkResult:
        url = f"http://{HOST}:{self.port}{path}"
        args = ["wrk", "-t1", f"-c{connections}", "--latency", "--timeout=30s"]
        for name, value in self.headers(cookie).items():
            args += ["-H", f"{name}: {value}"]
        warm = subprocess.run(  # noqa: S603 - wrk with our arguments
            [*args, "-d1s", url], capture_output=True, text=True, check=False, timeout=60
        )
        self.drain(path, cookie, connections)
        done = subprocess.run(  # noqa: S603
            [*args, f"-d{seconds}s", url],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 60,
        )
        for completed in (warm, done):
            if completed.returncode != 0:
                # wrk's output names the URL: never show it (a card page's holds a code).
                raise MeasureError(f"wrk exited {completed.returncode}")
        try:
            return parse_wrk(done.stdout)
        except ValueError as error:
            raise MeasureError(str(error)) from None

    def drain(self, path: str, cookie: str, connections: int) -> None:
        """Wait until the warm-up's requests are served. wrk stops after its second but
        the connections it opened stay in the listen queue, and sync workers serve them
        anyway: on a page slower than a second they held both workers through the timed
        run's first seconds (a university's dashboard finished none in 8 s and read 0
        req/s). Requests sent now queue behind them, in order; when as many as there
        were connections have been answered, the queue ahead is empty."""
        with ThreadPoolExecutor(max_workers=connections) as pool:
            for status, _headers, _body in pool.map(
                lambda _n: self.request("GET", path, cookie=cookie), range(connections)
            ):
                if status != 200:
                    raise MeasureError(f"answered HTTP {status}")

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is None:
            return
        for signum, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(wait)
        if self.env.get("VANGUARD_CACHE_URL"):
            redis_flush(self.redis_db)


def redis_flush(db: int) -> bool:
    """Remove the site's keys from Redis database `db` on 127.0.0.1:6379; False when no
    Redis answers there."""
    try:
        import redis
    except ImportError:
        return False
    try:
        client = redis.Redis(host=HOST, port=6379, db=db, socket_connect_timeout=2)
        keys = list(client.scan_iter("vanguard:*", count=1000))
        if keys:
            client.delete(*keys)
        return True
    except redis.RedisError:
        return False
