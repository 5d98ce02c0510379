"""JSON API of the opinions app, at /api/v1/opinions/: each workflow keeps its own
router (feedback, sorting), added here."""

from ninja import Router

from vanguard.opinions.feedback.api import router as feedback_router
from vanguard.opinions.sorting.api import router as sorting_router

router = Router(tags=["opinions"])
router.add_router("", feedback_router)
router.add_router("", sorting_router)
