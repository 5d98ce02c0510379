"""The Chromium the browser tests drive: Debian's `chromium-headless-shell` (the same
build of Chromium as the `chromium` package, from the same source and of the same
version, in the headless shell that Playwright itself runs for headless tests).

`/usr/bin/chromium` run headless is the whole browser without a window: its history,
extensions and GPU rasterisation (Debian's wrapper turns these on), none of which a test
looks at, cost a third of the browser tests' time (tests/browser, 39 tests on two
workers: 413 s with it, 298 s with the shell, both passing). The pages are the same:
Blink and V8 of the same version, the same 360 px of layout width on a phone-sized
viewport, the same console messages (test_api_headers reads them).

`VANGUARD_CHROMIUM=/usr/bin/chromium` runs the tests in the whole browser instead; the
Makefile installs the shell and passes the same path on."""

from __future__ import annotations

import os

SHELL = "/usr/bin/chromium-headless-shell"
BROWSER = "/usr/bin/chromium"


def executable() -> str:
    """VANGUARD_CHROMIUM, else the shell where it is installed, else the browser."""
    chosen = os.environ.get("VANGUARD_CHROMIUM", "").strip()
    if chosen:
        return chosen
    return SHELL if os.path.exists(SHELL) else BROWSER
