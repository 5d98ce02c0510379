"""Every page of the access table in English, as the first role that may open it: no
Chinese left in the interface.

tests/test_i18n.py checks the catalogue (every marked string is in it and translated)
and a few pages by hand; a page can still show Chinese to an English reader through a
string never marked for translation, a template that prints a model's Chinese choice
value instead of its label, or a label built by joining Chinese pieces in Python. Here
every page a role may open (the table's GET rows with 200 for some role; the admin,
which is Django's own translation, left out) is read in English as the first and the
last such role, and every line of its visible text that holds a Han character must be the
organisation's own data: what is stored in the database (unit, member and campaign
names, titles, the text people wrote) stays as it was written. What is left is the
interface, and must be English.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.test import override_settings

from conftest import fresh_copy
from tests.access import QUEUED_ONLY, ROLES, AccessRow, html_of
from tests.test_access_table import ROWS, as_role, signed_in_of_the_module  # noqa: F401 (fixture)
from tests.test_i18n import HAN, compiled_locale, visible_text  # noqa: F401 (fixture)

PAGES = [row for row in ROWS if row.method == "get" and not row.pattern.startswith("admin/")]


@pytest.fixture(scope="module", autouse=True)
def _catalogue_of_the_po(compiled_locale):  # noqa: F811 (test_i18n's fixture)
    """The English of the .po file as it is now, compiled for these tests, whatever
    .mo file the tree holds (as tests/test_i18n.py reads it)."""
    with override_settings(LOCALE_PATHS=[compiled_locale]):
        yield


def _text_columns() -> list[tuple[str, str]]:
    """(table, column) of every text column of the project's and Django's auth models."""
    columns = []
    for model in apps.get_models():
        if not model.__module__.startswith(("vanguard.", "django.contrib.auth")):
            continue
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                columns.append((model._meta.db_table, field.column))
    return columns


def stored_text() -> list[str]:
    """Every text value stored now, longest first (one statement over every column); a
    value holding markup (rich text) also as the lines a page shows of it."""
    quote = connection.ops.quote_name
    # Table and column names from our own models, quoted: no input reaches this statement.
    select = " UNION ".join(
        f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"  # noqa: S608
        for table, column in _text_columns()
    )
    with connection.cursor() as cursor:
        cursor.execute(select)
        values = {value for (value,) in cursor.fetchall() if isinstance(value, str)}
    for value in list(values):
        if "<" in value:
            values.update(line for line in visible_text(value).splitlines() if line)
        values.update(line.strip() for line in value.splitlines() if line.strip())
    return sorted(values, key=len, reverse=True)


def interface_chinese(html: str) -> list[str]:
    """The lines of the page's visible text with Chinese that is not stored data."""
    lines = [line for line in visible_text(html).splitlines() if HAN.search(line)]
    if not lines:
        return []
    data = stored_text()
    left = []
    for line in lines:
        for value in data:
            if value in line:
                line = line.replace(value, "")
        if HAN.search(line):
            left.append(line)
    return left


@pytest.mark.parametrize("row", PAGES, ids=lambda r: r.pattern)
def test_the_page_in_english_shows_no_chinese_but_the_data(
    row: AccessRow,
    signed_in_of_the_module,  # noqa: F811 (the access table's fixture)
    db,
):
    readers = [role for role in ROLES if row.expected(role) == 200]
    if not readers:
        pytest.skip("no role opens this page")
    org, cast, _cookies = signed_in_of_the_module
    org, cast = fresh_copy((org, cast))
    url = row.url(SimpleNamespace(org=org, cast=cast))
    found = []
    # The first and the last role that may open it: the office's view and, where a
    # member may open it, the member's (ROLES runs from the committee down).
    for reader in dict.fromkeys((readers[0], readers[-1])):
        with (
            override_settings(TASKS=QUEUED_ONLY),
            as_role(signed_in_of_the_module, reader) as case,
        ):
            case.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
            response = case.client.get(url)
            assert response.status_code == 200, f"{url} as {reader}"
            html = html_of(response)
            if html is None:
                continue  # a download: the files' own tests read their language
            # A whole page says its language; a fragment (htmx) is read as it is.
            if "<html" in html:
                assert '<html lang="en"' in html, f"{url} as {reader} is not in English"
            found += [f"{reader}: {line}" for line in interface_chinese(html)]
    assert not found, f"Chinese in the English {url}:\n  " + "\n  ".join(found)
