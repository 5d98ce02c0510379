"""Request types the views share."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has passed django-htmx's middleware (settings.MIDDLEWARE), so
    `request.htmx` is true for a request htmx made, with its target and trigger."""

    htmx: HtmxDetails
