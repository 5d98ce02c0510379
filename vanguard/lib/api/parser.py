"""The API's JSON body parser: JSON only under a JSON content type, and no text that
a database column cannot hold.

django-ninja turns any exception raised here into its own 400 ("Cannot parse
request body") with the exception as the cause; `vanguard/lib/api/errors.py`
looks at that cause and answers 415 for the wrong content type, or 422 naming
the field that holds a NUL character or a lone surrogate (PostgreSQL refuses
both in text; the JSON escapes `\\u0000` and `\\ud800` carry them), or an integer
no database column here can hold (beyond 64 bits: SQLite raised OverflowError).
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

# A NUL, or a surrogate code point: json.loads joins a proper pair into one
# character, so any surrogate left in a decoded string stands alone.
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
# The largest integer a column here holds (bigint); no identifier or count comes near.
MAX_INTEGER = 2**63 - 1


class UnsupportedMediaType(Exception):
    """A body sent as something other than JSON to an endpoint that reads JSON."""

    def __init__(self, content_type: str) -> None:
        self.content_type = content_type
        super().__init__(content_type)


class BadCharacter(Exception):
    """A value no database column can hold, at `field` (e.g. "absent.0.reason"):
    `kind` is "nul", "surrogate" (in a string or key) or "integer" (out of range)."""

    def __init__(self, field: str, kind: str) -> None:
        self.field = field
        self.kind = kind
        super().__init__(field)


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or (
        content_type.startswith("application/") and content_type.endswith("+json")
    )


def _character_kind(text: str) -> str | None:
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return None
    return "nul" if found.group() == "\x00" else "surrogate"


def find_bad_character(value: Any, path: tuple[str, ...] = ()) -> BadCharacter | None:
    """The first string, key or integer in decoded JSON that no column can hold."""
    if isinstance(value, str):
        kind = _character_kind(value)
        if kind is not None:
            return BadCharacter(".".join(path) or "body", kind)
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_INTEGER:
            return BadCharacter(".".join(path) or "body", "integer")
    elif isinstance(value, dict):
        for key, item in value.items():
            kind = _character_kind(key)
            if kind is not None:
                return BadCharacter(".".join((*path, _BAD_CHARACTER.sub("", key))), kind)
            bad = find_bad_character(item, (*path, key))
            if bad is not None:
                return bad
    elif isinstance(value, list):
        for index, item in enumerate(value):
            bad = find_bad_character(item, (*path, str(index)))
            if bad is not None:
                return bad
    return None


class StrictJsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        content_type = request.content_type or ""
        if not is_json(content_type):
            raise UnsupportedMediaType(content_type)
        data = json.loads(request.body)
        bad = find_bad_character(data)
        if bad is not None:
            raise bad
        return cast(DictStrAny, data)
