"""JSON API of the opinions app."""

from ninja import Router

router = Router(tags=["opinions"])
