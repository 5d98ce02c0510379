"""gunicorn's settings for Vanguard, used by every gunicorn command in the README:

    .venv/bin/gunicorn -c config/gunicorn.conf.py config.wsgi --bind 127.0.0.1:8000 --workers 4

Options given on the command line win over these.

gunicorn writes `Server: gunicorn` on every answer and has no setting to leave it out;
naming the server software only helps whoever looks for a known flaw in it, so the
HTTP/1 answer is sent without it. (The reverse proxy names itself separately: see the
README's deployment section, nginx's `server_tokens off`.)

Logging: gunicorn's own messages (start, workers, timeouts) go to standard error in
the application's one-line format, scrubbed the same way (config/logging.py):

    2026-12-05T19:30:01.123+08:00 INFO gunicorn.error [req=-] Booting worker with pid: 4242

There is no access log, even if `--access-logfile` is given: the reverse proxy keeps
the access log (without `/v/` paths, whose addresses hold a voting code; see
vanguard/ballots/README.md), and a second one here would hold every code.
"""

import os
import sys
from pathlib import Path

from gunicorn import glogging
from gunicorn.http import wsgi

# gunicorn puts its working directory on the path before reading this file; a
# `--chdir` elsewhere must still find the project's config package.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from config.logging import build_logging  # noqa: E402


class _UnnamedResponse(wsgi.Response):
    def default_headers(self) -> list[str]:
        return [
            line for line in super().default_headers() if not line.lower().startswith("server:")
        ]


# gunicorn's workers build each answer through wsgi.create(), which looks this name up
# at call time; the workers are forked from the process that read this file.
wsgi.Response = _UnnamedResponse  # type: ignore[misc]


class _NoAccessLog(glogging.Logger):
    """gunicorn's logger without its access log (see above)."""

    def access(self, resp, req, environ, request_time):  # type: ignore[no-untyped-def]
        return None


logger_class = _NoAccessLog
accesslog = None
errorlog = "-"
# The same level and time zone as the application's (config/settings.py reads them
# from the same variables, with the same defaults).
_logging = build_logging(
    level=os.environ.get("VANGUARD_LOG_LEVEL", "WARNING"),
    time_zone=os.environ.get("VANGUARD_TIME_ZONE", "Asia/Shanghai"),
)
_logging["loggers"] = {
    **_logging["loggers"],
    # gunicorn's messages through the root's scrubbed handler; its level stays
    # gunicorn's own (--log-level, "info" by default).
    "gunicorn.error": {"handlers": [], "propagate": True},
    "gunicorn.access": {"handlers": [], "propagate": False},
}
logconfig_dict = _logging
