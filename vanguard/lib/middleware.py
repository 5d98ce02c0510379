"""Middleware that guards every request and answer, pages and API alike.

`RefuseBadCharactersMiddleware` refuses, once for the whole site, text that no
database column can hold: a NUL character (`\\x00`, `%00` in a URL) in the path,
the query string or a posted form (PostgreSQL refuses NUL in text; SQLite would
store it and every later reader would trip on it). The answer is a 400 naming the
field, in the user's language, before any view runs, so nothing is written. JSON
bodies are checked by the API's parser (`vanguard/api/`), where lone surrogates
(`"\\ud800"`) can arrive too; Django decodes URLs and forms with replacement
characters, so those cannot carry a surrogate.

`PrivateAnswersMiddleware` marks every answer given to a signed-in person (a
session cookie or an API token), or one that sets a cookie,
`Cache-Control: private, no-store`: a shared proxy or the browser's
back-button cache must not keep a member's pages. Public static files stay
cacheable. It also sends a strict `Permissions-Policy`: no page uses the camera,
microphone, location, payment, USB or any other powerful feature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import patch_cache_control
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

NUL = "\x00"

# Every feature a browser lets a page ask for, denied to all origins (our own too):
# those Chromium knows (it warns in the console about any name it does not).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "speaker-selection",
        "usb",
        "xr-spatial-tracking",
    )
)

API_PREFIX = "/api/"


def _first_bad_field(pairs: Iterable[tuple[str, list[str]]]) -> str | None:
    for key, values in pairs:
        if NUL in key:
            return key.replace(NUL, "")
        if any(NUL in value for value in values):
            return key
    return None


def bad_character_message() -> str:
    return _("含有不允许的字符（空字符 NUL），请删除后重试")


def refusal(request: HttpRequest, field: str) -> HttpResponse:
    """A 400 naming `field`: the API's JSON error shape under /api/, a short page elsewhere."""
    message = bad_character_message()
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(
            {
                "detail": _("请求有误"),
                "errors": [{"field": field, "message": message}],
            },
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    title = _("请求有误")
    # Escaped: the field name is the caller's own text.
    return HttpResponseBadRequest(
        format_html(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title>'
            "</head><body><h1>{}</h1><p>{}</p></body></html>",
            get_language() or settings.LANGUAGE_CODE,
            title,
            title,
            _("“%(field)s”含有不允许的字符（空字符 NUL），请删除后重试") % {"field": field},
        ),
        content_type="text/html; charset=utf-8",
    )


class RefuseBadCharactersMiddleware:
    """400 for a NUL character in the path, the query string or a posted form."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = self.bad_field(request)
        if field is not None:
            return refusal(request, field)
        return self.get_response(request)

    def bad_field(self, request: HttpRequest) -> str | None:
        if NUL in request.path:
            return _("网址")
        field = _first_bad_field(request.GET.lists())
        if field is not None:
            return field
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            # (Django drops unprintable characters from uploaded files' names itself.)
            try:
                field = _first_bad_field(request.POST.lists())
            except MultiPartParserError:
                # Django would answer 500 later for the same unreadable body.
                return None
        return field


def _says_no_store(response: HttpResponse) -> bool:
    directives = response.get("Cache-Control", "").lower().split(",")
    return "no-store" in {directive.strip() for directive in directives}


class PrivateAnswersMiddleware:
    """`Cache-Control: private, no-store` for answers that belong to one person, and a
    strict `Permissions-Policy` on every answer. Placed before WhiteNoise, so that
    static files get the policy too but keep their own (public) caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # An answer already marked no-store (a view's own choice) is kept by no cache.
        if self.is_private(request, response) and not _says_no_store(response):
            patch_cache_control(response, private=True, no_store=True)
        return response

    def is_private(self, request: HttpRequest, response: HttpResponse) -> bool:
        if request.path_info.startswith(self.static_prefix):
            return False
        # Whether the answer can depend on who asked: only through a session cookie or
        # an API token (every request reads the session, so `session.accessed` says
        # nothing). An answer that sets a cookie (a new session, the CSRF token) is
        # one person's too.
        return bool(
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or "HTTP_AUTHORIZATION" in request.META
            or response.cookies
        )
