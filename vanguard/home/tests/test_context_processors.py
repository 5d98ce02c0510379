"""The navigation's facts (home.context_processors): a fact one page shows is found on
that page, for the people it is meant for."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

CHANNELS = 'aria-label="征求意见渠道"'


def test_the_sorting_list_shows_the_channels_to_those_who_sort_opinions_only(client, cast):
    client.force_login(cast.secretary)
    assert CHANNELS in client.get(reverse("opinions:sorting")).content.decode()

    client.force_login(cast.observer)  # reads the opinions, sorts none
    page = client.get(reverse("opinions:sorting"))
    assert page.status_code == 200
    assert CHANNELS not in page.content.decode()


def test_whether_the_person_sorts_opinions_is_asked_only_when_a_page_reads_it(rf, cast):
    from vanguard.home.context_processors import roles

    request = rf.get(reverse("home"))
    request.user = cast.secretary
    request.resolver_match = None
    with CaptureQueriesContext(connection) as building:
        facts = roles(request)
    with CaptureQueriesContext(connection) as reading:
        assert facts["sorts_opinions"]() is True
        assert facts["sorts_opinions"]() is True  # kept for the rest of the page
    assert len(reading.captured_queries) == 1
    assert not any(
        q["sql"] == reading.captured_queries[0]["sql"] for q in building.captured_queries
    )
