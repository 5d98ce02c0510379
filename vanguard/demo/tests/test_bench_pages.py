"""`make bench`'s table (manage.py bench_pages): wrk's report read right, each goal
judged PASS or FAIL as issue 17 states it, the other benchmarks' result lines read,
and the plan of a dry run. No benchmark runs here (no demo build, no timing asserted)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from vanguard.demo.management.commands.bench_pages import (
    BulkResult,
    BurstResult,
    PageResult,
    SizeRun,
    growth,
    parse_bundles,
    parse_burst,
    parse_workbook,
    parse_wrk,
    table_lines,
)

WRK_REPORT = """\
Running 8s test @ http://127.0.0.1:41234/bench/hello/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.21ms  404.11us  12.50ms   91.02%
    Req/Sec     3.31k   201.77     3.61k    80.00%
  Latency Distribution
     50%  1.13ms
     75%  1.30ms
     90%  1.58ms
     99%  2.71ms
  26381 requests in 8.00s, 7.04MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:   3297.11
Transfer/sec:      0.88MB
"""


def test_wrk_report_gives_rate_latency_and_errors():
    result = parse_wrk(WRK_REPORT)
    assert result.rps == pytest.approx(3297.11)
    assert result.p50_ms == pytest.approx(1.13)
    assert result.p99_ms == pytest.approx(2.71)
    assert result.requests == 26381
    assert (result.bad_responses, result.socket_errors) == (3, 2)
    slow = WRK_REPORT.replace("50%  1.13ms", "50%  1.20s").replace("99%  2.71ms", "99% 850.00us")
    assert (parse_wrk(slow).p50_ms, parse_wrk(slow).p99_ms) == (1200.0, 0.85)
    with pytest.raises(ValueError):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def _run(size: str, hello: float, **rates: float) -> SizeRun:
    pages = [
        PageResult(key=key, rps=rps, p50_ms=10, p99_ms=20, queries=12) for key, rps in rates.items()
    ]
    return SizeRun(size=size, hello_rates=[hello * 1.1, hello * 0.9], pages=pages)


def _row(lines: list[str], *words: str) -> str:
    found = [line for line in lines if all(word in line for word in words)]
    assert len(found) == 1, (words, found)
    return found[0]


def test_table_judges_each_goal_at_the_largest_size_and_growth_against_demo():
    demo = _run("demo", 4000, member_home=1200, college_dashboard=500, feedback_sheet=420)
    large = _run("L", 2000, member_home=520, college_dashboard=150, feedback_sheet=199)
    large.pages[1].queries = 40  # the college dashboard's queries grew with the data
    bulk = [
        BulkResult("roster of 30,000 rows", 14.2, 20.0),
        BulkResult("statistics workbook at L", 6.1, 5.0),
        BulkResult("700 registration forms", None, 30.0, "no result line"),
        BulkResult("roster again", None, 20.0, "job failed", failed=True),
    ]
    lines = table_lines(runs=[demo, large], bulk=bulk)

    # ratio 520/2000 = 0.26 ≥ 0.25; 150/2000 = 0.075 < 0.10; 199/2000 = 0.0995 < 0.10
    assert _row(lines, "| member home", "| L |").endswith("| ≥ 0.25 | PASS |")
    assert "| 0.260 |" in _row(lines, "| member home", "| L |")
    assert _row(lines, "| college dashboard", "| L |").endswith("| FAIL |")
    assert _row(lines, "| feedback sheet", "| L |").endswith("| FAIL |")
    # The demo size's figures are shown, not judged.
    assert _row(lines, "| member home", "| demo |").endswith("| — |")
    # Growth, hello-world-normalised: member home (0.3 → 0.26) 1.15×; the college
    # dashboard (0.125 → 0.075) 1.67×, and its query count grew.
    assert growth(demo, large, "member_home") == pytest.approx(0.3 / 0.26)
    assert _row(lines, "growth member home").endswith("1.15× PASS |")
    college = _row(lines, "growth college dashboard")
    assert college.endswith("1.67× FAIL |")
    assert "12 → 40 (grows)" in college
    assert _row(lines, "roster of 30,000 rows").endswith("| 14.2 s | — | < 20 s | PASS |")
    assert _row(lines, "statistics workbook").endswith("| FAIL |")
    assert _row(lines, "700 registration forms (no result line)").endswith("| — |")
    assert _row(lines, "roster again (job failed)").endswith("| < 20 s | FAIL |")
    assert _row(lines, "voting burst").endswith("| not run (--skip-burst) |")
    # A page's ceiling is hello-world's rate measured beside it, when there is one.
    large.pages[2].hello = 1990.0
    lines = table_lines(runs=[demo, large], bulk=[])
    assert _row(lines, "| feedback sheet", "| L |").endswith(
        "| 0.100 | 10 / 20 | 12 | ≥ 0.10 | PASS |"
    )
    # A page that could not be measured fails with the reason, and has no growth.
    large.pages[0] = PageResult(key="member_home", queries=35, errors="answered HTTP 302")
    lines = table_lines(runs=[demo, large], bulk=[])
    assert _row(lines, "| member home", "| L |").endswith("| FAIL: answered HTTP 302 |")
    assert _row(lines, "growth member home").endswith("| ≤ 1.5× | — |")


def test_the_other_benchmarks_result_lines_are_read():
    bundles = parse_bundles(
        "college bundle (信息学院党委, committee): 10.5 s, 41 branches, 687 forms, 3.2 MB zip\n"
    )
    assert bundles.seconds == pytest.approx(10.5 * 700 / 687)
    assert "687 forms in 10.5 s" in bundles.note
    workbook = parse_workbook(
        "college workbook (committee, x over y, 41 branches): median 480 ms over 3 runs\n"
        "university workbook (zuzhibu, x over y, 1495 branches): median 4712 ms over 3 runs\n",
        "L",
    )
    assert (workbook.seconds, workbook.note) == (4.712, "university's, median")
    assert parse_bundles("Traceback …").seconds is None


BURST_REPORT = """\
  database            {vendor} bench.sqlite3
  server              gunicorn gthread, 2 workers × 8 threads (config.wsgi_bench)
  load generator      wrk, 2 threads, 100 connections
  voters              2000 (100 sessions × 20)
  load before burst   0.41 (1-minute load average)
  hello-world         3412 req/s
  burst wall time     9.80 s
  ballots/s           204.1 (goal ≥ 300)
  card requests/s     408 (GET + POST), ratio to hello-world 0.120
  latency (ms)        p50 310.2  p99 812.5  max 1204.0 (goal p99 < 500)
  errors              {errors} (not counted 0: refused 0, GET failed 0; HTTP ≥ 400 0; socket 0)
  server CPU          15.2 s, 7.6 ms per ballot (2 CPUs)
  tally               100 of 100 sessions: ballots = votes acknowledged, counts = expected
  goal 3              ballots/s MISSED, p99 MISSED, errors {verdict}, tally ok
