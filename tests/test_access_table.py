"""Every URL × every role, from the tables in each app (see tests/access.py)."""

from __future__ import annotations

import importlib
import pkgutil
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import vanguard
from tests.access import ROLES, AccessRow

# URLs that belong to Django or third parties and are not ours to table. The admin
# is tabled, every page of every registered model (accounts/tests/access_table_admin.py).
IGNORED_PREFIXES = ("i18n/", "static/", "__debug__/")


def _collect_rows() -> list[AccessRow]:
    """Every `vanguard/<app>/tests/access_table*.py` module's ROWS."""
    rows: list[AccessRow] = []
    for app in pkgutil.iter_modules(vanguard.__path__):
        try:
            tests = importlib.import_module(f"vanguard.{app.name}.tests")
        except ModuleNotFoundError:
            continue
        for module in pkgutil.iter_modules(tests.__path__):
            if module.name.startswith("access_table"):
                rows.extend(importlib.import_module(f"{tests.__name__}.{module.name}").ROWS)
    return rows


ROWS = _collect_rows()


def _routes(resolver=None, prefix: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    found: list[str] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found.extend(_routes(entry, route))
        elif isinstance(entry, URLPattern):
            found.append(route)
    return found


def test_every_url_is_in_the_access_table():
    listed = {row.pattern for row in ROWS}
    routes = {r.lstrip("^").rstrip("$") for r in _routes()}
    missing = sorted(r for r in routes if r not in listed and not r.startswith(IGNORED_PREFIXES))
    assert not missing, "URLs missing from the access table: " + ", ".join(missing)


def test_the_table_lists_no_url_that_does_not_exist():
    routes = {r.lstrip("^").rstrip("$") for r in _routes()}
    stale = sorted(row.pattern for row in ROWS if row.pattern not in routes)
    assert not stale, "Access table rows for URLs that no longer exist: " + ", ".join(stale)


def _client_for(role: str, cast, client):
    if role != "anonymous":
        client.force_login(getattr(cast, role))
    return client


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method.upper()} {r.pattern}")
def test_access(row: AccessRow, role: str, org, cast, client):
    fixtures = SimpleNamespace(org=org, cast=cast)
    client = _client_for(role, cast, client)
    url = row.url(fixtures)
    kwargs = {}
    if row.data is not None:
        kwargs["data"] = row.data(fixtures)
    if row.content_type:
        kwargs["content_type"] = row.content_type
    response = getattr(client, row.method)(url, **kwargs)
    expected = row.expected(role)
    if expected == "login":
        assert response.status_code == 302, (role, url, response.status_code)
        assert "/accounts/login/" in response["Location"], response["Location"]
    else:
        assert response.status_code == expected, (role, url, response.status_code)
