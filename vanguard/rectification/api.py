"""JSON API of rectification, at /api/v1/rectification/: each workflow keeps its own
router, added here, under the same access rules as its pages (`access.py`)."""

from ninja import Router

from vanguard.rectification.activities.api import router as activities_router
from vanguard.rectification.plans.api import router as plans_router

router = Router(tags=["rectification"])
router.add_router("", plans_router)
router.add_router("", activities_router)
