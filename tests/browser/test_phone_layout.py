"""Every page of the access table, for every role that may open it, at 360 x 740 (a
small phone): nothing runs sideways off the screen, and no name or header is squeezed
to one character per line. Failing pages are screenshot to test-results/phone/.

The same walk is the accessibility check's walk in Chinese (test_accessibility.py): each
page, as its role of that check's Chinese turn, also passes axe-core's WCAG 2.1 A/AA
rules at 360 px and, resized, at 1280 px — the pages are loaded once for both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.pages import (  # noqa: F401
    DESKTOP,
    PHONE,
    PHONE_LAYOUT,
    SitePages,
    page_rows,
    site_pages,
)
from tests.browser.test_accessibility import ZH_TURN, axe_source, check_both_sizes, role_for_turn

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "phone"


def _name(role: str, path: str) -> str:
    return f"{role}{re.sub(r'[^A-Za-z0-9]+', '-', path)}"[:120]


# Two halves of the pages (alternate rows), two test items: `pytest -n` runs them on
# two workers instead of one long walk holding one worker to the end of the run.
@pytest.mark.page_walk
@pytest.mark.parametrize("half", [0, 1], ids=["walk-1-of-2", "walk-2-of-2"])
def test_no_page_runs_sideways_or_wraps_one_character_per_line_on_a_phone_and_axe_passes(
    site_pages: SitePages,  # noqa: F811 (the fixture, imported above)
    browser,
    half: int,
):
    site_pages.rows = page_rows()[half::2]
    axe_role = role_for_turn(ZH_TURN)
    source = axe_source()
    found: list[str] = []
    inaccessible: list[str] = []
    checked = 0
    # The layout is known once the style sheets are in and the deferred scripts (which
    # wait for them) have run: no need to wait for images.
    for role, page, path in site_pages.walk(browser, viewport=PHONE, wait_until="domcontentloaded"):
        problems = page.evaluate(PHONE_LAYOUT)
        if problems:
            found.append(f"{path} as {role}:\n    " + "\n    ".join(problems[:5]))
            if len(found) <= 30:
                SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SHOTS / f"{_name(role, path)}.png"), full_page=True)
        if axe_role[id(site_pages.row_of[(role, path)])] == role:
            page.wait_for_load_state("load")
            inaccessible.extend(check_both_sizes(page, source, f"{role} {path} (zh)")[0])
            checked += 1
    # The walk reached the pages (a broken fixture would pass on nothing).
    assert len(site_pages.visited) > 150, site_pages.not_pages
    assert {role for role, _path in site_pages.visited} >= {"member", "secretary", "observer"}
    assert not found, f"{len(found)} pages too wide for a phone:\n" + "\n".join(found)
    # axe ran on the pages of this half, one role each (not a vacuous pass).
    assert checked > 70, checked
    assert not inaccessible, f"{len(inaccessible)} axe violations:\n" + "\n".join(inaccessible)


def _signed_in_page(browser, live_server, user, viewport):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return context.new_page()


MENU_ROWS = """() => new Set([...document.querySelectorAll('.mainnav > ul > li')]
  .map((li) => Math.round(li.getBoundingClientRect().top))).size"""


def test_the_menu_takes_two_rows_on_a_phone_and_opens_a_group_at_a_time(browser, live_server, cast):
    for user in (cast.committee_admin, cast.observer, cast.secretary, cast.member):
        page = _signed_in_page(browser, live_server, user, PHONE)
        page.goto(live_server.url + "/")
        rows = page.evaluate(MENU_ROWS)
        height = page.locator(".mainnav").bounding_box()["height"]
        items = page.locator(".mainnav > ul > li").all_inner_texts()
        assert rows <= 2, f"{user.username}: {rows} rows: {items}"
        assert height < 0.2 * PHONE["height"], f"{user.username}: menu {height}px high"
        # A group opens below the menu, inside the screen, and closes the one open before.
        groups = page.locator(".mainnav details.navgroup")
        assert groups.count() >= 3
        groups.nth(0).locator("summary").click()
        first_list = groups.nth(0).locator("ul")
        box = first_list.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        groups.nth(1).locator("summary").click()
        assert not first_list.is_visible()
        assert groups.nth(1).locator("ul").is_visible()
        page.keyboard.press("Escape")
        assert not groups.nth(1).locator("ul").is_visible()
        page.context.close()


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let bg = "rgb(255, 255, 255)";
  for (let up = el.parentElement; up; up = up.parentElement) {
    const color = getComputedStyle(up).backgroundColor;
    if (color !== "rgba(0, 0, 0, 0)" && color !== "transparent") { bg = color; break; }
  }
  return {tag: el.tagName, text: (el.innerText || "").trim().slice(0, 20),
          ring: style.outlineStyle !== "none" ? style.outlineColor : "",
          width: parseFloat(style.outlineWidth), bg};
}"""


def test_keyboard_focus_is_shown_by_a_ring_of_3_to_1_and_never_lost(browser, live_server, cast):
    """At desktop width every Tab stop of an officer's home page is a visible element with a
    ring of at least 3:1 against what is around it (the phone-menu checkbox was an
    invisible, unlabelled stop)."""
    page = _signed_in_page(browser, live_server, cast.committee_admin, DESKTOP)
    page.goto(live_server.url + "/")
    seen = []
    for _stop in range(25):
        page.keyboard.press("Tab")
        focused = page.evaluate(RING)
        if focused["tag"] == "BODY":  # the browser's own stop, before the first link
            continue
        box = page.evaluate("document.activeElement.getBoundingClientRect().width")
        assert box > 2, f"focus on an invisible element: {focused}"
        assert focused["ring"] and focused["width"] >= 2, f"no ring: {focused}"
        low, high = sorted([_luminance(focused["ring"]), _luminance(focused["bg"])])
        contrast = (high + 0.05) / (low + 0.05)
        assert contrast >= 3, f"ring at {contrast:.1f}:1 on {focused}"
        seen.append(focused["text"])
    assert any("首页" in text for text in seen)
    page.context.close()
