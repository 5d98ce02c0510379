"""Accessible to everyone: every page of the access table, for each role that may see
it, passes axe-core's WCAG 2.1 A and AA rules with no violation — on a phone
(360×740) and a desktop (1280×800), in Chinese and in English.

axe-core comes from npm (package.json, pinned; `make install-dev` runs `npm ci`) and
is read from node_modules. It is evaluated in the page through the DevTools protocol
(`page.evaluate` of its source), which the site's strict Content Security Policy does
not block, so the pages are tested under the same CSP a visitor gets (a `<script>` tag
added by the test would be refused, and turning the CSP off would test another page).

Besides axe, one check axe leaves to a human ("needs review"): every id that an
`aria-describedby`/`aria-labelledby`/`aria-controls` or a label's `for` points to is
on the page — a help text rendered without the id its field points to is skipped by
screen readers (the suggestion box's privacy assurance was).

Every page of the access table is loaded once in each language and checked at both
sizes (at the phone size it was loaded at, then resized to the desktop's: media queries
and the page's resize handlers apply), each time for one of the roles that may open
it, the role turning from one page to the next and from one language to the next: a
page is checked for up to two of its roles, and each walk meets (nearly) every role.
In English the walk is this module's test; in Chinese it is the phone walk of
test_phone_layout.py, which loads every page in Chinese at 360 px as every role for its
layout checks anyway and runs `check_both_sizes` on each page as its role of turn
ZH_TURN (the Chinese pages are not loaded a second time). All 999 (role, page) pairs
would take over twenty minutes here; `VANGUARD_A11Y_EVERY_ROLE=1` runs them all, in
both languages here. A failure names the size, language, role, page, rule and the
first nodes' selectors.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.access import ROLES, AccessRow
from tests.browser.pages import DESKTOP, PHONE, PHONE_LAYOUT, page_rows, site_pages  # noqa: F401

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# axe's run, reduced to what a failure message needs; plus the dangling-id check.
RUN = """async ([tags, named]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations'], selectors: named});
  const found = result.violations.map(v => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length,
    targets: named ? v.nodes.slice(0, 3).map(n => n.target.join(' ')) : [],
  }));
  const dangling = [];
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      if (attr === 'for' && el.tagName !== 'LABEL') continue;
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        const tag = el.tagName.toLowerCase();
        if (!document.getElementById(id)) dangling.push(`${tag}[${attr}=${id}]`);
      }
    }
  }
  if (dangling.length) {
    found.push({rule: 'dangling-idref', impact: 'serious',
                help: 'An id that an element points to is missing from the page',
                nodes: dangling.length, targets: dangling.slice(0, 3)});
  }
  return found;
}"""

# (language, turn): `turn` picks which of a page's roles this walk takes. Each page is
# loaded once per language and checked at both sizes: at the size it was loaded at, then
# resized to the other (media queries and the page's resize handlers apply), which
# halves the page loads of a walk.
# In Chinese the phone walk (test_phone_layout.py), which loads every page as every
# role at 360 px in Chinese anyway, runs the same check on each page as its role of
# turn ZH_TURN: the Chinese pages are not loaded a second time here.
ZH_TURN = 0
COMBINATIONS = [
    pytest.param("en", 2, id="walk-en"),
]
EVERY_ROLE = os.environ.get("VANGUARD_A11Y_EVERY_ROLE") == "1"
if EVERY_ROLE:  # every role of every page: the phone walk checks one role per page
    COMBINATIONS.insert(0, pytest.param("zh-hans", ZH_TURN, id="walk-zh"))


def role_for_turn(turn: int) -> dict[int, str]:
    """The role each page row is checked as in walk `turn` (keyed by the row's id): the
    rows take the roles in turn (row i of walk t the (i + t)-th of those that may open
    it, in the order of ROLES, wrapping round), so each walk meets every role and each
    row a new role in each walk."""
    chosen = {}
    for index, row in enumerate(page_rows()):
        allowed = [role for role in ROLES if row.expected(role) == 200]
        chosen[id(row)] = allowed[(index + turn) % len(allowed)]
    return chosen


def rows_for_turn(turn: int) -> list[AccessRow]:
    """Each page row, narrowed to its role of walk `turn` (every role of every row with
    EVERY_ROLE)."""
    if EVERY_ROLE:
        return page_rows()
    chosen = role_for_turn(turn)
    return [
        dataclasses.replace(row, expect={chosen[id(row)]: 200}, default=403) for row in page_rows()
    ]


def check_both_sizes(page: Any, source: str, where: str) -> tuple[list[str], float]:
    """axe at the size the page was loaded at (the phone's) and, resized, at the
    desktop's, then back: the failures named by `where`, size, rule and nodes; and the
    seconds axe took."""
    failures = []
    seconds = 0.0
    here = page.viewport_size
    sizes = {PHONE["width"]: "phone", DESKTOP["width"]: "desktop"}
    for viewport in (here, DESKTOP if here["width"] == PHONE["width"] else PHONE):
        if viewport != page.viewport_size:
            page.set_viewport_size(viewport)
        checking = time.monotonic()
        found_here = violations(page, source)
        seconds += time.monotonic() - checking
        for found in found_here:
            failures.append(
                f"{where} ({sizes.get(viewport['width'], viewport['width'])}):"
                f" {found['rule']} ({found['impact']}, {found['nodes']} nodes)"
                f" {found['help']} — {' | '.join(found['targets'])}"
            )
    if page.viewport_size != here:
        page.set_viewport_size(here)
    return failures, seconds


def axe_source() -> str:
    assert AXE.exists(), f"{AXE} is missing: run `make install-dev` (npm ci installs axe-core)"
    return AXE.read_text(encoding="utf-8")


def violations(page: Any, source: str) -> list[dict[str, Any]]:
    """axe's WCAG 2.1 A/AA violations on the page as it is now (and dangling ids).

    axe runs without naming the nodes it checks (a unique CSS selector for each is much
    of a run's time), and again, naming them, only on a page where it found something:
    the same rules and verdicts, the selectors for the failure message."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(source)
    found = page.evaluate(RUN, [TAGS, False])
    if any(item["rule"] != "dangling-idref" for item in found):
        found = page.evaluate(RUN, [TAGS, True])
    return found


# A page with what the check is for: an image without a text alternative, faint text,
# and a field described by an id that is not on the page.
FLAWED = """<!doctype html><html lang="en"><head><title>Flawed</title></head><body><main>
<h1>Flawed</h1><img id="pic" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p id="faint" style="color:#c8c8c8;background:#fff">Faint words</p>
<label for="field">Field</label><input id="field" aria-describedby="nowhere">
</main></body></html>"""


def test_the_check_finds_each_kind_of_fault_and_names_its_nodes(browser: Any) -> None:
    """Not a vacuous pass: axe, run as the walks run it, finds each fault of a flawed
    page, and a failure names the nodes (axe names them only on its second run)."""
    page = browser.new_page(viewport=PHONE)
    try:
        page.set_content(FLAWED)
        found = {item["rule"]: item for item in violations(page, axe_source())}
    finally:
        page.context.close()
    assert {"image-alt", "color-contrast", "dangling-idref"} <= set(found), found
    assert found["image-alt"]["targets"] == ["#pic"]
    assert found["color-contrast"]["targets"] == ["#faint"]
    assert found["dangling-idref"]["targets"] == ["input[aria-describedby=nowhere]"]


@pytest.mark.page_walk
@pytest.mark.parametrize(("language", "turn"), COMBINATIONS)
def test_every_page_passes_axe_wcag21_aa_on_a_phone_and_a_desktop(
    site_pages: Any,  # noqa: F811 (the fixture imported above)
    browser: Any,
    language: str,
    turn: int,
) -> None:
    source = axe_source()
    site_pages.rows = rows_for_turn(turn)
    started = time.monotonic()
    axe_seconds = 0.0
    failures: list[str] = []
    too_wide: list[str] = []
    for role, page, path in site_pages.walk(browser, viewport=PHONE, language=language):
        # English words run longer than Chinese characters: the phone layout check of
        # test_phone_layout.py (every page in Chinese, as every role) on each page in
        # this language too, at 360 px before axe resizes it.
        problems = page.evaluate(PHONE_LAYOUT)
        if problems:
            too_wide.append(f"{path} as {role} ({language}):\n    " + "\n    ".join(problems[:5]))
        found, seconds = check_both_sizes(page, source, f"{role} {path}")
        failures.extend(found)
        axe_seconds += seconds
    seconds = time.monotonic() - started
    summary = (
        f"{len(site_pages.visited)} pages ({language}), each at 360 and 1280 px,"
        f" in {seconds:.0f} s, axe {axe_seconds:.0f} s"
    )
    print(summary)
    assert not failures, f"{len(failures)} violations in {summary}:\n" + "\n".join(failures)
    assert not too_wide, f"{len(too_wide)} pages too wide for a phone:\n" + "\n".join(too_wide)
    # Not a vacuous pass: the walk reached the pages of the access table, as every role.
    assert len(site_pages.visited) > 150, (len(site_pages.visited), site_pages.not_pages)
    assert len({role for role, _ in site_pages.visited}) >= len(ROLES) - 1, site_pages.visited
