"""JSON API of supervision, at /api/v1/supervision/: each workflow keeps its own
router, added here, under the same access rules as its pages (`access.py`)."""

from ninja import Router

from vanguard.supervision.inspection.api import router as inspection_router
from vanguard.supervision.notes.api import router as notes_router
from vanguard.supervision.remediation.api import router as remediation_router
from vanguard.supervision.reports.api import router as reports_router
from vanguard.supervision.watch.api import router as watch_router

router = Router(tags=["supervision"])
router.add_router("", inspection_router)
router.add_router("", notes_router)
router.add_router("", remediation_router)
router.add_router("", watch_router)
router.add_router("", reports_router)
