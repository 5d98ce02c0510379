"""The JSON API at /api/v1/. Endpoints live in each app's api.py; this wires them."""

from ninja import NinjaAPI

from vanguard.accounts.api import router as accounts_router
from vanguard.organization.api import router as organization_router
from vanguard.organization.api_roster import router as roster_router

# No interactive docs page: it loads scripts from a CDN and inline, which the CSP forbids.
api = NinjaAPI(title="Vanguard API", version="1", urls_namespace="api-1", docs_url=None)
api.add_router("/accounts/", accounts_router)
api.add_router("/org/", organization_router)
api.add_router("/roster/", roster_router)
