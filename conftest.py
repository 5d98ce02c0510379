"""Fixtures shared by every test: a small organisation and the same cast of people
everywhere (habit 4): a committee admin, a supervisor, a general-branch secretary,
a branch secretary, a branch committee member, a party-group leader, an observer,
a member, a member of another branch, and the anonymous visitor (no fixture)."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime
import gc
import itertools
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.handlers.base import BaseHandler
from django.db import connection, connections, transaction
from django.db.models import Model
from django.db.models.base import ModelState

from tests import arenas
from tests.scheduling import WALK, BrowserTestsSpread, is_walk
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit import triggers
from vanguard.organization.models import Member, Unit

# Compiled test modules (pytest's assertion rewriting) and the project's modules are
# cached in __pycache__ even where the environment asks Python not to write bytecode
# (container images set PYTHONDONTWRITEBYTECODE): compiling ~550 modules again was 6 s
# of every worker's start. The caches are ignored by git.
sys.dont_write_bytecode = False

PASSWORD = "correct-horse-battery"  # noqa: S105


@dataclass
class Org:
    committee: Unit
    gb_a: Unit
    gb_b: Unit
    branch_a1: Unit
    branch_a2: Unit
    branch_b1: Unit
    group_a1: Unit


@pytest.fixture
def org(db) -> Org:
    return build_org()


def build_org() -> Org:
    committee = Unit.objects.create(name="信息学院党委", kind=Unit.Kind.COMMITTEE)
    gb_a = Unit.objects.create(name="光电系党总支", kind=Unit.Kind.GENERAL_BRANCH, parent=committee)
    gb_b = Unit.objects.create(name="信电系党总支", kind=Unit.Kind.GENERAL_BRANCH, parent=committee)
    branch_a1 = Unit.objects.create(
        name="光学工程教工第一党支部",
        kind=Unit.Kind.BRANCH,
        branch_type=Unit.BranchType.FACULTY,
        parent=gb_a,
    )
    branch_a2 = Unit.objects.create(
        name="光电博士生党支部",
        kind=Unit.Kind.BRANCH,
        branch_type=Unit.BranchType.DOCTORAL,
        parent=gb_a,
    )
    branch_b1 = Unit.objects.create(
        name="信电本科生第四党支部",
        kind=Unit.Kind.BRANCH,
        branch_type=Unit.BranchType.UNDERGRADUATE,
        parent=gb_b,
    )
    group_a1 = Unit.objects.create(name="第一党小组", kind=Unit.Kind.PARTY_GROUP, parent=branch_a1)
    return Org(committee, gb_a, gb_b, branch_a1, branch_a2, branch_b1, group_a1)


def make_user(username: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def make_member(
    *,
    name: str,
    number: str,
    branch: Unit,
    user: User | None = None,
    party_group: Unit | None = None,
    standing: str = Member.Standing.FORMAL,
) -> Member:
    return Member.objects.create(
        name=name,
        number=number,
        branch=branch,
        party_group=party_group,
        user=user,
        category=Member.Category.FACULTY,
        standing=standing,
        joined_on=datetime.date(2001, 7, 1),
    )


@dataclass
class Cast:
    committee_admin: User
    supervisor: User
    gb_secretary: User
    secretary: User
    branch_committee: User
    group_leader: User
    observer: User
    member: User
    other_member: User
    member_record: Member
    other_member_record: Member
    colleague_record: Member


@pytest.fixture
def cast(org: Org) -> Cast:
    return build_cast(org)


def build_cast(org: Org) -> Cast:
    def role(user: User, role: str, unit: Unit) -> User:
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
        return user

    committee_admin = role(make_user("committee"), Role.COMMITTEE_ADMIN, org.committee)
    supervisor = role(make_user("supervisor"), Role.SUPERVISOR, org.branch_a1)
    gb_secretary = role(make_user("gbsecretary"), Role.GENERAL_BRANCH_SECRETARY, org.gb_a)
    secretary = role(make_user("secretary"), Role.BRANCH_SECRETARY, org.branch_a1)
    make_member(name="李书记", number="T0001", branch=org.branch_a1, user=secretary)
    branch_committee = role(make_user("zhiwei"), Role.BRANCH_COMMITTEE, org.branch_a1)
    group_leader = role(make_user("groupleader"), Role.GROUP_LEADER, org.group_a1)
    observer = role(make_user("observer"), Role.OBSERVER, org.committee)
    member = make_user("member")
    member_record = make_member(
        name="王小明", number="T0002", branch=org.branch_a1, user=member, party_group=org.group_a1
    )
    colleague_record = make_member(name="张丽", number="T0003", branch=org.branch_a1)
    other_member = make_user("othermember")
    other_member_record = make_member(
        name="陈刚", number="S0001", branch=org.branch_b1, user=other_member
    )
    return Cast(
        committee_admin,
        supervisor,
        gb_secretary,
        secretary,
        branch_committee,
        group_leader,
        observer,
        member,
        other_member,
        member_record,
        other_member_record,
        colleague_record,
    )


@contextlib.contextmanager
def kept_across_tests(django_db_blocker) -> Iterator[None]:
    """Data written inside this block is kept for the tests that run while it is open
    and rolled back at its end: for a module-scoped fixture that builds what many tests
    read, once per module (on each xdist worker) instead of once per test.

    The block is a transaction (a savepoint, inside another such block); each test's
    own transaction (pytest-django's `db`, as in Django's TestCase) is a savepoint
    inside it, rolled back after the test, so whatever one test writes is gone before
    the next one starts. Tests must still get their model instances fresh (fetched or
    copied), never the objects another test was handed. Not for transactional or
    live-server tests, which need committed data, nor for a module with tests that
    expect a database without that data."""
    with django_db_blocker.unblock(), transaction.atomic():
        _kept_blocks.append(None)
        try:
            yield
            transaction.set_rollback(True)
        finally:
            _kept_blocks.pop()


_kept_blocks: list[None] = []  # the kept_across_tests blocks open on this worker

_IMMUTABLE = (str, bytes, int, float, bool, type(None), datetime.date, datetime.time)


def fresh_copy(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A copy of kept data for one test, as copy.deepcopy makes it (shared objects stay
    shared: `cast.member_record.user is cast.member`) but model instances are copied
    field by field, without pickling each one: deepcopy was a third of an access-table
    case's setup. What a test changes on its copies never reaches the next test."""
    memo = {} if memo is None else memo
    if isinstance(value, _IMMUTABLE):
        return value
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, Model):
        new = value.__class__.__new__(value.__class__)
        memo[id(value)] = new
        state = ModelState()
        state.db, state.adding = value._state.db, value._state.adding
        state.fields_cache = {k: fresh_copy(v, memo) for k, v in value._state.fields_cache.items()}
        new.__dict__.update(
            {k: fresh_copy(v, memo) for k, v in value.__dict__.items() if k != "_state"},
            _state=state,
        )
        return new
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            f.name: fresh_copy(getattr(value, f.name), memo) for f in dataclasses.fields(value)
        }
        memo[id(value)] = replaced = dataclasses.replace(value, **fields)
        return replaced
    if type(value) in (tuple, list, set, frozenset):
        return type(value)(fresh_copy(v, memo) for v in value)
    if type(value) is dict:
        mapping: dict[Any, Any] = {}
        memo[id(value)] = mapping
        mapping.update((k, fresh_copy(v, memo)) for k, v in value.items())
        return mapping
    return copy.deepcopy(value, memo)


