"""Size M (~300 branches, ~5,000 members) is a university with the demo college
inside; and dashboard query counts are the same there and at the demo size (41
branches, ~700 members): each time with a campaign running over the whole
organisation — at size M one over the whole university, generated as
`bench_dashboards` does, and the demo's own over 信息学院.

Both tests read one size-M build of the module (kept_demo); the dashboard test puts
the demo size in its place in its own transaction."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns.models import Campaign
from vanguard.demo.build import demo_build
from vanguard.demo.common import COLLEGE_NAME
from vanguard.demo.management.commands.bench_dashboards import campaign_data_build
from vanguard.demo.tests.kept_demo import demo_clear, demo_put, kept_demo
from vanguard.organization.models import Member, Unit

PAGES = (("top", "the whole organisation"), ("secretary", "a branch"), ("member", "own"))


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    """The demo as the other modules have it (kept_demo: built once per worker); the
    test then resets it to size M in its own transaction, rolled back after it."""
    with kept_demo(django_db_blocker):
        yield


@pytest.fixture(scope="module")
def university_of_the_module(django_db_setup, django_db_blocker):
    """Size M, built on an empty database once for this module (kept_demo)."""
    with kept_demo(django_db_blocker, size="M", shared=False) as result:
        yield result


@pytest.fixture
def university(university_of_the_module, db):
    return university_of_the_module


def holders(role: str, unit: Unit) -> list[User]:
    return [ra.user for ra in RoleAssignment.objects.filter(role=role, unit=unit)]


@pytest.mark.slow
def test_size_m_is_a_university_with_the_demo_college_inside(university):
    result = university
    university = Unit.objects.get(parent=None)
    colleges = Unit.objects.filter(parent=university, kind=Unit.Kind.COMMITTEE)
    assert colleges.count() == 7
    assert 280 <= result.branches <= 320
    assert 4500 <= result.members <= 5500
    assert result.members == Member.objects.count()
    college = colleges.get(name=COLLEGE_NAME)
    assert Unit.objects.filter(kind=Unit.Kind.BRANCH, path__startswith=college.path).count() == 41
    assert User.objects.get(username="committee").role_assignments.get().unit == college
    for committee in colleges:
        assert holders(Role.COMMITTEE_ADMIN, committee)
    for branch in Unit.objects.filter(kind=Unit.Kind.BRANCH):
        assert len(holders(Role.BRANCH_SECRETARY, branch)) == 1
        assert branch.path == f"{branch.parent.path}{branch.pk}/"
    numbers = Member.objects.values_list("number", flat=True)
    assert len(set(numbers)) == len(numbers)


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


def test_dashboard_query_counts_are_the_same_at_demo_size_and_size_m(university):
    campaign = _build("M")
    branches_at_m = Unit.objects.filter(kind=Unit.Kind.BRANCH).count()
    assert campaign.unit.parent is None  # over the whole university
    at_m = _counts(campaign)

    # The demo in place of size M, as `build_demo --reset` would leave it, without the
    # seconds of deleting a university through the ORM and building the demo again.
    demo_clear()
    demo_put(size="demo")
    at_demo = _counts(_build("demo"))
    assert branches_at_m > 5 * Unit.objects.filter(kind=Unit.Kind.BRANCH).count()

    assert at_m == at_demo
