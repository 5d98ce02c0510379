"""JSON API for units and members (read)."""

from ninja import Router

router = Router(tags=["organization"])
