"""The make-up orders' and guidance's API: the same flow and rules as the pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vanguard.notices.models import Notification
from vanguard.supervision.models import RemediationOrder
from vanguard.supervision.tests import factories_remediation as fr

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def test_order_reported_and_verified_through_the_api(client, f):
    campaign = fr.campaign(f)
    client.force_login(f.cast.supervisor)
    made = client.post(
        "/api/v1/supervision/orders/",
        {
            "campaign_id": campaign.pk,
            "member_id": f.cast.member_record.pk,
            "reason": "笔记未联系实际",
            "deadline": fr.in_days(7).isoformat(),
        },
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["branch_id"] == f.org.branch_a1.pk and body["member_name"] == "王小明"
    assert body["responsible_id"] == f.cast.member.pk and body["status"] == "open"
    order_id = body["id"]

    client.force_login(f.cast.member)
    listed = client.get("/api/v1/supervision/orders/").json()
    assert [o["id"] for o in listed["items"]] == [order_id]
    reported = client.post(
        f"/api/v1/supervision/orders/{order_id}/report",
        {"report": "已补写"},
        content_type=JSON,
    )
    assert reported.json()["status"] == "reported"
    again = client.post(
        f"/api/v1/supervision/orders/{order_id}/report", {"report": "再报"}, content_type=JSON
    )
    assert again.status_code == 403  # reported: nothing more to report until re-checked

    client.force_login(f.cast.supervisor)
    verified = client.post(
        f"/api/v1/supervision/orders/{order_id}/verify",
        {"outcome": "verified"},
        content_type=JSON,
    )
    assert verified.json()["status"] == "verified"
    assert Notification.objects.filter(user=f.cast.member, text__contains="复查通过").exists()


def test_reopening_needs_a_note(client, f):
    order = fr.reported_order(f)
    client.force_login(f.cast.committee_admin)
    refused = client.post(
        f"/api/v1/supervision/orders/{order.pk}/verify", {"outcome": "reopened"}, content_type=JSON
    )
    assert refused.status_code == 422 and "note" in refused.content.decode()
    order.refresh_from_db()
    assert order.status == RemediationOrder.Status.REPORTED


def test_an_order_in_another_general_branch_is_refused(client, f):
    client.force_login(f.cast.gb_secretary)
    answer = client.post(
        "/api/v1/supervision/orders/",
        {
            "campaign_id": fr.campaign(f).pk,
            "branch_id": f.org.branch_b1.pk,
            "reason": "补课",
            "deadline": fr.in_days(7).isoformat(),
        },
        content_type=JSON,
    )
    assert answer.status_code in (403, 404)
    assert not RemediationOrder.objects.exists()


def test_overdue_filter_and_other_branches_orders_unseen(client, f):
    late = fr.branch_order(f)
    RemediationOrder.objects.filter(pk=late.pk).update(deadline=fr.in_days(-2))
    fr.member_order(f)
    client.force_login(f.cast.secretary)
    overdue = client.get("/api/v1/supervision/orders/?overdue=true").json()
    assert [o["id"] for o in overdue["items"]] == [late.pk] and overdue["items"][0]["overdue"]
    client.force_login(f.cast.other_member)
    assert client.get("/api/v1/supervision/orders/").json()["count"] == 0
    assert client.get(f"/api/v1/supervision/orders/{late.pk}").status_code == 404


def test_guidance_through_the_api(client, f):
    client.force_login(f.cast.committee_admin)
    made = client.post(
        "/api/v1/supervision/guidance/",
        {
            "campaign_id": fr.campaign(f).pk,
            "branch_id": f.org.branch_a1.pk,
            "held_on": fr.in_days(0).isoformat(),
            "given_by": "党委书记",
            "agreed": "补开评议会",
            "lagging": True,
        },
        content_type=JSON,
    )
    assert made.status_code == 201 and made.json()["lagging"] is True
    client.force_login(f.cast.branch_committee)
    listed = client.get("/api/v1/supervision/guidance/").json()
    assert [g["agreed"] for g in listed["items"]] == ["补开评议会"]
