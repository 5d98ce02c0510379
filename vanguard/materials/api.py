"""JSON API of materials, at /api/v1/materials/: each workflow keeps its own router,
added here, under the same access rules as its pages (`access.py`)."""

from ninja import Router

router = Router(tags=["materials"])
