"""Every URL × every role, from the tables in each app (see tests/access.py)."""

from __future__ import annotations

import contextlib
import copy
import importlib
import pkgutil
import re
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import vanguard
from conftest import fresh_copy, kept_across_tests
from tests.access import QUEUED_ONLY, ROLES, AccessRow, html_of
from tests.test_referrer_policy import assert_post_forms_keep_origin
from vanguard.accounts.access import forget_scopes, scopes
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.meetings.tests.factories import education_campaign
from vanguard.opinions.intake.services import aspects_for
from vanguard.organization.models import Unit

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


# The organisation and cast are built once for the module (conftest.py:
# org_and_cast_of_the_module) and every role signs in once. One test per URL asks it
# as every role in turn, each role's request inside a savepoint rolled back after it
# and with its own copies of the organisation and cast; the test fails naming every
# role that got the wrong answer. (One test per URL and role cost 2.5 ms of pytest's
# own work per case, a fifth of each case, 4,305 times over.)
@pytest.fixture(scope="module")
def signed_in_of_the_module(org_and_cast_of_the_module, django_db_blocker):
    """The module's organisation and cast, with each role's session cookies: signing
    in writes the same rows (a session, the user's last login, the access log, the
    audit trail) that every case of the role wrote first thing."""
    with kept_across_tests(django_db_blocker):
        org, cast = fresh_copy(org_and_cast_of_the_module)
        # The education campaign most rows' builders ask for (a get or create), with its
        # opinion aspects: made once here instead of again inside every role's savepoint.
        aspects_for(education_campaign(org.committee))
        clients, cookies = {}, {}
        for role in ROLES:
            clients[role] = Client()
            if role != "anonymous":
                clients[role].force_login(getattr(cast, role))
            cookies[role] = copy.deepcopy(clients[role].cookies)
        yield org, cast, (clients, cookies)


@contextlib.contextmanager
def as_role(signed_in, role: str) -> Iterator[SimpleNamespace]:
    """What a role's request starts from: copies of the signed-in organisation and cast,
    never the objects an earlier request was handed (so nothing it changed on them,
    such as the access scopes cached on a user, reaches this one), a client holding the
    role's session cookie, and an empty cache; all it writes is rolled back after it."""
    org, cast, (clients, cookies) = signed_in
    org, cast = fresh_copy((org, cast))
    # The role's own client, its cookies as signing in left them: a new Client would
    # load the whole middleware stack again for every request (a twentieth of a case).
    client = clients[role]
    client.cookies = copy.deepcopy(cookies[role])
    cache.clear()  # rate-limit counts, as between tests (conftest._empty_cache)
    with transaction.atomic():
        try:
            yield SimpleNamespace(org=org, cast=cast, client=client)
        except Exception as error:
            error.add_note(f"as {role}")
            raise
        finally:
            transaction.set_rollback(True)


# Three probes, each checking, as every role, that it starts from the organisation and
# sign-ins as they were built and then writing the ways a request can: new rows,
# changed rows, a sign-out, the access scopes cached on a user object. The later roles
# of a probe, and the later probes (a worker runs its share of a module in order,
# keeping the module's organisation and sign-ins throughout; of three probes run by two
# workers at least two run in turn on one), fail if anything an earlier one wrote
# reached them.
PROBE_UNIT = "写入探针党支部"
_probed: list[SimpleNamespace] = []


@pytest.mark.parametrize("probe", ["first", "second", "third"])
def test_a_case_sees_nothing_an_earlier_case_wrote(probe: str, signed_in_of_the_module, db):
    built_org, built_cast, _cookies = signed_in_of_the_module
    for role in ROLES:
        with as_role(signed_in_of_the_module, role) as case:
            org, cast, client = case.org, case.cast, case.client
            assert not Unit.objects.filter(name=PROBE_UNIT).exists()
            assert Unit.objects.count() == 7
            assert RoleAssignment.objects.count() == 7
            assert org.branch_a1.name == "光学工程教工第一党支部"
            assert Unit.objects.get(pk=org.branch_a1.pk).name == org.branch_a1.name
            stored = User.objects.get(pk=cast.member.pk)
            assert stored.first_name == cast.member.first_name == ""
            assert stored.last_login == cast.member.last_login == built_cast.member.last_login
            assert cast.member.last_login is not None  # signed in
            assert cast.member_record.user is cast.member
            assert cast.member_record.branch is org.branch_a1
            assert Session.objects.count() == len(ROLES) - 1  # all but the anonymous
            assert client.get(reverse("home")).status_code == (302 if role == "anonymous" else 200)
            assert {s.role for s in scopes(cast.member)} == set()
            for earlier in _probed:  # what an earlier role or probe changed are other objects
                assert earlier.cast.member is not cast.member
                assert earlier.cast.member.first_name == "probe"

            Unit.objects.create(name=PROBE_UNIT, kind=Unit.Kind.BRANCH, parent=org.gb_b)
            org.branch_a1.name = "改名"
            org.branch_a1.save()
            cast.member.first_name = "probe"
            cast.member.save()
            RoleAssignment.objects.create(user=cast.member, role=Role.OBSERVER, unit=org.committee)
            forget_scopes(cast.member)
            assert {s.role for s in scopes(cast.member)} == {Role.OBSERVER}  # now cached on it
            client.post(reverse("accounts:logout"))
            assert Session.objects.count() == len(ROLES) - 1 - (role != "anonymous")
            _probed.append(case)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method.upper()} {r.pattern}")