@pytest.fixture(autouse=True)
def _no_kept_data_for_other_tests(request: pytest.FixtureRequest) -> None:
    """A test that uses the database but none of a module's kept data must not run
    while that data is in place (pytest_collection_modifyitems orders them so)."""
    if _kept_blocks and not _keeps(request.node) and _django_order(request.node) < 2:
        pytest.fail(
            f"{request.node.nodeid} would meet data kept for other tests of its module: "
            "run it before them (conftest.pytest_collection_modifyitems)"
        )


@pytest.fixture(autouse=True)
def _no_hooks_left_by_an_earlier_test(request: pytest.FixtureRequest) -> None:
    """Only tests marked `leaves_hooks` may run after one that left hooks in Django
    (pytest_collection_modifyitems runs them last): the rest would time Sentry's."""
    hooked = BaseHandler.get_response.__name__ != "get_response"
    if hooked and request.node.get_closest_marker("leaves_hooks") is None:
        pytest.fail(
            f"{request.node.nodeid} runs after a test that left hooks in Django "
            f"({BaseHandler.get_response.__qualname__}): mark that test leaves_hooks"
        )


def pytest_configure(config: pytest.Config) -> None:
    """The garbage collector's full passes walk every object Django and the apps
    keep for the whole run: frozen once imports are done, and run less often, they
    stopped costing a tenth of the suite's time (a test's garbage is mostly freed by
    reference counting; cycles are still collected).

    With `-n`, xdist hands each worker a quarter of all tests up front, and the
    first quarter holds most of the slow ones (the demo builds, the PDFs): one worker
    was still working through them long after the other had run everything else.
    Handing out at most 16 tests at a time keeps both busy to the end (xdist's own
    `--maxschedchunk`, which still wins when given)."""
    if config.pluginmanager.hasplugin("xdist") and config.getoption("maxschedchunk") is None:
        config.option.maxschedchunk = 16
    gc.set_threshold(50_000, 20, 20)
    # Frames' and objects' memory kept by the process instead of mapped and unmapped
    # again at every chunk edge a call crosses (tests/arenas.py): a fifth of the time.
    arenas.keep()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """xdist's load scheduling with the browser tests spread over the workers and the
    page walks kept apart (tests/scheduling.py)."""
    if config.getoption("dist") != "load":
        return None
    return BrowserTestsSpread(config, log)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (the modules, the thousands of parametrised items) lives
    to the end: out of the collector's way (pytest_configure)."""
    gc.collect()
    gc.freeze()


