"""JSON API of the notices app."""

from ninja import Router

router = Router(tags=["notices"])
