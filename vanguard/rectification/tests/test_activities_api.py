"""The activities' API: the list and an activity with its public total, the donation
lines only for their keeper and the member themself, ideas listed and given (an
anonymous one names nobody)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vanguard.rectification.models import Idea
from vanguard.rectification.tests import factories_activities as fa

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def test_the_list_gives_each_activity_its_total(client, f):
    line = fa.member_line(f)
    client.force_login(f.cast.observer)
    body = client.get(f"/api/v1/rectification/activities/?campaign={fa.campaign(f).pk}").json()
    (found,) = body["items"]
    assert found["id"] == line.activity_id and found["total"] == "1310.00"
    assert found["kind"] == "donation" and found["branch_name"] == f.org.branch_a1.name
    client.force_login(f.cast.other_member)
    assert client.get("/api/v1/rectification/activities/").json()["items"] == []


def test_an_activity_gives_amounts_only_to_the_keeper_and_the_member(client, f):
    line = fa.member_line(f)
    url = f"/api/v1/rectification/activities/{line.activity_id}"
    client.force_login(f.cast.secretary)
    keeper = client.get(url).json()
    assert keeper["total"] == "1310.00" and len(keeper["lines"]) == 2
    assert "王小明" in keeper["participants"]
    client.force_login(f.cast.member)
    mine = client.get(url).json()
    assert [(x["member_name"], x["amount"]) for x in mine["lines"]] == [("王小明", "271.50")]
    client.force_login(f.cast.committee_admin)
    reader = client.get(url).json()
    assert reader["total"] == "1310.00" and reader["lines"] == []
    assert fa.amounts_written(str(reader), fa.COLLEAGUE_AMOUNT, fa.MEMBER_AMOUNT) == []
    client.force_login(f.cast.other_member)
    assert client.get(url).status_code == 404


def test_ideas_given_through_the_api(client, f):
    activity = fa.ideas_activity(f)
    url = f"/api/v1/rectification/activities/{activity.pk}/ideas"
    client.force_login(f.cast.member)
    named = client.post(url, {"text": "开放实验室"}, content_type=JSON)
    assert named.status_code == 201 and named.json()["author_name"] == "王小明"
    hidden = client.post(url, {"text": "多讲问题", "anonymous": True}, content_type=JSON)
    assert hidden.status_code == 201 and hidden.json()["author_name"] is None
    assert Idea.objects.get(text="多讲问题").author is None
    empty = client.post(url, {"text": "   "}, content_type=JSON)
    assert empty.status_code == 422
    client.force_login(f.cast.secretary)
    listed = client.get(url).json()
    assert {(i["text"], i["author_name"]) for i in listed} == {
        ("开放实验室", "王小明"),
        ("多讲问题", None),
    }
    donation = fa.donation_activity(f)
    client.force_login(f.cast.member)
    wrong = client.post(
        f"/api/v1/rectification/activities/{donation.pk}/ideas",
        {"text": "x"},
        content_type=JSON,
    )
    assert wrong.status_code == 403