def _keeps(item: pytest.Item) -> bool:
    """Whether the test reads data kept for its module: a fixture named
    `*_of_the_module`, built inside kept_across_tests."""
    return any(name.endswith("_of_the_module") for name in getattr(item, "fixturenames", ()))


def _django_order(item: pytest.Item) -> int:
    """pytest-django's order: tests in a transaction (0), transactional tests (1),
    tests without the database (2)."""
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    transactional = bool(names & {"transactional_db", "live_server"}) or (
        marker is not None
        and bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )
    if transactional:
        return 1
    return 0 if marker is not None or "db" in names else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """pytest-django has put the tests in Django's order (_django_order). Within each
    stretch of one module's tests, those that read data kept for the module run after
    the others of their kind: that data stays until the stretch ends, and none of the
    others expects it (_no_kept_data_for_other_tests fails a test that would meet it)."""
    start = 0
    for end in range(1, len(items) + 1):
        if end == len(items) or items[end].path != items[start].path:
            items[start:end] = sorted(
                items[start:end], key=lambda item: (_django_order(item), _keeps(item))
            )
            start = end
    # The page walks (a browser through every page, a minute each) first of their kind:
    # collected last, they were handed out last, and one worker walked on alone long
    # after the other had run everything else. (With -n, tests/scheduling.py also keeps
    # them apart: it knows them by their ids.)
    # Last of all, the tests that leave hooks in Django behind them (Sentry's SDK, once
    # started, wraps every middleware, template and query of the process to its end):
    # run anywhere in the worker's share, they made every later request a fifth slower.
    for item in items:
        if (item.get_closest_marker("page_walk") is not None) != is_walk(item.nodeid):
            raise pytest.UsageError(
                f"{item.nodeid}: a page walk's parametrisation id, and only a page walk's,"
                f" holds {WALK!r} (tests/scheduling.py keeps the walks apart by it)"
            )
    items[:] = sorted(
        items,
        key=lambda item: (
            item.get_closest_marker("leaves_hooks") is not None,
            _django_order(item),
            item.get_closest_marker("page_walk") is None,
        ),
    )


