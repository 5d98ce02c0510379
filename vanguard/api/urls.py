"""The JSON API at /api/v1/. Endpoints live in each app's api.py; this wires them."""

from ninja import NinjaAPI

api = NinjaAPI(title="Vanguard API", version="1", urls_namespace="api-1")
