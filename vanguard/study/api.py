"""JSON API of the study app."""

from ninja import Router

router = Router(tags=["study"])
