"""Pages meant for a wall screen (the ballot's turnout, a study session's sign-in code)
show no menu, no header and no footer; every other page keeps them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.ballots.tests import access_table as ballots_rows
from vanguard.study.tests import access_table as study_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "wall_screen",
    [
        lambda f: reverse("ballots:projector", args=[ballots_rows._open(f).pk]),
        lambda f: reverse("study:session_qr", args=[study_rows._session(f).pk]),
    ],
    ids=["ballot turnout", "study sign-in code"],
)
def test_projector_pages_are_bare(wall_screen, org, cast):
    client = Client()
    client.force_login(cast.secretary)
    url = wall_screen(SimpleNamespace(org=org, cast=cast))
    html = client.get(url).content.decode()
    assert "<h1>" in html
    for chrome in ('class="site-header"', 'class="mainnav"', 'class="site-footer"'):
        assert chrome not in html, chrome
    # The secretary's own pages keep the menu.
    assert 'class="mainnav"' in client.get(reverse("ballots:list")).content.decode()
