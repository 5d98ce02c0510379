"""GET /api/v1/supervision/overview/{campaign_id}: the overview's figures as JSON, counted
over the branches the caller reads, with the page's access; the watch list only for
those who keep it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vanguard.supervision.models import CheckItem, RemediationOrder
from vanguard.supervision.tests.factories_reports import (
    a_round,
    assess,
    campaign,
    do_check,
    guidance,
    make_order,
    make_sample,
    watch_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _get(client, user, f):
    client.force_login(user)
    return client.get(f"/api/v1/supervision/overview/{campaign(f).pk}")


def _setup(f):
    c = campaign(f)
    round_ = a_round(f)
    do_check(
        round_,
        f.org.branch_a1,
        {CheckItem.STUDY_PLAN: ("good", ""), CheckItem.NOTES: ("needs_work", "内容单薄")},
    )
    do_check(round_, f.org.branch_b1, {CheckItem.NOTES: ("missing", "")})
    drawn = make_sample(c, [f.cast.member_record, f.cast.other_member_record])
    assess(c, f.cast.member_record, sampled=drawn[0])
    make_order(c, f.org.branch_a1, deadline_in=-2)  # overdue
    make_order(c, f.org.branch_b1, status=RemediationOrder.Status.VERIFIED, verified_days_ago=0)
    guidance(c, f.org.branch_a1, lagging=True)
    watch_person(c, f.cast.colleague_record)
    return c


def test_the_committee_reads_every_branchs_figures(f, client):
    _setup(f)
    response = _get(client, f.cast.committee_admin, f)
    assert response.status_code == 200
    body = response.json()
    coverage = body["coverage"]
    assert (coverage["branches"], coverage["checked"], coverage["sampled"]) == (3, 2, 2)
    assert coverage["rounds"][0]["scope"] == 3 and coverage["rounds"][0]["checked"] == 2
    assert body["notes"]["read_college"] == 1
    assert {g["key"]: g["college"] for g in body["notes"]["by_grade"]}["good"] == 1
    findings = {row["item"]: row for row in body["findings"]}
    assert (findings["notes"]["needs_work"], findings["notes"]["missing"]) == (1, 1)
    assert findings["study_plan"]["good"] == 1
    orders = body["orders"]
    assert (orders["total"], orders["open"], orders["overdue"]) == (2, 1, 1)
    by_status = {s["status"]: s for s in orders["by_status"]}
    assert by_status["open"]["overdue"] == 1 and by_status["verified"]["overdue"] is None
    assert body["guidance"] == {"sessions": 1, "lagging": 1, "branches": 1}
    assert body["watch"] == {"branches": 0, "persons": 1, "talks": 1}


def test_a_branch_secretary_reads_their_branch_only_and_no_watch_list(f, client):
    _setup(f)
    body = _get(client, f.cast.secretary, f).json()  # A1's secretary
    assert body["coverage"]["branches"] == 1 and body["coverage"]["checked"] == 1
    findings = {row["item"]: row for row in body["findings"]}
    assert findings["notes"]["missing"] == 0  # B1's finding is not theirs
    assert body["orders"]["total"] == 1
    assert body["watch"] is None


def test_the_supervisor_counts_the_watch_list_of_their_branch(f, client):
    _setup(f)
    body = _get(client, f.cast.supervisor, f).json()  # A1's supervisor
    assert body["coverage"]["branches"] == 1
    assert body["watch"] == {"branches": 0, "persons": 1, "talks": 1}


def test_members_and_strangers_learn_nothing(f, client):
    _setup(f)
    assert _get(client, f.cast.member, f).status_code == 404
    assert client.get("/api/v1/supervision/overview/999999").status_code == 404
    client.logout()
    assert client.get(f"/api/v1/supervision/overview/{campaign(f).pk}").status_code == 401
