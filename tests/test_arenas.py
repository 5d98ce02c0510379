"""The suite's memory for frames and small objects stays with the process
(tests/arenas.py): what a developer notices is the suite's speed; what this checks is
the cause, page faults, which unlike time do not swing with the machine's load."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import arenas

ROOT = Path(__file__).resolve().parents[1]

# Calls that go 400 frames deep and back, 3,000 times: each time across the edges of
# the frame stack's 16 KiB chunks. Prints the page faults it took.
WORKLOAD = textwrap.dedent(
    """
    import resource, sys
    sys.path.insert(0, {root!r})
    from tests import arenas
    kept = {keep} and arenas.keep()
    def down(n):
        return 0 if n == 0 else down(n - 1) + 1
    down(400)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3000):
        assert down(400) == 400
    print(int(kept), resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)


def _faults(*, keep: bool) -> tuple[bool, int]:
    env = {**os.environ, "VANGUARD_TEST_KEEP_ARENAS": "1"}
    answer = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", WORKLOAD.format(root=str(ROOT), keep=keep)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    kept, faults = answer.stdout.split()
    return kept == "1", int(faults)


def test_calls_across_the_frame_stacks_chunks_take_no_new_memory_once_kept():
    plain_kept, plain = _faults(keep=False)
    kept, with_arenas_kept = _faults(keep=True)
    if not kept:
        pytest.skip("no C compiler or no Python headers here: the suite runs as before")
    assert not plain_kept
    assert plain > 3000, "the interpreter maps a new chunk at every crossing"
    assert with_arenas_kept < plain / 20


def test_the_suite_runs_with_its_arenas_kept_where_they_can_be_built():
    if os.environ.get("VANGUARD_TEST_KEEP_ARENAS") == "0" or arenas._built() is None:
        pytest.skip("turned off, or nothing here to build it with")
    assert arenas.kept()
