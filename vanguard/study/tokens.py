"""The rotating code behind a study session's sign-in QR code (扫码签到).

The code proves presence in the room; the member's login proves who they are. A
code is an HMAC of the session and a 30-second time window, with a key derived
from SECRET_KEY: nothing is stored per code, a code cannot be forged without the
key, and it stops working one window after the projector stopped showing it.
"""

from __future__ import annotations

import time

from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
_SALT = "vanguard.study.signin"


def current_window(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // WINDOW_SECONDS)


def make_token(session_id: int, window: int | None = None) -> str:
    window = current_window() if window is None else window
    digest = salted_hmac(_SALT, f"{session_id}:{window}", algorithm="sha256").hexdigest()
    return f"{window}-{digest[:24]}"


def check_token(session_id: int, token: str, now: float | None = None) -> bool:
    """True for the code of the current window or the one before it."""
    window_text, _, _digest = (token or "").partition("-")
    if not window_text.isdigit() or len(window_text) > 12:
        return False
    window = int(window_text)
    if window not in (current_window(now), current_window(now) - 1):
        return False
    return constant_time_compare(token, make_token(session_id, window))
