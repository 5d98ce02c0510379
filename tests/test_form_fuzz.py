"""Every field of every POST URL of the access table, posted with hostile values.

For each POST row of the access table (tests/access.py) the test signs in as a role
the row lets post, fetches the form page when the URL has one to learn its field names
and kinds, and then posts the row's own data with one field at a time replaced by a
hostile value chosen for that kind of field: a NUL byte, 100,000 characters, a
right-to-left override with emoji joined by ZWJ, `<script>`, SQL, `-1`, a number too
large for any column, `1e400`, dates in year 1 and 9999, an empty string, and a list
where one value was expected. Nothing may answer 500, and a refused post (an error
status, or the form shown again with its errors) must have written nothing: no row
added or removed in any of Vanguard's tables, and no audit entry.

Values are chosen per kind of field (a number field gets numbers, a date field
dates), and fields repeated once per candidate, aspect or member share the values
among them (`_values_for`), so the whole table runs in well under a minute.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from conftest import fresh_copy
from tests.access import QUEUED_ONLY, ROLES, AccessRow
from tests.test_access_table import ROWS

NUL = "前\x00后"
LONG = "长" * 100_000
# A right-to-left override, a family emoji joined by zero-width joiners, markup, SQL.
MIXED = "\u202e👩\u200d👩\u200d👧\u200d👦<script>alert(1)</script>' OR 1=1 --"
EMPTY = ""
LIST = ["1", "2"]  # two values where the form expects one

TEXT = (NUL, LONG, MIXED, EMPTY, LIST)
NUMBER = ("-1", "99999999999999999999", "1e400", EMPTY, LIST)
DATE = ("0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59", EMPTY, LIST)
CHOICE = ("-1", "99999999999999999999", MIXED, EMPTY, LIST)
FILE = (MIXED, EMPTY)
# Where to go after the save (`next`): other hosts, scripts, header injection, length.
REDIRECT = (
    "http://evil.example/",
    "//evil.example",
    "javascript:alert(1)",
    "/opinions/\r\nSet-Cookie: a=b",
    "/opinions/\x00",
    "/" + "a" * 5000,
    LIST,
)
REDIRECT_FIELDS = ("next", "return", "return_to")

VALUES = {
    "text": TEXT,
    "number": NUMBER,
    "date": DATE,
    "choice": CHOICE,
    "file": FILE,
    "redirect": REDIRECT,
}

# What a refusal looks like: an error status, or the form shown again with its errors.
REFUSED_STATUSES = {400, 403, 404, 405, 409, 413, 422, 429}
ERROR_MARKS = ('class="errorlist', 'aria-invalid="true"')

# The public voting and login forms are driven by their own tests; the rows here are
# the access table's, each posted as the first role it lets in.


def _open_vote(f: Any) -> Any:
    from vanguard.ballots import services
    from vanguard.ballots.models import AppraisalSession
    from vanguard.meetings.tests.factories import education_campaign

    found = AppraisalSession.objects.filter(unit=f.org.branch_a1).first()
    if found is not None:
        return found
    campaign = education_campaign(f.org.committee)
    session = services.session_open(
        session=services.session_create(campaign=campaign, unit=f.org.branch_a1)
    )
    for entry in session.roll.select_related("member"):
        services.roll_mark_present(session=session, member=entry.member)
    return session


def _card_ballot(f: Any) -> dict[str, Any]:
    """A valid card ballot: a code from a fresh print run, a grade for every candidate."""
    from vanguard.ballots import services

    session = _open_vote(f)
    code = services.cards_issue(session=session, spares=1)[0].code
    grades = {f"c{pk}": "qualified" for pk in services._candidate_ids(session)}
    return {"code": code, **grades}


# Two public forms the table lists only for GET: the login page and the card vote.
EXTRA_ROWS = [
    AccessRow(
        "accounts/login/",
        lambda f: reverse("accounts:login"),
        {},
        default=200,
        method="post",
        data=lambda f: {"username": "member", "password": "not-the-password"},
    ),
    AccessRow(
        "v/<int:pk>/",
        lambda f: reverse("ballots_public:vote", args=[_open_vote(f).pk]),
        {},
        default=200,
        method="post",
        data=_card_ballot,
        extra={"headers": {"HTTP_ORIGIN": "http://testserver"}},  # the page's same-origin check
    ),
]

POST_ROWS = [row for row in ROWS if row.method == "post"] + EXTRA_ROWS


def _poster(row: AccessRow) -> str:
    """The role whose post the row expects to get through, else the first role that is
    not turned away at the door (a rule of the domain refuses it later)."""
    expected = {role: row.expected(role) for role in ROLES}
    for role in ROLES:
        status = expected[role]
        if isinstance(status, int) and status < 400:
            return role
    for role in ROLES:
        if expected[role] not in ("login", 403, 404, 405):
            return role
    return "committee_admin"


class _Forms(HTMLParser):
    """The fields of the page's POST forms: name -> kind ("text", "number", …)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._in_post_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._in_post_form = attr.get("method", "get").lower() == "post"
            return
        if not self._in_post_form or not attr.get("name"):
            return
        name = attr["name"]
        if name == "csrfmiddlewaretoken":
            return
        if tag == "select":
            self.fields.setdefault(name, "choice")
        elif tag == "textarea":
            self.fields.setdefault(name, "text")
        elif tag == "input":
            kind = attr.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            self.fields.setdefault(name, _kind_of_input(kind, attr.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_post_form = False


def _kind_of_input(kind: str, value: str) -> str:
    if kind == "number":
        return "number"
    if kind in ("date", "datetime-local", "time", "month"):
        return "date"
    if kind == "file":
        return "file"
    if kind in ("radio", "checkbox"):
        return "choice"
    if kind == "hidden":
        return _kind_of_value(value)
    return "text"


def _kind_of_value(value: Any) -> str:
    if isinstance(value, bool):
        return "choice"
    if isinstance(value, int | float):
        return "number"
    if hasattr(value, "read"):
        return "file"
    if isinstance(value, list | tuple):
        return "choice"
    text = str(value)
    if text.lstrip("-").isdigit():
        return "number"
    if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" and text[:4].isdigit():
        return "date"
    return "text"


def _tables() -> list[str]:
    """Vanguard's own tables and the audit trail's."""
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model.__module__.startswith("vanguard.") and model._meta.managed
    )


def _counts(tables: list[str]) -> tuple[int, ...]:
    """The row count of every table, in one query."""
    quote = connection.ops.quote_name
    # Table names from our own models, quoted: no input reaches this statement.
    select = ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select}")  # noqa: S608
        return tuple(cursor.fetchone())


