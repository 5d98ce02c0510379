from tests.access import AccessRow

ROWS = [
    # The schema describes endpoints, never data: anyone may read it.
    AccessRow("api/v1/openapi.json", lambda f: "/api/v1/openapi.json", {}, default=200),
    AccessRow("api/v1/", lambda f: "/api/v1/", {}, default=404),
]
