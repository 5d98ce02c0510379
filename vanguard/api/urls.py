"""The JSON API at /api/v1/. Endpoints live in each app's api.py; this wires them.

Authentication is set here, once, for every router (see `vanguard/api/auth.py`):
a bearer token or the browser session. Only the OpenAPI schema is public.
Errors share one JSON shape (see `vanguard/lib/api/errors.py`); JSON bodies must be
sent as application/json, and unknown paths answer the JSON 404
(`vanguard/lib/api/openapi.py`).
"""

from vanguard.accounts.api import router as accounts_router
from vanguard.api.auth import api_auth
from vanguard.campaigns.api import router as campaigns_router
from vanguard.grading.api import router as grading_router
from vanguard.lib.api import errors
from vanguard.lib.api.openapi import VanguardAPI
from vanguard.materials.api import router as materials_router
from vanguard.meetings.api import router as meetings_router
from vanguard.opinions.api import router as opinions_router
from vanguard.organization.api import router as organization_router
from vanguard.organization.api_roster import router as roster_router
from vanguard.rectification.api import router as rectification_router
from vanguard.reviews.api import router as reviews_router
from vanguard.study.api import router as study_router
from vanguard.supervision.api import router as supervision_router

# No interactive docs page: it loads scripts from a CDN and inline, which the CSP forbids.
api = VanguardAPI(
    title="Vanguard API",
    version="1",
    description=(
        "Vanguard JSON API. Authenticate with a personal token "
        "(`Authorization: Bearer vg_…`, made at /accounts/tokens/) or the browser session "
        "(unsafe methods need the CSRF token). Errors: "
        '`{"detail": "…", "errors": [{"field": "…", "message": "…"}]}`. '
        "Bodies are JSON sent as `application/json` (415 otherwise); text may not hold "
        "NUL characters or lone surrogates (422 naming the field); dates and times lie "
        "between 1900-01-01 and 2100-12-31; `page` runs from 1 to 100,000."
    ),
    urls_namespace="api-1",
    docs_url=None,
    auth=api_auth(),
)
errors.install(api)
api.add_router("/accounts/", accounts_router)
api.add_router("/org/", organization_router)
api.add_router("/roster/", roster_router)
api.add_router("/campaigns/", campaigns_router)
api.add_router("/study/", study_router)
api.add_router("/meetings/", meetings_router)
api.add_router("/opinions/", opinions_router)
api.add_router("/reviews/", reviews_router)
api.add_router("/grading/", grading_router)
api.add_router("/supervision/", supervision_router)
api.add_router("/rectification/", rectification_router)
api.add_router("/materials/", materials_router)
