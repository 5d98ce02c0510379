"""The log's configuration, for Django (config/settings.py) and gunicorn
(config/gunicorn.conf.py) alike: one line per event on standard error,

    2026-12-05T19:30:01.123+08:00 WARNING django.request [req=3f2a9c1b] Not Found: /v/…

with secrets scrubbed on every handler (vanguard/lib/log_scrub.py says what and how).
systemd's journal (or the container runtime) keeps standard error.

Two rules hold whatever the level:
- `django.db.backends` never logs SQL: statements with their values, in time order,
  would pair a card's code hash with the ballot written in the same transaction, and
  hold every opinion's text.
- `django.server` (runserver's access log, paths with codes) is silent.

No Django settings are read here: the gunicorn master has none.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ImproperlyConfigured

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def build_logging(*, level: str = "WARNING", time_zone: str = "UTC") -> dict[str, Any]:
    """The `logging.config.dictConfig` dictionary for `level` (a level's name)."""
    level = level.strip().upper()
    if level not in LEVELS:
        raise ImproperlyConfigured(
            f"VANGUARD_LOG_LEVEL must be one of {', '.join(LEVELS)}, not {level!r}"
        )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"scrub": {"()": "vanguard.lib.log_scrub.ScrubFilter"}},
        "formatters": {
            "line": {"()": "vanguard.lib.log_scrub.LineFormatter", "time_zone": time_zone}
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "line",
                "filters": ["scrub"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's default configuration gives "django" handlers of its own (a
            # console in DEBUG, mail to ADMINS) that print the raw message: none here,
            # everything goes through the root's scrubbed handler.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "propagate": False},
            "django.db.backends": {"level": max(logging.INFO, logging.getLevelName(level))},
        },
    }
