"""The site's answer to an unhandled error (config.urls.handler500).

A request that meets a busy database — SQLite's "database is locked" after its busy
timeout, PostgreSQL's lock timeout, deadlock or serialisation failure — answers 503
with Retry-After and a page that says to try again in a moment: the request changed
nothing (its transaction rolled back) and a retry will do. Everything else is Django's
500. The busy page is rendered without the request's context processors, which would
query the database again.
"""

from __future__ import annotations

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views import defaults

BUSY_SQLSTATES = {"55P03", "40P01", "40001"}  # lock not available, deadlock, serialisation
RETRY_AFTER_SECONDS = 5


def is_database_busy(error: BaseException | None) -> bool:
    if not isinstance(error, DatabaseError):
        return False
    if "database is locked" in str(error) or "database table is locked" in str(error):
        return True
    return getattr(error.__cause__, "sqlstate", None) in BUSY_SQLSTATES


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if is_database_busy(sys.exc_info()[1]):
        body = loader.get_template("errors/busy.html").render({"retry": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request, template_name=template_name)
