"""The sorting API: officers enter what they heard in talks and symposia, list and
read the opinions in their scope (sources only for those who sort them), sort,
merge and set aside — with clear errors that change nothing."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from vanguard.opinions.intake.services import aspects_for
from vanguard.opinions.models import Opinion, OpinionRound
from vanguard.opinions.tests.sorting_data import about_secretary, campaign, opinion

pytestmark = pytest.mark.django_db

CONTACT = "13912345678"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_an_officer_enters_a_talk_opinion_filed_under_the_current_round(f, client):
    c = campaign(f)
    OpinionRound.objects.create(campaign=c, branch=f.org.branch_a1, number=2, reason="表扬多")
    client.force_login(f.cast.branch_committee)
    response = _post(
        client,
        "/api/v1/opinions/",
        {
            "branch_id": f.org.branch_a1.pk,
            "channel": "talk",
            "text": "希望在指导研究生方面多花些时间",
            "source": "与研究生小吴交谈",
            "subject_kind": "member",
            "subject_member_id": f.cast.colleague_record.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["round"], body["channel"]) == ("new", 2, "talk")
    assert body["subject_member_name"] == "张丽"
    assert body["source"]["source"] == "与研究生小吴交谈"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"text": "长" * 10_000}, "text"),
        ({"text": "   "}, "text"),
        ({"channel": "suggestion_box"}, "channel"),
        ({"subject_kind": "member", "subject_member_id": None}, "subject_member_id"),
    ],
)
def test_bad_intake_is_refused_naming_the_field_and_writes_nothing(f, client, change, field):
    campaign(f)
    client.force_login(f.cast.secretary)
    body = {"branch_id": f.org.branch_a1.pk, "channel": "talk", "text": "意见", **change}
    response = _post(client, "/api/v1/opinions/", body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Opinion.objects.exists()


def test_sources_are_given_only_to_those_who_sort(f, client):
    o = opinion(f, contact=CONTACT, source="张老师")
    # A sorter above the branch: the general-branch secretary (a member of no branch here).
    client.force_login(f.cast.gb_secretary)
    assert client.get(f"/api/v1/opinions/{o.pk}").json()["source"]["contact"] == CONTACT
    # The branch's secretary is one of its members: the opinion may be about him.
    for role in ("secretary", "supervisor", "observer"):
        client.force_login(getattr(f.cast, role))
        listed = client.get("/api/v1/opinions/").content.decode()
        one = client.get(f"/api/v1/opinions/{o.pk}")
        assert one.json()["source"] is None
        for text in (listed, one.content.decode()):
            assert CONTACT not in text and "张老师" not in text


def test_an_opinion_about_the_caller_is_not_found_and_not_listed(f, client):
    mine = about_secretary(f)
    client.force_login(f.cast.secretary)
    response = client.get(f"/api/v1/opinions/{mine.pk}")
    assert response.status_code == 404
    assert mine.text not in response.content.decode()
    listed = client.get("/api/v1/opinions/").json()
    assert mine.pk not in [item["id"] for item in listed["items"]]


def test_sort_merge_and_set_aside_through_the_api(f, client):
    aspect_id = aspects_for(campaign(f))[0].pk
    client.force_login(f.cast.secretary)
    o = opinion(f)
    sorted_ = _post(
        client,
        f"/api/v1/opinions/{o.pk}",
        {
            "subject_kind": "member",
            "subject_member_id": f.cast.colleague_record.pk,
            "aspect_id": aspect_id,
            "kind": "criticism",
        },
        method="patch",
    )
    assert sorted_.status_code == 200
    assert (sorted_.json()["status"], sorted_.json()["aspect_id"]) == ("sorted", aspect_id)

    duplicate = opinion(f, text="重复的意见")
    merged = _post(client, f"/api/v1/opinions/{o.pk}/merge", {"duplicates": [duplicate.pk]})
    assert merged.status_code == 200
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into_id) == ("merged", o.pk)

    refused = _post(client, f"/api/v1/opinions/{duplicate.pk}/set-aside", {"reason": "无关"})
    assert refused.status_code == 422  # a merged opinion stays merged
    other = opinion(f, text="食堂太贵")
    empty = _post(client, f"/api/v1/opinions/{other.pk}/set-aside", {"reason": ""})
    assert empty.status_code == 422
    done = _post(client, f"/api/v1/opinions/{other.pk}/set-aside", {"reason": "与本次活动无关"})
    assert done.json()["status"] == "set_aside"


def test_sorting_onto_a_member_of_another_branch_is_refused(f, client):
    o = opinion(f)
    client.force_login(f.cast.committee_admin)
    response = _post(
        client,
        f"/api/v1/opinions/{o.pk}/sort",
        {
            "subject_kind": "member",
            "subject_member_id": f.cast.other_member_record.pk,
            "kind": "praise",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "subject_member_id"
    o.refresh_from_db()
    assert o.status == "new"


def test_opening_a_round_through_the_api(f, client):
    campaign(f)
    client.force_login(f.cast.secretary)
    response = _post(
        client, "/api/v1/opinions/rounds", {"branch_id": f.org.branch_a1.pk, "reason": "表扬多"}
    )
    assert response.status_code == 201
    assert response.json()["number"] == 2
