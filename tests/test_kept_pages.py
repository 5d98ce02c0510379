"""Pages kept whole (vanguard/campaigns/kept_pages.py): a person's home, progress pages,
dashboards and feedback sheet are served again from the cache until anything they show
may have changed.

The first test renders every kept page as every demo role and fails if one read a table
whose writes do not move the records' version (nor are part of the key): a new reading
of an uncounted table would otherwise be served stale. The others write for real
(`transactional_db`: a kept page is kept only outside a transaction, as under gunicorn)
and look at what the person sees next."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from vanguard.accounts.models import User
from vanguard.campaigns import records
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.organization.models import Unit

# Tables a kept page reads that carry no version's triggers, and why that is safe.
NOT_COUNTED = {
    "django_session": "the request's own session: who is asking",
    "accounts_user": "the person asking: their id and name are in the key",
    "notices_notification": "the unread count is in the key (notices registers it)",
    "ballots_rollentry": "a roll's members are written with their vote's opening, which "
    "moves the version (ballots_appraisalsession is counted); nothing a vote writes to the "
    "roll is shown on a kept page",
    "opinions_surveyanswer": "a survey's answers are shown only once it is closed, and "
    "closing or reopening it is a write to the survey (counted); an answer, like a ballot, "
    "moves nothing (at most the sheet's note that an open survey's results are withheld "
    "shows up to five minutes late)",
    records.TABLE: "the version itself",
}

ROLES = ("committee", "supervisor", "gbsecretary", "secretary", "member", "observer")


def _kept_views() -> set[str]:
    found: set[str] = set()

    def walk(patterns: list, prefix: str = "") -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, namespace)
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "kept_page", 0):
                found.add(f"{prefix}{pattern.name}")

    walk(get_resolver().url_patterns)
    return found


def _tables_read(queries: CaptureQueriesContext) -> set[str]:
    found: set[str] = set()
    for query in queries.captured_queries:
        found.update(re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', query["sql"]))
    return found


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.mark.django_db
def test_every_table_a_kept_page_reads_is_counted_or_keyed(demo_of_the_module):
    campaign = Campaign.objects.get(pk=demo_of_the_module)
    branch = Unit.objects.filter(kind=Unit.Kind.BRANCH, members__isnull=False).first()
    pages = {
        "home": [reverse("home")],
        "campaigns:dashboard": [
            reverse("campaigns:dashboard"),
            f"{reverse('campaigns:dashboard')}?campaign={campaign.pk}",
        ],
        "campaigns:progress_unit": [
            reverse("campaigns:progress_unit", args=[campaign.pk, campaign.unit_id]),
            reverse("campaigns:progress_unit", args=[campaign.pk, branch.pk]),
        ],
        "campaigns:progress_me": [reverse("campaigns:progress_me", args=[campaign.pk])],
        "opinions:feedback": [reverse("opinions:feedback")],
    }
    # Every kept view is walked here: one marked kept later must be added above.
    assert set(pages) == _kept_views()
    counted = records.installed(connection)
    read: set[str] = set()
    answered = 0
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get_by_natural_key(username))
        for paths in pages.values():
            for path in paths:
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(path)
                answered += response.status_code == 200
                read |= _tables_read(queries)
    assert answered >= 20
    # What the pages read reaches across the campaign's apps.
    assert {"reviews_selfanalysis", "opinions_opinion", "study_studywork"} <= read
    uncounted = read - counted - set(NOT_COUNTED)
    assert not uncounted, f"kept pages read tables whose writes move no version: {uncounted}"
