"""The pages a person meets first load whole in a real browser: their styles and
scripts arrive, nothing is refused by the Content Security Policy, and nothing
runs sideways on a phone. Screenshots land in test-results/screens/ for a human
to look at (Chinese glyphs included: `make test` installs a CJK font)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD

SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


class Watch:
    """Collects what went wrong while a page loaded: console errors (CSP refusals are
    reported there) and requests that failed or answered with an error."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error" and "favicon.ico" not in (message.location or {}).get("url", ""):
            self.problems.append(f"console: {message.text}")

    def _failed(self, request) -> None:
        # A request the browser dropped because the page went on (a click before the
        # favicon had loaded) is aborted, not failed: seen once in CI for favicon.svg.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{response.status}: {response.url}")


def look(page: Page, name: str) -> None:
    """The page is styled by our own and the vendored style sheets, then screenshot."""
    sheets = page.evaluate(
        "Array.from(document.styleSheets).map(s => [s.href || '', s.cssRules.length])"
    )
    loaded = {href.rsplit("/", 1)[-1]: rules for href, rules in sheets}
    assert loaded.get("pico.min.css", 0) > 100, loaded
    assert loaded.get("vanguard.css", 0) > 0, loaded
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", list(SIZES))
def test_login_and_home_pages_load_whole_without_csp_refusals(page: Page, live_server, cast, size):
    page.set_viewport_size(SIZES[size])
    watch = Watch(page)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    look(page, f"login-{size}")

    for user in (cast.committee_admin, cast.secretary, cast.member):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(f"{live_server.url}/")
        look(page, f"home-{user.username}-{size}")

    assert watch.problems == []