@pytest.fixture(scope="session")
def django_db_setup(  # noqa: PLR0913
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's own, but on SQLite the migrated database is loaded from the copy
    a run before made with the same migrations (tests/database_cache.py) instead of
    migrating again: 14 s of every worker's start."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from tests import database_cache

    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    args = {
        "verbosity": request.config.option.verbose,
        "interactive": False,
        "aliases": aliases,
        "serialized_aliases": serialized_aliases,
        **({"keepdb": True} if keepdb else {}),
    }
    cached = (
        django_db_use_migrations
        and not django_db_createdb  # --create-db: migrate afresh
        and not serialized_aliases  # serialised before it would be loaded
        and aliases <= {"default"}
        and database_cache.applies(connection)
    )
    with django_db_blocker.unblock():
        key = database_cache.cache_key() if cached else ""
        path = database_cache.cached_file(key) if cached else None
        if path is not None and path.exists():
            with database_cache.without_migrations(connection):
                db_cfg = setup_databases(**args)
            if not database_cache.load(connection, path):
                from django.core.management import call_command

                call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
        else:
            db_cfg = setup_databases(**args)
            if path is not None:
                database_cache.save(connection, key)
    with flushed_by_delete_on_postgresql():
        yield
    if not django_db_keepdb:
        close_what_ended_threads_left()
        with django_db_blocker.unblock():
            left = end_connections_left_open()
            if left:
                warnings.warn(
                    "connections left open to the test database, ended before it was dropped: "
                    + "; ".join(left),
                    stacklevel=1,
                )
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


@contextlib.contextmanager
def flushed_by_delete_on_postgresql() -> Iterator[None]:
    """On PostgreSQL, the flush that empties every table after a transactional or
    live-server test (Django's TransactionTestCase, and the page walks between their
    runs) deletes the rows instead of truncating the tables: TRUNCATE gives each of the
    103 tables and their indexes new files, 0.67 to 0.85 s a flush, where DELETE in one
    transaction takes 17 to 40 ms (measured on the test database). The tables end as
    empty either way, in one transaction: Django makes every foreign key DEFERRABLE
    INITIALLY DEFERRED (the project's migrations add none that is not: pg_constraint),
    so the order of the deletes does not matter (one that was not would fail the flush
    at once, naming itself); the records' version is bumped by DELETE as by
    TRUNCATE (campaigns/records.py), and the audit trail's append-only triggers are
    lifted for the flush as before (_audit_triggers_allow_flush). What a flush leaves
    behind is dead rows until the next VACUUM (vacuum_now_and_then); the ballots'
    storage tests rewrite their tables (the scrub's CLUSTER) before they read them.
    Only the test process's flush: production never flushes."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncating = DatabaseOperations.sql_flush

    def sql_flush(
        self: DatabaseOperations,
        style: Any,
        tables: list[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if reset_sequences or not tables:  # Django's own (sequences need its statements)
            return truncating(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            # Names from Django's introspection of its own tables, quoted.
            *(f"DELETE FROM {self.quote_name(table)}" for table in tables),  # noqa: S608
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = truncating  # type: ignore[method-assign]


def close_what_ended_threads_left() -> None:
    """Close the database connections that threads of the tests opened and left open
    when they ended: a thread's connection is freed with its other objects only by the
    cyclic garbage collector, which runs seldom here (pytest_configure), and until then
    it is a session in the test database."""
    gc.collect()


def end_connections_left_open() -> list[str]:
    """End what is still connected to the PostgreSQL test database besides this
    connection, and name it (application, state, last query): PostgreSQL refuses to drop
    a database "being accessed by other users", and CI's PostgreSQL run failed so at its
    very end (twice on one machine, a collection before it or not)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 160) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        left = cursor.fetchall()
        for pid, *_ in left:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    return [f"pid {pid} ({app or 'no name'}, {state}): {query}" for pid, app, state, query in left]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest):
    """Before Playwright starts (its session-wide `playwright` fixture), and again just
    before it stops: see close_as_the_event_loop_comes_or_goes."""
    if fixturedef.argname != "playwright":
        return (yield)
    from pytest_django.plugin import blocking_manager_key

    blocker = request.config.stash[blocking_manager_key]

    def close() -> None:
        with blocker.unblock():
            close_as_the_event_loop_comes_or_goes()

    close()
    started = yield
    # Registered after the fixture's own teardown, so run before it (the last
    # registered runs first): while Playwright's event loop is still marked running.
    fixturedef.addfinalizer(close)
    return started


def close_as_the_event_loop_comes_or_goes() -> None:
    """Close this thread's database connections (but one inside a test's transaction,
    which is the test's to end). Playwright's synchronous API marks its event loop as
    running in this thread between its calls, and while it does, Django keeps the
    thread's connections apart, as an async context's (asgiref's Local). So a connection
    opened before Playwright starts is out of reach once it runs, and one opened while
    it runs is out of reach once it has stopped: either stayed open to the end of the
    run, idle, its last query `ROLLBACK` (a test's transaction), the connections
    end_connections_left_open found still attached to the PostgreSQL test database at
    runs' ends. Seen with per-test checks of pg_stat_activity (the first appeared at
    each worker's first browser test) and by recording where each connection was
    opened (the second: a database test's after the browser tests, left when the
    session ended Playwright before the databases). Called just before Playwright
    starts and just before it stops."""
    for each in connections.all(initialized_only=True):
        if not each.in_atomic_block:
            each.close()