FAIL
"""


def test_the_voting_burst_report_is_read_and_judged_per_engine():
    sqlite = parse_burst(BURST_REPORT.format(vendor="sqlite", errors=0, verdict="ok"), "SQLite")
    assert (sqlite.ballots_per_second, sqlite.requests_per_second, sqlite.ratio) == (
        204.1,
        408.0,
        0.12,
    )
    assert (sqlite.p50_ms, sqlite.p99_ms, sqlite.errors) == (310.2, 812.5, 0)
    assert sqlite.missed == ["ballots/s", "p99"]
    assert not sqlite.passed
    postgres = parse_burst(
        BURST_REPORT.format(vendor="postgresql", errors=3, verdict="MISSED")
        .replace("ballots/s MISSED, p99 MISSED", "ballots/s ok, p99 ok")
        .replace("FAIL", "FAIL: see the report above"),
        "PostgreSQL",
    )
    assert postgres.missed == ["errors"]
    crashed = parse_burst("Traceback (most recent call last):\n  ...\nOSError: no wrk\n", "SQLite")
    assert crashed.ballots_per_second is None
    assert "OSError: no wrk" in crashed.note
    lines = table_lines(
        runs=[],
        bulk=[],
        burst=[
            sqlite,
            postgres,
            BurstResult("PostgreSQL", note="no PostgreSQL database at postgres://x"),
            BurstResult("SQLite", 320.0, 700.0, 0.2, 100.0, 420.0, 0),
        ],
    )
    row = _row(lines, "voting burst, SQLite: 204.1 ballots/s")
    assert "| 408 | 0.120 | 310 / 812 |" in row
    assert row.endswith("| FAIL (missed: ballots/s, p99) |")
    assert _row(lines, "PostgreSQL: 204.1").endswith("| FAIL (missed: errors) |")
    assert _row(lines, "voting burst, PostgreSQL |").endswith(
        "| FAIL: no PostgreSQL database at postgres://x |"
    )
    assert _row(lines, "SQLite: 320.0 ballots/s, 0 errors").endswith("| PASS |")


def test_dry_run_prints_the_plan_and_runs_nothing(tmp_path):
    out = io.StringIO()
    call_command("bench_pages", "--size=M", "--dry-run", f"--out={tmp_path}", stdout=out)
    assert "pages at demo" in out.getvalue()
    assert "pages at M" in out.getvalue()
    assert "bench_bundles and bench_workbook at M" in out.getvalue()
    assert "voting burst (bench_burst: 2,000 voters, 100 sessions) on SQLite" in out.getvalue()
    assert not any(tmp_path.iterdir())
