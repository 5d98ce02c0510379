"""The plans API: the caller's plans with items, links and updates; items created and
changed; updates recorded — under the pages' rules."""

from __future__ import annotations

import pytest
from django.test import Client

from vanguard.rectification.models import Item, Plan
from vanguard.rectification.plans import selectors
from vanguard.rectification.tests import factories_plans as fp

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    class F:
        pass

    found = F()
    found.org, found.cast = org, cast  # type: ignore[attr-defined]
    return found


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_mine_and_detail_with_items_links_and_updates(f):
    opinion = fp.member_opinion(f)
    plan = fp.member_plan(f)
    item = plan.items.get()
    item.links.create(target="opinion", opinion=opinion)
    fp.evidence_update(f)
    client = _client(f.cast.member)
    listed = client.get("/api/v1/rectification/plans/?mine=true").json()
    assert [p["id"] for p in listed["items"]] == [plan.pk]
    detail = client.get(f"/api/v1/rectification/plans/{plan.pk}").json()
    [found] = detail["items"]
    assert found["problem"] == fp.PROBLEM
    assert found["links"][0]["text"] == fp.OPINION_TEXT
    assert found["links"][0]["key"] == f"o-{selectors.point_token(plan, opinion.pk)}"
    assert found["updates"][0]["evidence_url"].endswith("/evidence/")


def test_create_and_patch_an_item_then_record_an_update(f):
    plan = fp.member_plan(f)
    client = _client(f.cast.member)
    created = client.post(
        f"/api/v1/rectification/plans/{plan.pk}/items",
        {
            "problem": "联系群众不够",
            "measure": "每月谈心",
            "standard": "六次",
            "deadline": fp.in_days(30).isoformat(),
            "tags": ["research", "teaching"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["tags"] == ["teaching", "research"] and body["responsible_name"] == "王小明"
    patched = client.patch(
        f"/api/v1/rectification/items/{body['id']}",
        {"measure": "每两周谈心"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["measure"] == "每两周谈心"
    bad = client.post(
        f"/api/v1/rectification/items/{body['id']}/updates",
        {"on": fp.in_days(0).isoformat()},
        content_type="application/json",
    )
    assert bad.status_code == 422
    done = client.post(
        f"/api/v1/rectification/items/{body['id']}/updates",
        {"on": fp.in_days(0).isoformat(), "text": "谈了两次", "status": "done"},
        content_type="application/json",
    )
    assert done.status_code == 201 and done.json()["status"] == Item.Status.DONE


def test_items_of_a_submitted_plan_cannot_be_added(f):
    plan = fp.member_plan(f, status=Plan.Status.SUBMITTED)
    response = _client(f.cast.member).post(
        f"/api/v1/rectification/plans/{plan.pk}/items",
        {"problem": "a", "measure": "b", "standard": "c", "deadline": fp.in_days(3).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_others_do_not_learn_a_plan_exists(f):
    plan = fp.member_plan(f)
    client = _client(f.cast.other_member)
    assert client.get(f"/api/v1/rectification/plans/{plan.pk}").status_code == 404
    assert client.get("/api/v1/rectification/plans/").json()["items"] == []