def _refused(response: Any) -> bool:
    if response.status_code in REFUSED_STATUSES:
        return True
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return False
    page = response.content.decode(errors="replace")
    return any(mark in page for mark in ERROR_MARKS)


def _values_for(name: str, kind: str, seen_shapes: dict[str, int]) -> tuple[Any, ...]:
    """Every hostile value of the kind for the first field of a shape; the later fields
    of the same shape (`c12`, `c13` …, one per candidate, aspect or member) one value
    each, taking turns, so every field is posted and every value tried on the shape
    without the count growing with the organisation."""
    values = VALUES[kind]
    shape = re.sub(r"\d+", "#", name) + ":" + kind
    if shape == name + ":" + kind:  # no number in the name: a field of its own
        return values
    turn = seen_shapes.get(shape, -1) + 1
    seen_shapes[shape] = turn
    return values if turn == 0 else (values[(turn - 1) % len(values)],)


def _on_site(location: str) -> bool:
    return url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"})


def _fresh(value: Any) -> Any:
    """Upload objects are read once by a post: give each post its own copy."""
    if hasattr(value, "read") and hasattr(value, "name"):
        value.seek(0)
        return SimpleUploadedFile(value.name, value.read(), getattr(value, "content_type", None))
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value


def _post(
    client: Client, row: AccessRow, url: str, data: dict[str, Any], *, follow: bool = False
) -> Any:
    headers = row.extra.get("headers", {})
    if row.content_type == "application/json":
        return client.post(url, json.dumps(data), content_type=row.content_type, **headers)
    body = {key: _fresh(value) for key, value in data.items()}
    return client.post(url, body, follow=follow, **headers)


@pytest.fixture
def world(org_and_cast_of_the_module, db) -> SimpleNamespace:
    org, cast = fresh_copy(org_and_cast_of_the_module)
    return SimpleNamespace(org=org, cast=cast)


@pytest.mark.parametrize("row", POST_ROWS, ids=lambda r: f"{r.pattern} {r.note[:30]}".strip())
def test_hostile_values_in_every_field_answer_no_500(row: AccessRow, world, client):
    role = _poster(row)
    client.raise_request_exception = False  # a crash is a 500 to count, not to stop at
    if role != "anonymous":
        client.force_login(getattr(world.cast, role))
    url = row.url(world)
    base: dict[str, Any] = row.data(world) if row.data is not None else {}
    kinds = {name: _kind_of_value(value) for name, value in base.items()}
    if row.content_type is None:
        page = client.get(url)
        if page.status_code == 200 and "html" in page.get("Content-Type", ""):
            forms = _Forms()
            forms.feed(page.content.decode(errors="replace"))
            for name, kind in forms.fields.items():
                kinds.setdefault(name, kind)
    if not kinds:  # a bare button (close, open, revoke): post a stray field
        kinds = {"confirm": "choice"}

    tables = _tables()
    failures: list[str] = []
    # The row's own post first: pages that make a record on first use (a member's
    # draft, a campaign's default aspects) have done so before any refusal is counted.
    warm_up = _post(client, row, url, base, follow=True)
    if warm_up.status_code >= 500:
        failures.append(f"the row's own data: {warm_up.status_code}")
    # A page that redirects after the save may be handed where to go: `next`.
    if getattr(warm_up, "redirect_chain", None):
        kinds["next"] = "redirect"
    for name in REDIRECT_FIELDS:
        if name in kinds:
            kinds[name] = "redirect"
    seen_shapes: dict[str, int] = {}
    # The row's own post ran its job (above); an accepted hostile post only queues it:
    # how the form answers is the question here, each job's own tests build its files.
    # The row counts after a refused post are the counts before the next one: counted
    # again only after a post that was not refused (each count reads every table).
    before: tuple[int, ...] | None = None
    with override_settings(TASKS=QUEUED_ONLY):
        for name, kind in kinds.items():
            for value in _values_for(name, kind, seen_shapes):
                data = {**base, name: value}
                if before is None:
                    before = _counts(tables)
                response = _post(client, row, url, data)
                shown = repr(value)[:40]
                if response.status_code >= 500:
                    failures.append(f"{name}={shown}: {response.status_code}")
                elif response.status_code in (301, 302, 303) and not _on_site(response["Location"]):
                    failures.append(f"{name}={shown}: sent to {response['Location'][:60]!r}")
                elif _refused(response):
                    after = _counts(tables)
                    if after != before:
                        changed = [
                            table
                            for table, old, new in zip(tables, before, after, strict=True)
                            if old != new
                        ]
                        failures.append(
                            f"{name}={shown}: refused ({response.status_code}) but wrote {changed}"
                        )
                    before = after
                    continue
                before = None
    assert not failures, f"{row.pattern} as {role}:\n" + "\n".join(failures)