@pytest.fixture(scope="module")
def org_and_cast_of_the_module(django_db_setup, django_db_blocker) -> Iterator[tuple[Org, Cast]]:
    """The organisation and cast built once for a module (kept_across_tests), for
    modules of many short tests such as the access table, where building them for every
    test cost more than the test itself. Hand tests deep copies of them."""
    with kept_across_tests(django_db_blocker):
        org = build_org()
        yield org, build_cast(org)


@pytest.fixture(autouse=True)
def _audit_triggers_allow_flush(request: pytest.FixtureRequest):
    """Live-server and transactional tests end with Django emptying every table, which
    the append-only audit triggers refuse; lift them for that flush, and restore them
    for the test itself."""
    marker = request.node.get_closest_marker("django_db")
    transactional_marker = marker is not None and marker.kwargs.get("transaction", False)
    if not (
        {"transactional_db", "live_server"} & set(request.fixturenames) or transactional_marker
    ):
        yield
        return
    request.getfixturevalue("transactional_db")
    triggers.install(connection)
    yield
    triggers.remove(connection)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional or live-server test has been flushed, put the audit
    triggers back (_audit_triggers_allow_flush lifted them for the flush): a test that
    ran after it on the same worker found an audit table that took updates (it happened
    once, when the order of tests on a worker differed). Between two modules, vacuum
    the PostgreSQL test database now and then (vacuum_now_and_then)."""
    try:
        return (yield)
    finally:
        flushed = _django_order(item) == 1
        between_modules = nextitem is not None and nextitem.path != item.path
        # (nextitem None: the databases are gone)
        if nextitem is not None and (flushed or between_modules):
            from pytest_django.plugin import blocking_manager_key

            with item.config.stash[blocking_manager_key].unblock():
                was_open = connection.connection is not None
                if flushed:
                    triggers.install(connection)
                if between_modules:
                    vacuum_now_and_then()
                if not was_open:  # leave no connection behind that the test had closed
                    connection.close()


VACUUM_EVERY = 15.0  # seconds; a vacuum took 0.03 to 0.2 s in a PostgreSQL run
_last_vacuum = [time.monotonic()]


def vacuum_now_and_then() -> None:
    """VACUUM the PostgreSQL test database between two modules, at most every
    VACUUM_EVERY seconds, as autovacuum would where the server runs it (`SHOW
    autovacuum` said off on each machine this was measured on). Every test's rows are
    rolled back, and a rolled-back row stays in its table's pages until a vacuum: late
    in a run a table was over a hundred times its data (study works: 4,300 pages,
    34 MB, for at most 1,200 rows), every query that reads a whole table slower and
    slower (the form fuzz, which counts every table after each refused post: 0.3 s a
    case at its start, 2.3 s at its end), and with statistics that counted a table of
    such pages empty (pg_class: 0 rows in 73 pages) the planner joined thousands of
    rows as if there were none: one query of the Word documents' test ran for over a
    minute. Vacuumed, an empty table gives its pages back, and the planner sizes it by
    what is there. Only outside any transaction (VACUUM cannot run in one): not while
    a module's kept data is open."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or _kept_blocks:
        return
    if time.monotonic() - _last_vacuum[0] < VACUUM_EVERY:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
    _last_vacuum[0] = time.monotonic()


@pytest.fixture
def db_file(tmp_path) -> Path | None:
    """For tests whose threads each open their own connection: on SQLite a file copy
    of the test database that every thread opens (the in-memory one is the main
    thread's alone); on PostgreSQL None, the test database itself (committed data).
    The ballot tests' own `db_file` also points the main thread at the copy."""
    from vanguard.ballots.tests.factories import copy_test_database_to

    if connection.vendor != "sqlite":
        return None
    path = tmp_path / "threads.sqlite3"
    copy_test_database_to(path)
    return path


@pytest.fixture(scope="session")
def _media_roots(tmp_path_factory) -> Iterator[Path]:
    """Empty folders, one per test, numbered in one temporary folder: asking
    tmp_path_factory for each one reads every folder it made before, which grew to
    seconds over the thousands of tests of a worker."""
    base = tmp_path_factory.mktemp("media")
    return (base / str(number) for number in itertools.count())


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, _media_roots):
    """Files uploaded by any test (study work, roster imports) land in a temporary
    folder of its own, never in var/media."""
    settings.MEDIA_ROOT = next(_media_roots)  # made by the storage on the first save


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, so that rate-limit counts (the suggestion
    box's, kept only in the cache) do not carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
