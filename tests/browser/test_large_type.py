"""The pages of a member, of a branch secretary and of a visitor without an account, on a
small phone whose text size is turned up to twice the usual (what many members of the
retired branch do): nothing runs sideways off the screen and no word breaks one
character a line. WCAG 1.4.4 (text resized to 200 % without loss of content).

The text size is the browser's own setting (Chromium's default font size, through the
DevTools protocol's Page.setFontSizes), as a phone's "large text" sets it: the pages'
sizes are relative to it, and nothing is injected into the page (its Content Security
Policy stays as it is served). Failing pages are screenshot to test-results/large-type/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.pages import PHONE, PHONE_LAYOUT, SitePages, site_pages  # noqa: F401

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "large-type"

# Chromium's default sizes (16 px, and 13 px for monospace), doubled.
LARGE_TYPE = {"standard": 32, "fixed": 26}
READERS = ("anonymous", "member", "secretary")


@pytest.mark.page_walk
@pytest.mark.parametrize("readers", [READERS], ids=["walk-large-type"])  # a walk's id
def test_with_text_twice_the_usual_size_no_page_runs_sideways_on_a_phone(
    site_pages: SitePages,  # noqa: F811 (the fixture, imported above)
    browser,
    readers: tuple[str, ...],
):
    found: list[str] = []
    enlarged: set[int] = set()
    for role, page, path in site_pages.walk(
        browser, viewport=PHONE, roles=readers, wait_until="domcontentloaded"
    ):
        if id(page) not in enlarged:  # the setting stays with the tab and applies at once
            page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": LARGE_TYPE})
            enlarged.add(id(page))
        root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert root >= 30, f"{path} as {role}: the text size was not turned up ({root}px)"
        problems = page.evaluate(PHONE_LAYOUT)
        if problems:
            found.append(f"{path} as {role}:\n    " + "\n    ".join(problems[:5]))
            if len(found) <= 20:
                SHOTS.mkdir(parents=True, exist_ok=True)
                name = f"{role}{re.sub(r'[^A-Za-z0-9]+', '-', path)}"[:120]
                # A full-page screenshot would draw it at the usual text size (Chromium
                # drops the setting for it): the screen is made as tall as the page.
                height = page.evaluate("document.documentElement.scrollHeight")
                page.set_viewport_size({"width": PHONE["width"], "height": height})
                page.screenshot(path=str(SHOTS / f"{name}.png"))
                page.set_viewport_size(PHONE)
    walked = {role for role, _path in site_pages.visited}
    assert walked == set(readers), f"walked as {sorted(walked)} only"
    assert not found, f"{len(found)} pages with large type on a phone:\n" + "\n".join(found)
