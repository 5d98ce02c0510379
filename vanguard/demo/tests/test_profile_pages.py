"""`manage.py profile_pages` on the demo: every page of make bench's table is requested
as its person and split into the parts the closing notes of issue 17 read (no time is
asserted: only that each page answered, was profiled and its parts add up sensibly)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from vanguard.demo.management.commands.bench_pages import PAGES
from vanguard.demo.tests.kept_demo import kept_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield


def test_each_page_is_profiled_into_its_parts(demo_of_the_module, db):
    out = io.StringIO()
    call_command("profile_pages", requests=2, size="demo", stdout=out)
    report = out.getvalue()
    headings = re.findall(
        r"^(.+?) — (.+?): ([\d.]+) ms per request .*?(\d+) queries$", report, re.M
    )
    # The demo has no university above the college: its page is not in the table.
    assert [h[0] for h in headings] == [p.label for p in PAGES if not p.university]
    for _label, _where, wall, queries in headings:
        assert float(wall) > 0
        assert int(queries) > 0  # even the card page reads its session's card
    # Each page names its view and the parts every page has, with their share.
    blocks = report.split("\n\n")[1:]
    for block in blocks:
        for part in ("session and user", "the view (", "templates", "SQL in the driver"):
            assert part in block, (part, block)
        shares = [int(s) for s in re.findall(r"(\d+)%$", block, re.M)]
        assert all(0 <= share <= 100 for share in shares), block
    home = next(b for b in blocks if b.startswith("member home"))
    assert "the view (home)" in home or "the view (" in home
    # A page shown to a signed-in person runs the menu; the card page (no login) does not.
    menu = re.search(r"menu \(roles\)\s+([\d.]+) ms", home)
    assert menu and float(menu.group(1)) > 0
    card = next(b for b in blocks if b.startswith("card-vote page"))
    assert re.search(r"session and user\s+0\.0 ms", card)


def test_after_a_write_every_request_moves_the_records_version(demo_of_the_module, db):
    from vanguard.campaigns import records

    before = records.version()
    out = io.StringIO()
    call_command(
        "profile_pages", requests=1, size="demo", only=["member_home"], after_write=True, stdout=out
    )
    # Three to warm up, one timed, one counted, one profiled: each after a write (the
    # page's preparation writes too: a card vote opened, a password set).
    assert records.version() >= before + 6
    assert "each request the first after a counted write" in out.getvalue()
