"""Memory for the interpreter's frames and small objects that stays with the process.

CPython 3.11 keeps each thread's frames on a stack of 16 KiB chunks, each mapped from the
system (mmap) when a call needs one more and unmapped when that call returns; its 1 MiB
arenas of small objects come and go the same way. A request through Django runs some
150 frames deep and crosses those chunk edges up and down thousands of times: each time
a mmap, a munmap and four new pages for the kernel to zero. In the suite that was most of
its page faults (perf record -e page-faults: three quarters of them in
_PyThreadState_BumpFramePointerSlow), 55 of its 400 seconds of CPU spent in the
kernel, and a fifth of its time.

`keep()` points the interpreter's arena allocator at the C library's malloc, which keeps
freed memory for the next call (tests/keep_arenas.c, built once with the machine's C
compiler into var/test-arenas/). The same objects and frames, only where their memory
comes from changes. Where there is no compiler or no Python headers, or with
VANGUARD_TEST_KEEP_ARENAS=0, nothing changes: the suite runs as before, slower.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

SOURCE = Path(__file__).with_name("keep_arenas.c")
BUILT = Path(__file__).resolve().parents[1] / "var" / "test-arenas"

_kept = False


def kept() -> bool:
    """Whether this process's arenas come from malloc (keep() succeeded)."""
    return _kept


def keep() -> bool:
    """Install the allocator in this process, building it first if need be; False
    where it cannot be built or is turned off."""
    global _kept  # noqa: PLW0603 (once per process)
    if _kept:
        return True
    if os.environ.get("VANGUARD_TEST_KEEP_ARENAS", "1") == "0":
        return False
    if sys.implementation.name != "cpython":
        return False
    library = _built()
    if library is None:
        return False
    # PyDLL: called with the GIL held, as the allocator must be changed.
    _kept = bool(ctypes.PyDLL(str(library)).keep_arenas())
    return _kept


def _built() -> Path | None:
    include = sysconfig.get_paths()["include"]
    compiler = shutil.which(os.environ.get("CC") or "cc") or shutil.which("gcc")
    if compiler is None or not (Path(include) / "Python.h").exists():
        return None
    key = hashlib.sha256(SOURCE.read_bytes() + sys.version.encode() + include.encode())
    library = BUILT / f"keep_arenas-{key.hexdigest()[:16]}.so"
    if library.exists():
        return library
    BUILT.mkdir(parents=True, exist_ok=True)
    # Built beside its final name and renamed: the test workers start together.
    with tempfile.TemporaryDirectory(dir=BUILT) as scratch:
        made = Path(scratch) / library.name
        command = [compiler, "-O2", "-shared", "-fPIC", "-I", include, str(SOURCE), "-o", str(made)]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=60)  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            return None
        made.replace(library)
    return library