def test_access(row: AccessRow, signed_in_of_the_module, db):
    # The row's objects are made once, before the roles (the test's transaction rolls
    # them back after it): every role's request starts from them as they were made,
    # since each runs in its own savepoint, rolled back after it.
    org, cast, _cookies = signed_in_of_the_module
    org, cast = fresh_copy((org, cast))
    url = row.url(SimpleNamespace(org=org, cast=cast))
    # Who may start a job is the question here, not what the job makes (each app's own
    # tests build the files): the roles' requests queue their tasks without running them.
    with override_settings(TASKS=QUEUED_ONLY):
        wrong = _each_role(row, url, signed_in_of_the_module)
    assert not wrong, f"{row.method.upper()} {url}:\n" + "\n".join(wrong)


def _each_role(row: AccessRow, url: str, signed_in) -> list[str]:
    wrong: list[str] = []
    for role in ROLES:
        with as_role(signed_in, role) as case:
            fixtures = SimpleNamespace(org=case.org, cast=case.cast)
            kwargs = {}
            if row.data is not None:
                kwargs["data"] = row.data(fixtures)
            if row.content_type:
                kwargs["content_type"] = row.content_type
            response = getattr(case.client, row.method)(url, **kwargs)
            expected = row.expected(role)
            if expected == "login":
                location = response.get("Location", "")
                if response.status_code != 302 or "/accounts/login/" not in location:
                    wrong.append(f"{role}: {response.status_code} {location} (expected login)")
            elif response.status_code != expected:
                wrong.append(f"{role}: {response.status_code} (expected {expected})")
            try:
                assert_post_forms_keep_origin(row, role, response)
                html = html_of(response)  # decoded once for the page checks below
                assert_title_says_each_part_once(html)
                if not row.pattern.startswith("admin/"):  # the admin keeps Django's look
                    assert_selects_say_what_to_choose(html)
            except AssertionError as error:
                wrong.append(f"{role}: {error}")
    return wrong


TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def assert_title_says_each_part_once(html: str | None) -> None:
    """The tab's title (a browser tab, a bookmark, the history) names the page, then
    where it sits, then the site, once each: "宋林 · 先锋", never "活动进展 · 活动进展".
    `html` is the page's text (tests.access.html_of), None for what is not a page."""
    found = TITLE.search(html) if html is not None else None
    if found is None:
        return
    parts = [part.strip() for part in found.group(1).split("·")]
    repeated = sorted({part for part in parts if part and parts.count(part) > 1})
    assert not repeated, f"the title {found.group(1).strip()!r} says {repeated} twice"


# A select whose empty first choice is Django's dashes: no word of what to do, in no
# language (lib.forms.offer_choices names it, or chooses the only option).
DASHES = re.compile(r'<select name="([^"]+)"[^>]*>\s*<option value=""[^>]*>-{9}</option>')


def assert_selects_say_what_to_choose(html: str | None) -> None:
    bare = DASHES.findall(html or "")
    assert not bare, f"the select(s) {bare} offer Django's '---------' as their first choice"


def test_the_title_check_sees_a_part_said_twice():
    """The check above can fail: a title that says one part twice is reported, a title
    of distinct parts and a page that is not HTML are not."""
    with pytest.raises(AssertionError, match="活动进展"):
        assert_title_says_each_part_once(
            html_of(HttpResponse("<title>活动进展 · 活动进展 · 先锋 Vanguard</title>"))
        )
    assert_title_says_each_part_once(html_of(HttpResponse("<title>宋林 · 先锋 Vanguard</title>")))
    assert_title_says_each_part_once(
        html_of(HttpResponse("活动进展 · 活动进展", content_type="text/plain"))
    )


def test_the_select_check_sees_django_s_dashes():
    """The select check can fail: a select that starts with the dashes is named, one
    that says what to choose is not."""
    with pytest.raises(AssertionError, match="'unit'"):
        assert_selects_say_what_to_choose(
            html_of(
                HttpResponse(
                    '<select name="unit" id="id_unit">\n'
                    '  <option value="" selected>---------</option>\n</select>'
                )
            )
        )
    assert_selects_say_what_to_choose(
        html_of(HttpResponse('<select name="unit"><option value="">— 请选择 —</option></select>'))
    )
