"""The site's error pages (config.urls.handler400/403/404/500), in the site's layout and
language, each with a way home. They say what happened in general terms only: never the
exception's text, which could name what a person may not see.

The answer to an unhandled error (handler500):

A request that meets a busy database — SQLite's "database is locked" after its busy
timeout, PostgreSQL's lock timeout, deadlock or serialisation failure — answers 503
with Retry-After and a page that says to try again in a moment: the request changed
nothing (its transaction rolled back) and a retry will do. Everything else is a 500.
Both are rendered without the request's context processors, which would query the
database again (no menu: the brand and the link home lead back).
"""

from __future__ import annotations

import sys

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils.translation import gettext as _

BUSY_SQLSTATES = {"55P03", "40P01", "40001"}  # lock not available, deadlock, serialisation
RETRY_AFTER_SECONDS = 5


def is_database_busy(error: BaseException | None) -> bool:
    if not isinstance(error, DatabaseError):
        return False
    if "database is locked" in str(error) or "database table is locked" in str(error):
        return True
    return getattr(error.__cause__, "sqlstate", None) in BUSY_SQLSTATES


def _texts(status: int) -> tuple[str, str]:
    return {
        400: (_("请求有误"), _("这个请求无法处理。请检查网址，或回到首页重新开始。")),
        403: (
            _("无权访问"),
            _("您的账号不能打开这个页面。如果您认为应当可以，请联系所在支部的书记或学院党委。"),
        ),
        404: (_("页面不存在"), _("没有找到这个页面：网址可能有误，或者它已被删除。")),
        500: (
            _("系统出错"),
            _("系统处理时出错，您的操作没有完成。请稍后再试；若仍出错，请联系学院党委。"),
        ),
    }[status]


def _page(request: HttpRequest, status: int, *, with_context: bool = True) -> HttpResponse:
    heading, explanation = _texts(status)
    context = {"status": status, "heading": heading, "explanation": explanation}
    template = loader.get_template("errors/error.html")
    if with_context:
        body = template.render(context, request)
    else:  # the database may be what failed: no context processors
        body = template.render({**context, "request": request, "csrf_token": get_token(request)})
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_database_busy(sys.exc_info()[1]):
        body = loader.get_template("errors/busy.html").render(
            {"retry": RETRY_AFTER_SECONDS, "request": request, "csrf_token": get_token(request)}
        )
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return _page(request, 500, with_context=False)
