"""JSON API for the person calling it."""

from ninja import Router

router = Router(tags=["accounts"])
