"""Settings of the test suite, chosen by name (pyproject's `[tool.pytest.ini_options]`
DJANGO_SETTINGS_MODULE), never by noticing that pytest is loaded.

The suite runs as a developer's machine: the development secret key, no HTTPS, files
served from their folders. pytest-django puts this module's name in the environment, so
the servers and commands a test starts (gunicorn, manage.py) run with it too, unless the
test drops DJANGO_SETTINGS_MODULE to ask for production's settings.
"""

from __future__ import annotations

import os

# Before the settings are read: they derive the secret key, the hosts, HTTPS and the
# static files from it. A test that starts a process with VANGUARD_DEVELOPMENT=0 (to see
# production refuse to start without a secret) keeps its 0.
os.environ.setdefault("VANGUARD_DEVELOPMENT", "1")

from config.settings import *  # noqa: E402, F403
from config.settings import env_float  # noqa: E402

# Thousands of logins: a hasher that costs nothing (production hashes with Argon2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No retry thread of the ballot storage scrub outliving its test: the tests that test it
# turn it on themselves.
BALLOTS_SCRUB_RETRY_SECONDS = env_float("VANGUARD_BALLOTS_SCRUB_RETRY_SECONDS", 0.0)

# Each process's own memory, whatever VANGUARD_CACHE_URL says: every test empties the
# cache (conftest.py), which on a shared Redis would empty a real instance's rate limits
# and sessions. The tests of the shared cache build their Redis clients themselves
# (vanguard/operations/tests/), under a key prefix of their own.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
