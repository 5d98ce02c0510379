"""JSON API of the opinions app."""

from ninja import Router

router = Router(tags=["opinions"])

from vanguard.opinions.api_feedback import router as feedback_router  # noqa: E402

router.add_router("", feedback_router)

from vanguard.opinions.api_sorting import router as sorting_router  # noqa: E402

router.add_router("", sorting_router)
