"""Page-numbered lists for the API: `?page=2&page_size=50`, answered as
`{"items": [...], "count": 123, "page": 2, "page_size": 50}`.

Use with `@paginate(Pagination)` on an endpoint that returns a queryset; the
queryset is counted once and sliced once, so a page costs two queries whatever
its size (given the endpoint's `select_related`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Past this the offset overflows the database's integers (page=2e17 answered 500):
# 100,000 pages of 200 is far more than any list here holds. Beyond it: 422.
MAX_PAGE = 100_000


class Pagination(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page"
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }
