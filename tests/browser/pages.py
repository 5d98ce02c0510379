"""Every page of the access table, for each role of the cast, in a real browser.

The access table (tests/access.py, `vanguard/<app>/tests/access_table*.py`) lists
each URL with the status each role of the cast gets; its GET rows that answer some
role with 200 are the site's pages. `site_pages.walk(browser, viewport=...)` opens
them in a live server, each for every role that may see it, and yields
`(role, page, path)` once the page has loaded: only whole HTML pages (status 200,
`text/html`, a `<html` document) are yielded; API answers (JSON), downloads, htmx
fragments and POST rows are not (`site_pages.not_pages` lists what was passed over),
and neither is Django's admin (Django's own layout) nor the API.

The rows' URL builders were written for a fresh organisation each (the access-table
test rolls each one back); built one after another some clash (two factories' idea
of "the" campaign). So the rows are built in runs: when a builder fails, the pages of
the run so far are walked, the database is emptied, the organisation and cast are
built again and a new run starts with that row. One browser context per role lives
through all runs (its session cookie replaced at each run).

    def test_something(site_pages, browser):
        for role, page, path in site_pages.walk(browser, viewport=PHONE):
            ...  # `page` shows `path` as `role`
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from conftest import build_cast, build_org
from tests.access import ROLES, AccessRow
from tests.test_access_table import ROWS
from vanguard.audit import triggers

# Not ours to lay out, or not pages at all.
SKIPPED_PREFIXES = ("api/", "admin/")

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

# What a phone user would notice, evaluated on a page at phone width: the page is wider
# than the screen (the widest elements named), or a visible cell, link, list item or
# label holding more than two characters is narrower than two characters of its type
# and broken over lines.
PHONE_LAYOUT = """() => {
  const describe = (el) => {
    const classes = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    const text = (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 30);
    return `<${el.tagName.toLowerCase()}${classes}> "${text}"`;
  };
  const problems = [];
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) {
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5) continue;
      // Only the outermost of a nest of overflowing elements.
      if (wide.some((outer) => outer.contains(el))) continue;
      let scrolls = false;
      for (let up = el.parentElement; up; up = up.parentElement) {
        const clips = getComputedStyle(up).overflowX !== "visible";
        if (clips && up.scrollWidth > up.clientWidth) { scrolls = true; break; }
      }
      if (!scrolls) wide.push(el);
    }
    const reach = (el) => Math.round(el.getBoundingClientRect().right);
    problems.push(`page ${document.documentElement.scrollWidth}px wide: ` +
      wide.slice(0, 3).map((el) => `${describe(el)} to ${reach(el)}px`).join(", "));
  }
  for (const el of document.body.querySelectorAll("th, td, a, li, label")) {
    const text = (el.innerText || "").trim();
    if ([...text].length <= 2) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // not shown, or visually hidden
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const em = parseFloat(style.fontSize);
    const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    // Narrow and broken over lines: a short word ("PDF") narrower than two wide
    // characters but on one line is not squeezed.
    const line = parseFloat(style.lineHeight) || 1.2 * em;
    const high = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    if (inner < 2 * em - 1 && high > 1.5 * line) {
      problems.push(`one character per line: ${describe(el)} ${Math.round(inner)}px wide`);
    }
  }
  return problems;
}"""


def page_rows() -> list[AccessRow]:
    """The GET rows that answer some role with 200."""
    return [
        row
        for row in ROWS
        if row.method == "get"
        and not row.pattern.startswith(SKIPPED_PREFIXES)
        and any(row.expected(role) == 200 for role in ROLES)
    ]


@dataclass
class SitePages:
    url: str  # the live server's
    rows: list[AccessRow] = field(default_factory=page_rows)
    visited: list[tuple[str, str]] = field(default_factory=list)  # (role, path)
    not_pages: list[str] = field(default_factory=list)  # "role path: why"
    # The row each (role, path) of the run being walked was built from.
    row_of: dict[tuple[str, str], AccessRow] = field(default_factory=dict)
    # Paths that answered a role with something other than a page (a download, JSON, a
    # fragment): what kind of answer a URL gives is the URL's, not the role's, so the
    # later roles are not sent to fetch it again (a download is built each time).
    not_a_page: dict[str, str] = field(default_factory=dict)  # path -> why
    runs: int = 0
    _started: bool = False

    def walk(
        self,
        browser: Any,
        *,
        viewport: dict[str, int],
        language: str = "zh-hans",
        roles: tuple[str, ...] = ROLES,
        wait_until: str = "load",
    ) -> Iterator[tuple[str, Any, str]]:
        """(role, page, path) for every page of every role, the page loaded (or, with
        wait_until="domcontentloaded", its style sheets and deferred scripts run)."""
        pages = {}
        for role in roles:
            context = browser.new_context(
                viewport=viewport, locale="zh-CN" if language == "zh-hans" else "en-GB"
            )
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": self.url}]
            )
            pages[role] = context.new_page()
        try:
            for paths, sessions in self._runs(roles):
                for role, session in sessions.items():
                    pages[role].context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": self.url}]
                    )
                for role, role_paths in paths.items():
                    page = pages[role]
                    for path in role_paths:
                        if path in self.not_a_page:
                            self.not_pages.append(f"{role} {path}: {self.not_a_page[path]}")
                        elif self._open(page, role, path, wait_until):
                            self.visited.append((role, path))
                            yield role, page, path
        finally:
            for page in pages.values():
                page.context.close()

    def _open(self, page: Any, role: str, path: str, wait_until: str) -> bool:
        cache.clear()  # rate limits
        try:
            response = page.goto(self.url + path, wait_until=wait_until)
        except PlaywrightError as error:  # a download ("Download is starting")
            kind = str(error).splitlines()[0]
        else:
            if response is None or response.status != 200:  # this role's, not the URL's
                self.not_pages.append(f"{role} {path}: status {response and response.status}")
                return False
            kind = _not_a_page(response)
        if kind:
            self.not_a_page[path] = kind
            self.not_pages.append(f"{role} {path}: {kind}")
        return not kind

    def _runs(
        self, roles: tuple[str, ...]
    ) -> Iterator[tuple[dict[str, list[str]], dict[str, str]]]:
        """Each run's paths and session keys by role, its data in the database while
        it is walked."""
        fixtures = None
        paths: dict[str, list[str]] = {}
        pending = list(self.rows)
        while pending:
            row = pending[0]
            if fixtures is None:
                fixtures = self._start()
            try:
                with transaction.atomic():  # a builder that fails leaves nothing behind
                    url = row.url(fixtures)
            except Exception:  # noqa: BLE001 (clashes with an earlier row's objects)
                if not paths:  # fails on a fresh organisation too: the row is broken
                    raise
                yield self._signed_in(fixtures, paths)
                fixtures, paths = None, {}
                continue
            pending.pop(0)
            for role in roles:
                if row.expected(role) == 200 and url not in paths.setdefault(role, []):
                    paths[role].append(url)
                    self.row_of[(role, url)] = row
        if paths:
            yield self._signed_in(fixtures, paths)

    def _start(self) -> SimpleNamespace:
        """An empty database (the audit tables' triggers lifted for it, as for the flush
        after a live-server test), then the organisation and cast."""
        if self._started:
            triggers.remove(connection)
            call_command("flush", interactive=False, verbosity=0)
            triggers.install(connection)
        self._started = True
        org = build_org()
        return SimpleNamespace(org=org, cast=build_cast(org))

    def _signed_in(
        self, fixtures: Any, paths: dict[str, list[str]]
    ) -> tuple[dict[str, list[str]], dict[str, str]]:
        sessions = {}
        for role in paths:
            if role != "anonymous":
                client = Client()
                client.force_login(getattr(fixtures.cast, role))
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.runs += 1
        return paths, sessions


def _not_a_page(response: Any) -> str:
    """What a 200 answer is when it is not a whole HTML page ("" when it is one)."""
    content_type = response.headers.get("content-type", "")
    if "attachment" in response.headers.get("content-disposition", ""):
        return "attachment"
    if not content_type.startswith("text/html"):
        return content_type
    if b"<html" not in response.body()[:500].lower():
        return "fragment"
    return ""


@pytest.fixture
def site_pages(live_server, transactional_db) -> SitePages:
    return SitePages(url=live_server.url)
