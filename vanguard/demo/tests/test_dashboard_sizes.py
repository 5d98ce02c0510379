"""Dashboard query counts are the same at the demo size (41 branches, ~700 members)
and at size M (~300 branches, ~5,000 members): each time with a campaign running
over the whole organisation — the demo's own over 信息学院, and at size M one over
the whole university, generated as `bench_dashboards` does."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns.models import Campaign
from vanguard.demo.build import demo_build
from vanguard.demo.management.commands.bench_dashboards import campaign_data_build
from vanguard.organization.models import Unit

PAGES = (("top", "the whole organisation"), ("secretary", "a branch"), ("member", "own"))


def _build(size: str, reset: bool = False) -> Campaign:
    demo_build(size=size, reset=reset)
    root = Unit.objects.get(parent__isnull=True)
    top, _ = User.objects.get_or_create(username="top")
    RoleAssignment.objects.get_or_create(user=top, role=Role.COMMITTEE_ADMIN, unit=root)
    campaign = root.campaigns.filter(status=Campaign.Status.ACTIVE).first()
    return campaign or campaign_data_build(root=root)


def _counts(campaign: Campaign) -> dict[str, int]:
    counts = {}
    url = f"/campaigns/?campaign={campaign.pk}"
    for username, label in PAGES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert client.get(url).status_code == 200  # warm up
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts[label] = len(queries)
    return counts


def test_dashboard_query_counts_are_the_same_at_demo_size_and_size_m(db):
    at_demo = _counts(_build("demo"))
    branches_at_demo = Unit.objects.filter(kind=Unit.Kind.BRANCH).count()

    campaign = _build("M", reset=True)
    assert Unit.objects.filter(kind=Unit.Kind.BRANCH).count() > 5 * branches_at_demo
    assert campaign.unit.parent is None  # over the whole university
    at_m = _counts(campaign)

    assert at_m == at_demo
