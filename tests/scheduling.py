"""How `pytest -n` hands the tests to its workers: xdist's load scheduling, except that
a browser test ends the chunk it is in, and the page walks are kept apart.

xdist hands tests out in chunks of consecutive tests (up to 16, conftest), and a worker
runs its chunk to the end, whatever the other worker is doing. The browser tests are
consecutive in the order and take seconds each (the page walks a minute): in the SQLite
run the three walks went out in one chunk, and one worker walked for three minutes
after the other had run everything else (344 s of tests on one worker, 202 s on the
other); on PostgreSQL one worker got the browser tests chunk after chunk and ran on 40 s
after the other. Here a browser test is the last of its chunk (with one more: a worker
runs a test once it holds the next), so each worker holds at most two at a time, and a
worker already holding a walk gets the tests after the next walk instead: each walk
goes to a worker that is not walking.

The controller that schedules never collects the tests (the workers do), so it knows
them only by their ids: a browser test lives in tests/browser/ (the `browser` mark is
given by that folder), and a page walk's parametrisation id holds WALK (conftest
refuses a `page_walk` test without it).
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadScheduling

BROWSER = "tests/browser/"
WALK = "walk-"


def is_walk(nodeid: str) -> bool:
    """Whether the test with this id is a page walk ("…[chromium-walk-1-of-2]")."""
    _, bracket, params = nodeid.partition("[")
    return bool(bracket) and WALK in params


def is_browser(nodeid: str) -> bool:
    return nodeid.startswith(BROWSER)


class BrowserTestsSpread(LoadScheduling):
    """LoadScheduling whose chunks end at a browser test, once the worker holds two
    tests, and which never gives a worker a second walk while it holds one: it gets
    the tests after the next walk instead. The walks come first among the
    transactional tests (conftest), so a worker may run a walk after some of those,
    never after a test of an earlier kind; the other tests each worker runs stay in
    the collection's order."""

    def _send_tests(self, node: Any, num: int) -> None:
        collection = self.collection or []
        held = self.node2pending[node]
        walking = any(is_walk(collection[i]) for i in held)
        chosen: list[int] = []
        ends = False  # a browser test was taken: the chunk ends once the worker holds two
        for index in self.pending:
            if len(held) + len(chosen) >= 2 and (ends or len(chosen) >= num):
                break
            nodeid = collection[index]
            if is_walk(nodeid):
                if walking:
                    continue
                walking = True
            ends = ends or is_browser(nodeid)
            chosen.append(index)
        if len(held) + len(chosen) < 2:
            # Nothing but walks left, and the worker needs a test after its last to run
            # it: the next walk, as xdist would have sent it.
            chosen += [i for i in self.pending if i not in chosen][: 2 - len(held) - len(chosen)]
        if chosen:
            taken = set(chosen)
            self.pending[:] = [i for i in self.pending if i not in taken]
            held.extend(chosen)
            node.send_runtest_some(chosen)
