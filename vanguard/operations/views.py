"""/healthz: for systemd, the proxy and the deploy check, not for people.

No login, GET only, and nothing written: no session, no cookie, nothing kept by any
cache (`Cache-Control: no-store`). It answers over plain HTTP as well (settings:
SECURE_REDIRECT_EXEMPT), so that a probe on loopback need not speak TLS.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from vanguard.operations import health


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with `"status": "ok"` when every check passed, else 503 with `"fail"`."""
    answer = health.report()
    response = JsonResponse(answer, status=200 if answer["status"] == "ok" else 503)
    response["Cache-Control"] = "no-store"
    return response
