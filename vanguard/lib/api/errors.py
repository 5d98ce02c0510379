"""One JSON shape for every API error, in the caller's language (Chinese first):

    {"detail": "数据有误", "errors": [{"field": "page", "message": "应为整数"}]}

`detail` is always there; `errors` lists what is wrong, each item naming the
`field` (or the `row` and `column` of an uploaded file) at fault. No stack trace
or internal detail ever reaches the caller, and a 404 never says whether the
object exists outside the caller's scope.

Endpoint code raises what views raise — `Http404`, `PermissionDenied`,
Django's `ValidationError` — or `ApiError` for anything else, and this module
turns it into the response.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.core import signals
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from vanguard.lib.api.parser import BadCharacter, UnsupportedMediaType

logger = logging.getLogger("vanguard.api")


class ErrorItem(Schema):
    field: str | None = None
    row: int | None = None
    column: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class ApiError(Exception):
    """An error with a status, a translated `detail` and optional items
    (dicts with "message" and "field" or "row"/"column")."""

    def __init__(
        self, status: int, detail: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        self.status = status
        self.detail = detail
        self.errors = errors or []
        super().__init__(detail)


# Pydantic's error types, said in Chinese (msgids, translated at use).
_PYDANTIC_MESSAGES = {
    "missing": gettext_noop("必填"),
    "int_parsing": gettext_noop("应为整数"),
    "int_type": gettext_noop("应为整数"),
    "int_parsing_size": gettext_noop("数值超出范围"),
    "float_parsing": gettext_noop("应为数字"),
    "bool_parsing": gettext_noop("应为是或否"),
    "string_too_long": gettext_noop("过长"),
    "string_too_short": gettext_noop("过短"),
    "greater_than_equal": gettext_noop("过小"),
    "greater_than": gettext_noop("过小"),
    "less_than_equal": gettext_noop("过大"),
    "less_than": gettext_noop("过大"),
    "enum": gettext_noop("不是可选的值"),
    "literal_error": gettext_noop("不是可选的值"),
    "date_from_datetime_parsing": gettext_noop("应为日期（YYYY-MM-DD）"),
    "date_parsing": gettext_noop("应为日期（YYYY-MM-DD）"),
    "json_invalid": gettext_noop("不是有效的 JSON"),
    "datetime_parsing": gettext_noop("应为日期时间（YYYY-MM-DDTHH:MM:SS，可带时区）"),
    "datetime_from_date_parsing": gettext_noop("应为日期时间（YYYY-MM-DDTHH:MM:SS，可带时区）"),
    "date_out_of_range": gettext_noop("日期应在 1900 年至 2100 年之间"),
}


# The few messages django-ninja raises itself, in English.
_NINJA_MESSAGES = {
    "Cannot parse request body": gettext_noop("请求内容无法解析，应为有效的 JSON"),
}


def _pydantic_message(error_type: str) -> str:
    return _(_PYDANTIC_MESSAGES.get(error_type, gettext_noop("取值无效")))


_INTEGER = re.compile(r"\s*[+-]?\d+\s*")
_LARGEST_COLUMN_INTEGER = 2**31 - 1  # PostgreSQL's integer; bigint columns hold more


def _is_large_integer(text: str) -> bool:
    if not _INTEGER.fullmatch(text):
        return False
    digits = text.strip().lstrip("+-").lstrip("0")
    # Thousands of digits are beyond int()'s default limit, and beyond any column.
    return len(digits) > 10 or int(digits or "0") > _LARGEST_COLUMN_INTEGER


def _body(detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"detail": str(detail), "errors": errors or []}


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`, replacing django-ninja's English defaults."""

    def respond(
        request: HttpRequest, status: int, detail: str, errors: list[dict[str, Any]] | None = None
    ) -> HttpResponse:
        return api.create_response(request, _body(detail, errors), status=status)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, _("未找到"))

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 403, _("无权执行此操作"))

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        response = respond(request, 401, _("未登录，或 API 令牌无效、已撤销"))
        response["WWW-Authenticate"] = 'Bearer realm="vanguard"'
        return response

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # The body parser's refusals reach here as the cause of ninja's "Cannot parse".
        cause = exc.__cause__
        if isinstance(cause, UnsupportedMediaType):
            return respond(request, 415, _("请求内容应以 application/json 发送"))
        if isinstance(cause, BadCharacter):
            message = {
                "nul": _("含有不允许的字符（空字符 NUL），请删除后重试"),
                "surrogate": _("含有无效的字符（不成对的 UTF-16 代理项），请删除后重试"),
            }.get(cause.kind) or _("数值超出范围")
            errors = [{"field": cause.field, "message": message}]
            return respond(request, 422, _("数据有误"), errors)
        # Our own code passes translated messages; ninja's few built-in ones are English.
        if exc.status_code == 429:
            detail = _("请求过于频繁，请稍后再试")
        elif exc.message in _NINJA_MESSAGES:
            detail = _(_NINJA_MESSAGES[exc.message])
        else:
            detail = exc.message
        return respond(request, exc.status_code, detail)

    def api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc.status, exc.detail, exc.errors)

    def django_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        errors: list[dict[str, Any]] = []
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                name = None if field == "__all__" else field
                errors.extend({"field": name, "message": m} for m in messages)
        else:
            errors.extend({"field": None, "message": m} for m in exc.messages)
        return respond(request, 422, _("数据有误"), errors)

    def ninja_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = []
        for error in exc.errors:
            location = [str(part) for part in error.get("loc", ())]
            # ("query", "page") → "page"; ("body", "payload", "name") → "name", the
            # name in the JSON the caller sent (not the endpoint's parameter name).
            parts = location[2:] if location[:1] == ["body"] and len(location) > 2 else location[1:]
            field = ".".join(parts) or (location[0] if location else None)
            errors.append({"field": field, "message": _pydantic_message(error.get("type", ""))})
        return respond(request, 422, _("数据有误"), errors)

    def database_out_of_range(request: HttpRequest, exc: Any) -> HttpResponse:
        # An integer query parameter too large for the database's columns (SQLite:
        # OverflowError past 64 bits; PostgreSQL: out of range for an integer column).
        # Query parameters are not typed here, so the numbers are found after the fact;
        # an error with no such number in the query is a server error as any other.
        fields = [
            name
            for name, values in request.GET.lists()
            if any(_is_large_integer(value) for value in values)
        ]
        if not fields:
            return unexpected(request, exc)
        errors = [{"field": name, "message": _("数值超出范围")} for name in fields]
        return respond(request, 422, _("数据有误"), errors)

    def unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        # As Django does for views: lets the test client re-raise, and error reporters see it.
        signals.got_request_exception.send(sender=None, request=request)
        return respond(request, 500, _("服务器内部错误，请稍后再试"))

    api.add_exception_handler(Exception, unexpected)
    api.add_exception_handler(OverflowError, database_out_of_range)
    api.add_exception_handler(DataError, database_out_of_range)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(DjangoValidationError, django_invalid)
    api.add_exception_handler(NinjaValidationError, ninja_invalid)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(ApiError, api_error)
