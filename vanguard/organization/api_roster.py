"""JSON API for roster import."""

from ninja import Router

router = Router(tags=["roster"])
