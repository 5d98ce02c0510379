"""`VanguardAPI`: django-ninja's `NinjaAPI` with what every endpoint shares.

- JSON bodies only under a JSON content type, without NUL characters or lone
  surrogates (`vanguard.lib.api.parser`).
- Any path under the API's root that names no endpoint answers the API's JSON 404
  (not the site's HTML page); a path missing only its final slash is redirected
  for GET and HEAD, as Django's APPEND_SLASH did before. A method an endpoint does
  not have is a 405 in the same JSON shape.
- A truthful OpenAPI schema: one name stands for one schema (building a schema in
  which two different enums or models share a name fails, instead of silently
  documenting one of them for both), and every operation lists the error answers
  any endpoint can give in the shape of `ErrorOut`: 400 (a request the server
  cannot read), 401, 403, 404, 422 and, for a JSON body, 415.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, URLPattern, URLResolver, re_path, resolve
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from vanguard.lib.api.errors import ErrorOut
from vanguard.lib.api.parser import StrictJsonParser

NOT_FOUND_URL_NAME = "not-found"
JSON = "application/json; charset=utf-8"

# What any operation may answer besides its own documented statuses.
COMMON_ERRORS = {
    400: "Bad request (e.g. a NUL character in the query string)",
    401: "Not signed in, or the API token is invalid or revoked",
    403: "Not allowed, or the CSRF token is missing (session)",
    404: "Not found",
    422: "Invalid data: each item of `errors` names the field",
}
JSON_BODY_ERRORS = {415: "The body is not sent as application/json"}


class StrictOpenAPISchema(OpenAPISchema):
    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise ImproperlyConfigured(
                    f"Two different schemas are named {name!r} in the OpenAPI schema: give "
                    "each a name of its own (an enum: vanguard.lib.api.fields.SchemaName; "
                    "a model: rename the class)."
                )
        super().add_schema_definitions(definitions)

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        result = super().operation_details(operation)
        errors = dict(COMMON_ERRORS)
        body = result.get("requestBody", {}).get("content", {})
        if "application/json" in body:
            errors.update(JSON_BODY_ERRORS)
        responses = result["responses"]
        for status, description in errors.items():
            if status not in responses:
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": self._error_schema()}},
                }
        return result

    def _error_schema(self) -> dict[str, Any]:
        schema = ErrorOut.model_json_schema(
            ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
        )
        self.add_schema_definitions({**schema.pop("$defs", {}), "ErrorOut": schema})
        return {"$ref": REF_TEMPLATE.format(model="ErrorOut")}


class VanguardAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", StrictJsonParser())
        super().__init__(**kwargs)
        self._schemas: dict[tuple[str, str | None], OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The schema, built once for each path prefix and language: building it took
        a third of a second on every request for /openapi.json. The operations cannot
        change after it (django-ninja refuses routers added once they are bound), and
        it is only read (serialised as the answer): keep it so."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        schema = self._schemas.get(key)
        if schema is None:
            schema = self._schemas[key] = StrictOpenAPISchema(self, path_prefix)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern):
                url.callback = self._json_not_allowed(url.callback)
        urls.append(re_path(r"^.*$", self.not_found, name=NOT_FOUND_URL_NAME))
        return urls

    def _json_not_allowed(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """django-ninja answers a method an endpoint lacks with a plain-text 405."""

        @functools.wraps(view)  # keeps csrf_exempt and the other marks
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if response.status_code != 405 or response.get("Content-Type") == JSON:
                return response
            answer = self.create_response(
                request, {"detail": _("不支持此请求方法"), "errors": []}, status=405
            )
            answer["Allow"] = response.get("Allow", "")
            return answer

        return wrapped

    def not_found(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
            try:
                match = resolve(request.path_info + "/")
            except Resolver404:
                match = None
            if match is not None and match.url_name != NOT_FOUND_URL_NAME:
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
        return self.create_response(request, {"detail": _("未找到"), "errors": []}, status=404)
