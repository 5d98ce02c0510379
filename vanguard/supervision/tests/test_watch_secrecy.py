"""The watch list's secrecy (a Done-when of issue 13): a key person with a distinctive
reason, talk gist and follow-up, and their branch as a key branch. Then, as the member
and as every officer of their branch and the general branch's secretary (and the
observer), every GET of the whole access table (every app's pages, exports and API
answers, built from its own rows) and the watch API are walked, and each answer read
as the person would (HTML and JSON as text, PDFs through a PDF reader, zip files
unpacked): neither the texts nor the fact of being watched appear, and the watch
URLs answer 404. A positive control: the same walk as the committee finds them."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from types import SimpleNamespace

import pypdf
import pytest
from django.db import transaction
from django.test import Client

from conftest import fresh_copy
from tests.test_access_table import ROWS
from vanguard.accounts.access import forget_scopes
from vanguard.supervision.models import WatchEntry
from vanguard.supervision.tests import factories_remediation as fr

pytestmark = pytest.mark.django_db

MARKERS = (fr.WATCH_REASON, fr.TALK_GIST, fr.TALK_FOLLOW_UP, "重点人", "重点支部", "谈话要点")
BRANCH_REASON = "支部组织生活松散-秘密标记BR28"
BLIND = ("member", "secretary", "branch_committee", "group_leader", "gb_secretary", "observer")
GET_ROWS = [row for row in ROWS if row.method == "get"]
REFUSED = {"login", 403, 404}


@pytest.fixture
def org_cast(org_and_cast_of_the_module):
    return fresh_copy(org_and_cast_of_the_module)


def _readable(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = " ".join(f"{k}: {v}" for k, v in response.items())
    if body.startswith(b"%PDF"):
        reader = pypdf.PdfReader(io.BytesIO(body))
        text = "".join(page.extract_text() for page in reader.pages)
    elif body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            text = " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    elif "json" in response.get("Content-Type", ""):
        try:
            text = json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            text = body.decode("utf-8", "replace")
    else:
        text = body.decode("utf-8", "replace")
    return headers + "\n" + text


def _watch(f) -> tuple[WatchEntry, WatchEntry]:
    person = fr.key_person(f)
    branch = WatchEntry.objects.create(
        campaign=fr.campaign(f),
        kind=WatchEntry.Kind.BRANCH,
        branch=f.org.branch_a1,
        reason=BRANCH_REASON,
        added_by=f.cast.committee_admin,
    )
    return person, branch


@dataclass
class Walk:
    """What one person was shown: each URL's answer as text, the URLs that failed with
    a server error (or whose builder could not run), the watch URLs' statuses, and how
    many watch entries were still open after their posts."""

    seen: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    watch: dict[str, int] = field(default_factory=dict)
    open_entries: int = 0


def _walk(org, cast, roles: tuple[str, ...]) -> dict[str, Walk]:
    """Every GET row of the access table and the watch API, as each of `roles`. Each
    row's objects are built once, in a savepoint of their own, and every role that may
    open the row asks for it in a savepoint inside that one: each answer is made from
    the row as built, and what a builder or a request writes is undone after it."""
    walks = {role: Walk() for role in roles}
    clients = {}
    for role in roles:
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(getattr(cast, role))
    # The watch list (and the campaign it is in) is there for every row, made once.
    person, branch = _watch(SimpleNamespace(org=org, cast=cast))
    for row in GET_ROWS:
        # The access table asserts the other roles are refused here (a login page, a
        # 403 or a 404 page, which hold no data); the walk reads what a role is shown.
        shown_to = [role for role in roles if row.expected(role) not in REFUSED]
        if not shown_to:
            continue
        with transaction.atomic():
            try:
                url = row.url(SimpleNamespace(org=org, cast=cast))
            except Exception as error:  # a builder that cannot run here: name it
                for role in shown_to:
                    walks[role].errors.append(f"{row.pattern}: {error!r}")
                transaction.set_rollback(True)
                continue
            for role in shown_to:
                with transaction.atomic():
                    forget_scopes(getattr(cast, role))
                    response = clients[role].get(url, HTTP_ACCEPT="text/html,application/json")
                    if response.status_code >= 500:
                        walks[role].errors.append(url)
                    walks[role].seen[url] = _readable(response)
                    transaction.set_rollback(True)
            transaction.set_rollback(True)
    campaign = fr.campaign(SimpleNamespace(org=org))
    for role in roles:
        walk, client = walks[role], clients[role]
        with transaction.atomic():
            for url in (
                f"/supervision/c/{campaign.pk}/watch/",
                f"/supervision/c/{campaign.pk}/watch/new/",
                f"/supervision/watch/{person.pk}/",
                f"/supervision/watch/{branch.pk}/",
                f"/supervision/watch/{person.pk}/talks/new/",
                f"/api/v1/supervision/watch/?campaign={campaign.pk}",
                f"/api/v1/supervision/watch/{person.pk}",
                f"/api/v1/supervision/watch/{branch.pk}",
                f"/api/v1/supervision/watch/{person.pk}/talks",
            ):
                response = client.get(url)
                walk.watch[url] = response.status_code
                walk.seen[url] = _readable(response)
            for url in (
                f"/supervision/watch/{person.pk}/close/",
                f"/supervision/watch/{person.pk}/talks/new/",
            ):
                walk.watch["POST " + url] = client.post(url, {"note": "x", "gist": "x"}).status_code
            walk.open_entries = WatchEntry.objects.filter(closed_at__isnull=True).count()
            transaction.set_rollback(True)
    return walks


@pytest.fixture(scope="module")
def walks_of_the_module(org_and_cast_of_the_module, django_db_blocker) -> dict[str, Walk]:
    """The walks of the blind roles and of the committee (the positive control), made
    once for the module: a row's objects were built once for all seven walks instead of
    once for each (a fifth of each walk's time). Everything they wrote is rolled back
    before a test reads them."""
    with django_db_blocker.unblock(), transaction.atomic():
        org, cast = fresh_copy(org_and_cast_of_the_module)
        walks = _walk(org, cast, (*BLIND, "committee_admin"))
        transaction.set_rollback(True)
    return walks


def _leaks(seen: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (url, marker)
        for url, text in seen.items()
        for marker in (*MARKERS, BRANCH_REASON)
        if marker in text
    ]


@pytest.mark.parametrize("role", BLIND)
def test_the_watch_list_never_reaches_the_member_or_their_branch(role, walks_of_the_module):
    walk = walks_of_the_module[role]

    assert len(walk.seen) > 100, "the walk reached the whole table"
    assert not _leaks(walk.seen), "the watch list reached someone it must not"
    assert set(walk.watch.values()) == {404}, walk.watch
    assert not walk.errors, f"server errors while walking: {walk.errors}"
    assert walk.open_entries == 2  # nothing closed


def test_the_walk_finds_the_watch_list_where_it_is_shown(walks_of_the_module):
    walk = walks_of_the_module["committee_admin"]

    found = {marker for _url, marker in _leaks(walk.seen)}
    assert {fr.WATCH_REASON, fr.TALK_GIST, fr.TALK_FOLLOW_UP, BRANCH_REASON, "重点人"} <= found
    assert 200 in walk.watch.values()


def test_a_supervisor_who_is_a_member_of_the_branch_does_not_see_it(org_cast):
    """A supervisor of A1 who is also a member of A1 (the seed's branch secretaries sit
    on the groups): their own branch's entries are not theirs to read."""
    from conftest import make_member

    org, cast = org_cast
    make_member(name="督查员本人", number="X-sup", branch=org.branch_a1, user=cast.supervisor)
    forget_scopes(cast.supervisor)
    person, _branch = _watch(SimpleNamespace(org=org, cast=cast))
    client = Client()
    client.force_login(cast.supervisor)
    assert client.get(f"/supervision/watch/{person.pk}/").status_code == 404
    campaign = fr.campaign(SimpleNamespace(org=org))
    assert client.get(f"/supervision/c/{campaign.pk}/watch/").status_code == 404
