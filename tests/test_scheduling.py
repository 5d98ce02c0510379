"""The schedule `pytest -n 2` runs by (tests/scheduling.py), played out on a run shaped
like the suite's SQLite run: two workers, xdist's own scheduler against ours, each test
taking the time it is given here. The workers behave as xdist's do: a worker runs a test
once it holds the test after it (or has been told to stop), and reports each one done."""

from __future__ import annotations

import heapq
from types import SimpleNamespace

import pytest
from xdist.scheduler import LoadScheduling

from tests.scheduling import BrowserTestsSpread, is_browser, is_walk


class Worker:
    def __init__(self, name: str) -> None:
        self.name = name
        self.gateway = SimpleNamespace(id=name)
        self.queue: list[int] = []
        self.stopping = False
        self.shutting_down = False
        self.ran: list[int] = []
        self.ids: list[str] = []
        self.most_browser_tests_held = 0  # queued (a test is sent when none runs)

    def send_runtest_some(self, indices: list[int]) -> None:
        self.queue.extend(indices)
        self.most_browser_tests_held = max(
            self.most_browser_tests_held,
            sum(is_browser(self.ids[i]) for i in self.queue),
        )

    def shutdown(self) -> None:
        self.stopping = True


def _config(workers: int) -> SimpleNamespace:
    options = {"tx": [f"{workers}*popen"], "maxschedchunk": 16}
    return SimpleNamespace(getvalue=options.__getitem__, getoption=options.__getitem__)


def play(scheduler_class: type[LoadScheduling], tests: list[tuple[str, float]]):
    """Runs `tests` (id, seconds) on two simulated workers; returns each worker's tests
    in the order it ran them, the time each one finished, and the most browser tests
    each held at once."""
    scheduler = scheduler_class(_config(2))
    workers = [Worker("gw0"), Worker("gw1")]
    ids = [nodeid for nodeid, _ in tests]
    for worker in workers:
        worker.ids = ids
        scheduler.add_node(worker)
    for worker in workers:
        scheduler.add_node_collection(worker, ids)
    scheduler.schedule()
    clock = {w.name: 0.0 for w in workers}
    ended = dict(clock)
    running: list[tuple[float, str]] = []  # (finishes at, worker)

    def start(worker: Worker) -> None:
        if worker.queue and (len(worker.queue) >= 2 or worker.stopping):
            index = worker.queue.pop(0)
            worker.ran.append(index)
            heapq.heappush(running, (clock[worker.name] + tests[index][1], worker.name))

    for worker in workers:
        start(worker)
    by_name = {w.name: w for w in workers}
    while running:
        now, name = heapq.heappop(running)
        worker = by_name[name]
        clock[name] = ended[name] = now
        scheduler.mark_test_complete(worker, worker.ran[-1], tests[worker.ran[-1]][1])
        for other in workers:  # a test sent to an idle worker starts now
            if other is worker or not any(n == other.name for _, n in running):
                clock[other.name] = max(clock[other.name], now)
                start(other)
    assert not scheduler.pending
    held = {w.name: w.most_browser_tests_held for w in workers}
    return {w.name: w.ran for w in workers}, ended, held


def quick_tests() -> list[tuple[str, float]]:
    return [(f"vanguard/a/test_{i // 20}.py::test_{i}", 0.1) for i in range(2400)]


def browser_tests() -> list[tuple[str, float]]:
    return [(f"tests/browser/test_journey_{i}.py::test_it[chromium]", 4.0) for i in range(40)]


def last_tests() -> list[tuple[str, float]]:
    return [(f"vanguard/lib/tests/test_error_reporting.py::test_{i}", 2.0) for i in range(4)]


def suite_shaped() -> list[tuple[str, float]]:
    """Like the SQLite run: 2,400 quick tests, then the three page walks (a minute
    each), then 40 browser tests of four seconds, then the tests that run last."""
    tests = quick_tests()
    tests += [
        ("tests/browser/test_accessibility.py::test_every_page[chromium-walk-en]", 65.0),
        ("tests/browser/test_phone_layout.py::test_no_page[chromium-walk-1-of-2]", 62.0),
        ("tests/browser/test_phone_layout.py::test_no_page[chromium-walk-2-of-2]", 57.0),
    ]
    return tests + browser_tests() + last_tests()


def test_a_walk_is_known_by_its_id():
    assert is_walk("tests/browser/test_phone_layout.py::test_no_page[chromium-walk-1-of-2]")
    assert is_walk("tests/browser/test_accessibility.py::test_every_page[chromium-walk-en]")
    assert not is_walk("tests/browser/test_walk-through.py::test_it[chromium]")
    assert not is_walk("vanguard/a/test_walk.py::test_walk")


def test_the_walks_go_to_both_workers_and_both_end_together():
    tests = suite_shaped()
    walks = {i for i, (nodeid, _) in enumerate(tests) if is_walk(nodeid)}
    last_four = set(range(len(tests) - 4, len(tests)))
    ran_by_xdist, ended_by_xdist, _held = play(LoadScheduling, tests)
    ran, ended, held = play(BrowserTestsSpread, tests)

    # xdist's own: the three walks in one chunk, on one worker, which ends a minute
    # after the other.
    assert sorted(len(walks & set(r)) for r in ran_by_xdist.values()) == [0, 3]
    assert max(ended_by_xdist.values()) - min(ended_by_xdist.values()) > 60
    # Ours: both workers walk, and end within a browser test of each other, half a
    # minute sooner.
    assert sorted(len(walks & set(r)) for r in ran.values()) == [1, 2]
    assert max(ended.values()) - min(ended.values()) <= 4
    assert max(ended.values()) < max(ended_by_xdist.values()) - 30
    # Every test runs once; each worker runs the others in the collection's order, and
    # its walks after every test before the walks and before the tests that run last.
    assert sorted(i for r in ran.values() for i in r) == list(range(len(tests)))
    for order in ran.values():
        others = [i for i in order if i not in walks]
        assert others == sorted(others)
        where = {index: position for position, index in enumerate(order)}
        for walk in walks & set(order):
            assert all(where[i] < where[walk] for i in order if i < min(walks))
            assert all(where[i] > where[walk] for i in last_four & set(order))


def test_a_worker_holds_at_most_two_browser_tests_at_a_time():
    """Like the PostgreSQL run (no walks): a worker that had run its tests down to the
    last got the next sixteen, browser tests one after another, and ran them on alone
    after the other had finished."""
    tests = [*quick_tests(), ("tests/test_word_documents.py::test_convert", 35.0)]
    tests += browser_tests()
    tests += [(f"tests/test_t{i}.py::test_it", 2.0) for i in range(20)] + last_tests()
    _ran, _ended, held_by_xdist = play(LoadScheduling, tests)
    ran, _ended, held = play(BrowserTestsSpread, tests)

    assert max(held_by_xdist.values()) > 10
    assert max(held.values()) == 2
    assert sorted(i for r in ran.values() for i in r) == list(range(len(tests)))
    for order in ran.values():
        assert order == sorted(order)


@pytest.mark.parametrize("walks_first", [True, False])
def test_a_run_of_nothing_but_walks_still_runs_them_all(walks_first):
    tests = [(f"tests/browser/test_w.py::test_w[chromium-walk-{i}]", 30.0) for i in range(5)]
    if not walks_first:
        tests.insert(0, ("tests/test_a.py::test_a", 1.0))
    ran, _ended, _held = play(BrowserTestsSpread, tests)
    assert sorted(i for r in ran.values() for i in r) == list(range(len(tests)))
