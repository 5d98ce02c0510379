"""Where a page's time goes: `manage.py profile_pages` (issue 17, for each page that
misses its goal in `make bench`'s table).

On the database it is pointed at (a copy of `make bench`'s cached L database, say:
it opens a card vote and sets the university admin's password there, as bench_pages'
measuring step does), each page of bench_pages' table is requested through Django's
test client as its person: a few requests to warm up, `--requests` timed without a
profiler (the wall time per request), then as many under cProfile, whose cumulative
times are read for the parts every page has:

- session and user: loading the session and the signed-in user (the middleware's
  lazy `request.user`);
- menu and badges: the context processors every full page runs (the roles' menu,
  the unread notices);
- the view: the page's own function, templates it renders itself included;
- templates: every template rendered (`Template.render`, nested ones once);
- SQL: the statements' execution in the driver (on SQLite, the database's own work,
  in this process), and the ORM's compiling of them (`as_sql`).

The parts overlap (a template's lazy queries count under templates and under SQL);
each is given in ms per request of the profiled run and as a share of its request, so
that the unprofiled wall time can be split in the same proportions. cProfile slows
Python more than it slows the database's C code: the shares of SQL are lower bounds.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.urls import resolve

from vanguard.demo.management.commands.bench_pages import Command as BenchPages

# (label, file suffix, function name): read as cumulative time, per request.
PARTS: tuple[tuple[str, str, str], ...] = (
    ("session and user", "django/contrib/auth/middleware.py", "get_user"),
    ("menu (roles)", "vanguard/home/context_processors.py", "roles"),
    ("badges (unread notices)", "vanguard/notices/context_processors.py", "unread"),
    ("templates", "django/template/backends/django.py", "render"),
    ("SQL in the driver", "django/db/backends/utils.py", "_execute"),
    ("ORM compiling SQL", "django/db/models/sql/compiler.py", "as_sql"),
)
REQUEST = ("django/core/handlers/base.py", "get_response")


@dataclass
class Profile:
    label: str
    path_kind: str
    wall_ms: float  # per request, without the profiler
    profiled_ms: float  # per request, under cProfile
    queries: int
    parts: list[tuple[str, float]]  # (label, ms per request under cProfile)


class QueryCounter:
    """An execute wrapper counting the statements run while it is installed."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def cumulative(stats: pstats.Stats, suffix: str, name: str) -> float:
    """The cumulative seconds of the function `name` in a file ending with `suffix`
    (every function of that name there, summed)."""
    found = 0.0
    for (filename, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if function == name and filename.endswith(suffix):
            found += row[3]
    return found


def view_code(path: str) -> tuple[str, str]:
    """The file and name of the function that answers `path` (decorators unwrapped)."""
    func: Any = resolve(path.split("?", 1)[0]).func
    while hasattr(func, "__wrapped__"):
        func = func.__wrapped__
    code = func.__code__
    return code.co_filename, code.co_name


class Command(BaseCommand):
    help = "Where each page of make bench's table spends its time (cProfile, test client)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=20, help="per page, timed and profiled")
        parser.add_argument("--size", default="L", help="the size named in the output")
        parser.add_argument("--only", nargs="*", default=(), help="page keys (see bench_pages)")
        parser.add_argument(
            "--after-write",
            action="store_true",
            help="move the records' version before each request: every page computed again, "
            "as the first view after a counted write (default: kept pages, as between writes)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from vanguard.accounts.models import User

        pages, card_path, _run = BenchPages().prepare_pages(options["size"])
        count = max(1, options["requests"])
        get = self.getter(after_write=options["after_write"])
        rows = []
        for spec, url in pages:
            if options["only"] and spec.key not in options["only"]:
                continue
            path = card_path if spec.key == "card_page" else url
            client = Client(HTTP_HOST="localhost")
            if spec.username:
                client.force_login(User.objects.get_by_natural_key(spec.username))
            for _warm in range(3):
                get(client, path)
            wall = 0.0
            for _timed in range(count):
                wall += get(client, path)
            wall /= count
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                get(client, path)
            profiler = cProfile.Profile()
            for _profiled in range(count):
                get(client, path, profiler)

            stats = pstats.Stats(profiler)
            total = cumulative(stats, *REQUEST) / count
            parts = [
                (label, cumulative(stats, suffix, name) / count) for label, suffix, name in PARTS
            ]
            filename, name = view_code(path)
            parts.insert(2, (f"the view ({name})", cumulative(stats, filename, name) / count))
            rows.append(
                Profile(
                    label=spec.label,
                    path_kind="card" if spec.key == "card_page" else url,
                    wall_ms=wall * 1000,
                    profiled_ms=total * 1000,
                    queries=counter.count,
                    parts=[(label, seconds * 1000) for label, seconds in parts],
                )
            )
        self.write(rows, options["size"], count)
        if options["after_write"]:
            self.stdout.write("\n(--after-write: each request the first after a counted write)")

    @staticmethod
    def getter(*, after_write: bool):  # type: ignore[no-untyped-def]
        """get(client, path, profiler=None) -> seconds of the request alone; with
        `after_write`, the records' version moved first (campaigns.records), as a
        counted write moves it, so nothing kept before is read."""
        from vanguard.campaigns import records

        def get(client: Client, path: str, profiler: cProfile.Profile | None = None) -> float:
            if after_write:
                records.bump()
            began = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            client.get(path)
            if profiler is not None:
                profiler.disable()
            return time.perf_counter() - began

        return get

    def write(self, rows: list[Profile], size: str, count: int) -> None:
        self.stdout.write(
            f"profile_pages at size {size}: {count} requests per page, test client, "
            f"{connection.vendor}; ms per request (share of the profiled request)"
        )
        for row in rows:
            self.stdout.write(
                f"\n{row.label} — {row.path_kind}: {row.wall_ms:.1f} ms per request without "
                f"the profiler, {row.profiled_ms:.1f} ms under it, {row.queries} queries"
            )
            for label, ms in row.parts:
                share = ms / row.profiled_ms if row.profiled_ms else 0.0
                self.stdout.write(f"  {label:<34}{ms:8.1f} ms  {share:5.0%}")
