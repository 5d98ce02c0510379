"""Optional error reporting to Sentry (or a server speaking its protocol, e.g. GlitchTip).

Off unless `VANGUARD_SENTRY_DSN` is set; then `sentry-sdk` must be installed
(`pip install vanguard[sentry]`), or start-up fails saying so. Reports carry the
exception and its stack without local variables, and nothing of the request but its
method, scrubbed URL and a few safe headers (`vanguard.lib.log_scrub.scrub_event`):
no body (`max_request_body_size="never"`), cookies, query string, user or address; no
performance traces. `/v/` paths, tokens in paths and PostgreSQL's quoted values are
replaced by placeholders as in the log.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from vanguard.lib.log_scrub import SAFE_HEADERS, scrub_breadcrumb, scrub_event


def _no_personal_data(sentry_sdk: Any) -> dict[str, Any]:
    """`send_default_pii=False`, in the words of the installed SDK: releases from 2.5x on
    deprecate it for `data_collection`, which is then set to collect nothing personal
    (the hooks below scrub in any case)."""
    if "data_collection" not in getattr(sentry_sdk.consts, "DEFAULT_OPTIONS", {}):
        return {"send_default_pii": False}
    return {
        "data_collection": {
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(SAFE_HEADERS)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "stack_frame_variables": False,
        }
    }


def sentry_init(*, dsn: str, transport: Any = None, **options: Any) -> None:
    """Starts Sentry's SDK with the scrubbing hooks. `transport` is for the tests (a
    transport that keeps the envelopes instead of sending them)."""
    try:
        sentry_sdk = importlib.import_module("sentry_sdk")
    except ImportError as missing:
        raise ImproperlyConfigured(
            "VANGUARD_SENTRY_DSN is set but sentry-sdk is not installed: "
            "install it with `pip install 'vanguard[sentry]'` (or `pip install sentry-sdk`), "
            "or unset VANGUARD_SENTRY_DSN."
        ) from missing
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        **_no_personal_data(sentry_sdk),
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=0,
        **options,
    )
