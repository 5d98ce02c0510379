"""Field types for the API's input schemas.

`DateTime` and `Date`: dates the database and time-zone arithmetic can hold.
Python's datetime stops at years 1 and 9999, so `9999-12-31T23:59:59Z` or
`0001-01-01T00:00:00+14:00` overflow as soon as they are moved into the server's
time zone. Inputs are kept to the years 1900–2100 (`YEAR_RANGE`), far from both
edges and wide enough for every date this system records (joining dates,
meetings, campaigns); outside it the answer is a 422 naming the field.

`named(enum, "Name")`: the OpenAPI schema names an enum after its class, and the
models' choices share class names (`Meeting.Kind`, `StudyWork.Kind`, `Unit.Kind`
…); django-ninja keeps one schema per name, so the last one documented replaced
the others. Each enum taken by an endpoint is named here, uniquely
(`MeetingKind`, `StudyWorkKind`), and `vanguard.lib.api.openapi` refuses to
build a schema in which one name stands for two different things.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, Field, GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

YEAR_RANGE = (1900, 2100)
_EARLIEST = datetime.datetime(YEAR_RANGE[0], 1, 1, tzinfo=datetime.UTC)
_LATEST = datetime.datetime(YEAR_RANGE[1], 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC)
RANGE_TEXT = f"between {YEAR_RANGE[0]}-01-01 and {YEAR_RANGE[1]}-12-31"


def _out_of_range() -> PydanticCustomError:
    # The type names the error; errors.py says it in the caller's language.
    return PydanticCustomError(
        "date_out_of_range",
        "outside the years {low}-{high}",
        {
            "low": YEAR_RANGE[0],
            "high": YEAR_RANGE[1],
        },
    )


def _datetime_in_range(value: datetime.datetime) -> datetime.datetime:
    # A naive time is read in the server's zone, at most 14 hours away: the years
    # themselves are a safe test, and comparing in UTC is exact for an aware one.
    try:
        moment = value.astimezone(datetime.UTC) if value.tzinfo is not None else value
    except OverflowError:
        raise _out_of_range() from None
    if not (YEAR_RANGE[0] <= moment.year <= YEAR_RANGE[1]):
        raise _out_of_range()
    if value.tzinfo is not None and not (_EARLIEST <= moment <= _LATEST):
        raise _out_of_range()
    return value


def _date_in_range(value: datetime.date) -> datetime.date:
    if not (YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]):
        raise _out_of_range()
    return value


DateTime = Annotated[
    datetime.datetime,
    AfterValidator(_datetime_in_range),
    Field(json_schema_extra={"x-range": RANGE_TEXT}),
]
Date = Annotated[
    datetime.date,
    AfterValidator(_date_in_range),
    Field(json_schema_extra={"x-range": RANGE_TEXT}),
]


class SchemaName:
    """Annotated metadata giving a type its own name among the OpenAPI components."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        # pydantic names a definition after the last part of its reference.
        return {**schema, "ref": f"{self.name}"}  # type: ignore[return-value]

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> Any:
        result = handler(schema)
        target = handler.resolve_ref_schema(result)
        target["title"] = self.name
        return result
